package zkafka.standin;

/** Identity of the stand-in. It imitates the outside of Kafka 3.9.1 and must never claim to be Kafka. */
public final class Banner {
    public static final String IMITATED_VERSION = "3.9.1";
    public static final String TEXT = "zkafka test stand-in imitating the outside of Apache Kafka "
        + IMITATED_VERSION + " (this is NOT Apache Kafka: no Kafka protocol, no produce/consume)";

    private Banner() {}
}
