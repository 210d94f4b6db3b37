package zkafka.standin;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * KRaft-mode node: checks the formatted log directories the way KafkaRaftServer does, binds the
 * controller and broker listeners and reports itself started. There is no Raft quorum behind it.
 */
public final class RaftServer implements Server {
    private static final String LOGGER = "kafka.server.KafkaRaftServer";

    private final Config config;
    private final int nodeId;
    private final List<String> roles;
    private final List<Config.EndPoint> listeners;
    private final Set<String> controllerNames;
    private final CountDownLatch shutdownLatch = new CountDownLatch(1);
    private final SocketServer socketServer;
    private boolean done;

    public RaftServer(Config config, List<Config.EndPoint> listeners, Set<String> controllerNames) {
        this.config = config;
        this.nodeId = config.integer("node.id");
        this.roles = config.list("process.roles");
        this.listeners = listeners;
        this.controllerNames = controllerNames;
        this.socketServer = new SocketServer("[SocketServer listenerType=" + (roles.contains("broker") ? "BROKER" : "CONTROLLER")
            + ", nodeId=" + nodeId + "] ");
        initializeLogDirs();
    }

    /** Kafka builds KafkaRaftServer (and so checks meta.properties) before startup. */
    private void initializeLogDirs() {
        Set<String> dirs = new LinkedHashSet<>(config.logDirs());
        String metadataDir = config.string("metadata.log.dir");
        dirs.add(metadataDir != null ? metadataDir : config.logDirs().get(0));
        String clusterId = null;
        Integer expectedNode = nodeId;
        for (String dir : dirs) {
            Properties p;
            try {
                p = MetaProps.read(dir);
            } catch (java.io.IOException e) {
                throw new RuntimeException("Failed to read " + MetaProps.file(dir), e);
            }
            if (p == null) {
                throw new RuntimeException("No `meta.properties` found in " + dir
                    + " (have you run `kafka-storage.sh` to format the directory?)");
            }
            String path = new File(dir, MetaProps.FILE).toString();
            String version = MetaProps.version(p);
            String cid = p.getProperty("cluster.id");
            if (cid == null) {
                if ("1".equals(version)) {
                    throw new RuntimeException("cluster.id was not specified in the v1 file: " + path);
                }
            } else if (clusterId == null) {
                clusterId = cid.trim();
            } else if (!clusterId.equals(cid.trim())) {
                throw new RuntimeException("Invalid cluster.id in: " + path + ". Expected " + clusterId
                    + ", but read " + cid.trim());
            }
            Integer node = MetaProps.nodeId(p);
            if (node == null) {
                if ("1".equals(version)) {
                    throw new RuntimeException("node.id was not specified in " + path);
                }
            } else if (!node.equals(expectedNode)) {
                throw new RuntimeException("Stored node id " + node + " doesn't match previous node id " + expectedNode
                    + " in " + path + ". If you moved your data, make sure your configured node id matches. If you "
                    + "intend to create a new node, you should remove all data in your data directories.");
            }
        }
        Log.info(LOGGER, "[KafkaRaftServer nodeId=" + nodeId + "] Loaded cluster id " + clusterId + " from meta.properties");
    }

    @Override
    public void startup() throws Exception {
        int backlog = config.integer("socket.listen.backlog.size");
        List<Config.EndPoint> controllerEps = new ArrayList<>();
        List<Config.EndPoint> brokerEps = new ArrayList<>();
        for (Config.EndPoint ep : listeners) {
            (controllerNames.contains(ep.listenerName) ? controllerEps : brokerEps).add(ep);
        }
        if (roles.contains("controller")) {
            Log.info("kafka.server.ControllerServer", "[ControllerServer id=" + nodeId + "] Starting controller");
            for (Config.EndPoint ep : controllerEps) {
                socketServer.bind(ep, backlog);
            }
            Log.info("kafka.server.ControllerServer", "[ControllerServer id=" + nodeId + "] Waiting for the controller metadata publishers to be installed");
            Log.info("kafka.server.ControllerServer", "[ControllerServer id=" + nodeId + "] Finished waiting for the controller metadata publishers to be installed");
        }
        if (roles.contains("broker")) {
            Log.info("kafka.server.BrokerServer", "[BrokerServer id=" + nodeId + "] Transition from SHUTDOWN to STARTING");
            for (Config.EndPoint ep : brokerEps) {
                socketServer.bind(ep, backlog);
            }
            Log.info("kafka.server.BrokerServer", "[BrokerServer id=" + nodeId + "] Transition from STARTING to STARTED");
        }
        Log.info(LOGGER, "[KafkaRaftServer nodeId=" + nodeId + "] Kafka Server started");
    }

    @Override
    public synchronized void shutdown() {
        if (done) {
            return;
        }
        done = true;
        if (roles.contains("broker")) {
            Log.info("kafka.server.BrokerServer", "[BrokerServer id=" + nodeId + "] Transition from STARTED to SHUTTING_DOWN");
        }
        socketServer.shutdown();
        if (roles.contains("broker")) {
            Log.info("kafka.server.BrokerServer", "[BrokerServer id=" + nodeId + "] shut down completed");
        }
        if (roles.contains("controller")) {
            Log.info("kafka.server.ControllerServer", "[ControllerServer id=" + nodeId + "] shut down completed");
        }
        shutdownLatch.countDown();
    }

    @Override
    public void awaitShutdown() throws InterruptedException {
        shutdownLatch.await();
    }
}
