package zkafka.standin;

/** A running stand-in server (ZooKeeper-mode broker or KRaft node). */
public interface Server {
    void startup() throws Exception;

    void shutdown();

    void awaitShutdown() throws InterruptedException;
}
