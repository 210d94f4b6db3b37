package zkafka.standin;

/**
 * Exceptions raised by the stand-in. The simple class names imitate the ones Kafka reports
 * (ConfigException, KafkaException, ...) so that log greps work, but they live in the
 * stand-in's own package: this is not Apache Kafka.
 */
public class StandinException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StandinException(String message) {
        super(message);
    }

    public StandinException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Configuration errors (Kafka: org.apache.kafka.common.config.ConfigException). */
    public static final class ConfigException extends StandinException {
        private static final long serialVersionUID = 1L;

        public ConfigException(String message) {
            super(message);
        }
    }

    /** Generic fatal errors (Kafka: org.apache.kafka.common.KafkaException). */
    public static final class KafkaException extends StandinException {
        private static final long serialVersionUID = 1L;

        public KafkaException(String message) {
            super(message);
        }

        public KafkaException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Kafka: kafka.zookeeper.ZooKeeperClientTimeoutException. */
    public static final class ZooKeeperClientTimeoutException extends StandinException {
        private static final long serialVersionUID = 1L;

        public ZooKeeperClientTimeoutException(String message) {
            super(message);
        }
    }
}
