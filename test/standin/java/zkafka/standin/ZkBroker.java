package zkafka.standin;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import zkafka.standin.StandinException.ZooKeeperClientTimeoutException;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** ZooKeeper-mode broker: what Kafka 3.x's KafkaServer does in ZooKeeper, and nothing of the data plane. */
public final class ZkBroker implements Server {
    private static final String LOGGER = "kafka.server.KafkaServer";
    private static final String ZK_LOGGER = "kafka.zk.KafkaZkClient";
    private static final String ZKC_LOGGER = "kafka.zookeeper.ZooKeeperClient";
    private static final String CTRL_LOGGER = "kafka.controller.KafkaController";

    /** Kafka's ZkData.PersistentZkPaths plus the config entity paths. */
    private static final String[] PERSISTENT_PATHS = {
        "/consumers", "/brokers/ids", "/brokers/topics", "/config/changes", "/admin/delete_topics",
        "/brokers/seqid", "/isr_change_notification", "/latest_producer_id_block", "/log_dir_event_notification",
        "/config/topics", "/config/clients", "/config/users", "/config/brokers", "/config/ips",
    };

    private final Config config;
    private final List<Config.EndPoint> listeners;
    private final List<Config.EndPoint> advertised;
    private final ExecutorService events = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "controller-event-thread");
        t.setDaemon(true);
        return t;
    });
    private final CountDownLatch shutdownLatch = new CountDownLatch(1);
    private final Object lifecycle = new Object();

    private int brokerId;
    private String logIdent;
    private volatile ZooKeeper zk;
    private SocketServer socketServer;
    private volatile boolean shuttingDown;
    private boolean shutDownDone;
    private volatile boolean started;

    public ZkBroker(Config config, List<Config.EndPoint> listeners, List<Config.EndPoint> advertised) {
        this.config = config;
        this.listeners = listeners;
        this.advertised = advertised;
        this.brokerId = config.integer("broker.id");
        this.logIdent = "[KafkaServer id=" + brokerId + "] ";
    }

    @Override
    public void startup() throws Exception {
        try {
            Log.info(LOGGER, logIdent + "starting");
            String connect = config.string("zookeeper.connect");
            Log.info(LOGGER, "Connecting to zookeeper on " + connect);
            int chrootIndex = connect.indexOf('/');
            if (chrootIndex > 0) {
                String chroot = connect.substring(chrootIndex);
                if (!chroot.equals("/")) {
                    ZooKeeper root = connect(connect.substring(0, chrootIndex), false);
                    try {
                        makeSurePersistentPathExists(root, chroot);
                    } finally {
                        root.close();
                    }
                    Log.info(LOGGER, "Created zookeeper path " + chroot);
                }
            }
            zk = connect(connect, true);
            for (String p : PERSISTENT_PATHS) {
                makeSurePersistentPathExists(zk, p);
            }

            String clusterId = getOrCreateClusterId();
            Log.info(LOGGER, "Cluster ID = " + clusterId);

            checkAndWriteMetaProperties(clusterId);
            logIdent = "[KafkaServer id=" + brokerId + "] ";

            Log.info("kafka.log.LogManager", "Loading logs from log dirs " + bracket(config.logDirs()));
            Log.info("kafka.log.LogManager", "No logs found to be loaded in " + String.join(", ", config.logDirs()));

            socketServer = new SocketServer("[SocketServer listenerType=ZK_BROKER, nodeId=" + brokerId + "] ");
            for (Config.EndPoint ep : listeners) {
                socketServer.bind(ep, config.integer("socket.listen.backlog.size"));
            }

            registerBroker();
            events.submit(this::elect).get();

            started = true;
            Log.info(LOGGER, logIdent + "started");
        } catch (Throwable e) {
            Log.error(LOGGER, logIdent + "Fatal error during KafkaServer startup. Prepare to shutdown", e);
            shutdown();
            throw e;
        }
    }

    private static String bracket(List<String> l) {
        return "ArrayBuffer(" + String.join(", ", l) + ")";
    }

    // ---------------------------------------------------------------- ZooKeeper client

    private ZooKeeper connect(String connectString, boolean main) throws Exception {
        Log.info(ZKC_LOGGER, "[ZooKeeperClient Kafka server] Initializing a new session to " + connectString + ".");
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper[] holder = new ZooKeeper[1];
        Watcher watcher = (WatchedEvent event) -> {
            if (event.getType() != Watcher.Event.EventType.None) {
                return;
            }
            switch (event.getState()) {
                case SyncConnected:
                    connected.countDown();
                    break;
                case Expired:
                    if (main && !shuttingDown) {
                        Log.info(ZKC_LOGGER, "[ZooKeeperClient Kafka server] Session expired.");
                        events.submit(this::reinitialize);
                    }
                    break;
                default:
                    break;
            }
        };
        ZooKeeper client = new ZooKeeper(connectString, config.zkSessionTimeoutMs(), watcher);
        holder[0] = client;
        Log.info(ZKC_LOGGER, "[ZooKeeperClient Kafka server] Waiting until connected.");
        if (!connected.await(config.zkConnectionTimeoutMs(), TimeUnit.MILLISECONDS)) {
            String state = String.valueOf(client.getState());
            client.close();
            throw new ZooKeeperClientTimeoutException("Timed out waiting for connection while in state: " + state);
        }
        Log.info(ZKC_LOGGER, "[ZooKeeperClient Kafka server] Connected.");
        return client;
    }

    private void reinitialize() {
        if (shuttingDown) {
            return;
        }
        try {
            ZooKeeper old = zk;
            try {
                old.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            zk = connect(config.string("zookeeper.connect"), true);
            registerBroker();
            elect();
        } catch (Exception e) {
            Log.error(ZKC_LOGGER, "[ZooKeeperClient Kafka server] Reinitialization after session expiry failed", e);
        }
    }

    private static void makeSurePersistentPathExists(ZooKeeper client, String path) throws Exception {
        StringBuilder cur = new StringBuilder();
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            cur.append('/').append(part);
            try {
                client.create(cur.toString(), new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            } catch (KeeperException.NodeExistsException e) {
                // fine
            }
        }
    }

    private static final Pattern ID_FIELD = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]*)\"");

    private String getOrCreateClusterId() throws Exception {
        while (true) {
            try {
                byte[] data = zk.getData("/cluster/id", false, null);
                Matcher m = ID_FIELD.matcher(new String(data, StandardCharsets.UTF_8));
                if (!m.find()) {
                    throw new StandinException.KafkaException("Failed to parse the cluster id json "
                        + new String(data, StandardCharsets.UTF_8));
                }
                return m.group(1);
            } catch (KeeperException.NoNodeException e) {
                String id = Ids.randomUuid();
                String json = "{\"version\":\"1\",\"id\":\"" + id + "\"}";
                makeSurePersistentPathExists(zk, "/cluster");
                try {
                    zk.create("/cluster/id", json.getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT);
                    return id;
                } catch (KeeperException.NodeExistsException race) {
                    // another broker won: read theirs
                }
            }
        }
    }

    // ---------------------------------------------------------------- meta.properties

    private void checkAndWriteMetaProperties(String clusterId) throws Exception {
        List<String> dirs = config.logDirs();
        Map<String, Properties> existing = new LinkedHashMap<>();
        for (String dir : dirs) {
            File d = new File(dir);
            if (!d.exists()) {
                Log.info("kafka.log.LogManager", "Log directory " + d.getAbsolutePath() + " not found, creating it.");
                if (!d.mkdirs() && !d.isDirectory()) {
                    throw new IOException("Failed to create data directory " + d.getAbsolutePath());
                }
            }
            Properties p = MetaProps.read(dir);
            if (p != null) {
                existing.put(dir, p);
            }
        }
        Integer expectedNode = brokerId >= 0 ? brokerId : null;
        for (Map.Entry<String, Properties> e : existing.entrySet()) {
            String path = MetaProps.file(e.getKey()).toString();
            Properties p = e.getValue();
            if (!"0".equals(MetaProps.version(p))) {
                throw new RuntimeException("Found unexpected version in " + path + ". ZK-based brokers that are not "
                    + "migrating only support version 0 (which is implicit when the `version` field is missing).");
            }
            String stored = p.getProperty("cluster.id");
            if (stored != null && !stored.trim().equals(clusterId)) {
                // Kafka 3.7+ wording (MetaPropertiesEnsemble.verify); earlier 2.4-3.6 brokers said
                // "The Cluster ID X doesn't match stored clusterId Some(Y) in meta.properties. ..."
                Log.error(LOGGER, logIdent + "The Cluster ID " + clusterId + " doesn't match stored clusterId Some("
                    + stored.trim() + ") in meta.properties. The broker is trying to join the wrong cluster. "
                    + "Configured zookeeper.connect may be wrong.");
                throw new RuntimeException("Invalid cluster.id in: " + path + ". Expected " + clusterId
                    + ", but read " + stored.trim());
            }
            Integer node = MetaProps.nodeId(p);
            if (node != null) {
                if (expectedNode == null) {
                    expectedNode = node;
                } else if (!node.equals(expectedNode)) {
                    throw new RuntimeException("Stored node id " + node + " doesn't match previous node id "
                        + expectedNode + " in " + path + ". If you moved your data, make sure your configured node "
                        + "id matches. If you intend to create a new node, you should remove all data in your data "
                        + "directories.");
                }
            }
        }
        if (brokerId < 0) {
            if (expectedNode != null) {
                brokerId = expectedNode;
            } else if (config.bool("broker.id.generation.enable")) {
                Stat stat = zk.setData("/brokers/seqid", new byte[0], -1);
                brokerId = stat.getVersion() + config.integer("reserved.broker.max.id");
            } else {
                throw new StandinException.KafkaException("Failed to generate broker.id due to broker.id.generation.enable is false"
                    + " and broker.id is not set");
            }
        }
        for (String dir : dirs) {
            Properties p = existing.get(dir);
            if (p == null || p.getProperty("cluster.id") == null || p.getProperty("directory.id") == null
                || p.getProperty("broker.id") == null) {
                String dirId = p != null && p.getProperty("directory.id") != null
                    ? p.getProperty("directory.id").trim() : Ids.randomUuid();
                MetaProps.write(dir, MetaProps.v0(brokerId, clusterId, dirId));
            }
        }
    }

    // ---------------------------------------------------------------- registration

    private String registrationJson(long timestamp) throws Exception {
        StringBuilder spm = new StringBuilder();
        StringBuilder eps = new StringBuilder();
        String host = null;
        int port = -1;
        for (Config.EndPoint ep : advertised) {
            String h = ep.host == null || ep.host.isEmpty() ? InetAddress.getLocalHost().getCanonicalHostName() : ep.host;
            if (spm.length() > 0) {
                spm.append(',');
                eps.append(',');
            }
            spm.append(Json.str(ep.listenerName)).append(':').append(Json.str(ep.securityProtocol));
            eps.append(Json.str(ep.connectionString(h)));
            if (host == null && ep.securityProtocol.equals("PLAINTEXT")) {
                host = h;
                port = ep.port;
            }
        }
        String rack = config.string("broker.rack");
        int jmxPort = Integer.parseInt(System.getProperty("com.sun.management.jmxremote.port", "-1"));
        return "{\"features\":{},\"listener_security_protocol_map\":{" + spm + "},\"endpoints\":[" + eps + "],"
            + (rack != null ? "\"rack\":" + Json.str(rack) + "," : "")
            + "\"jmx_port\":" + jmxPort + ",\"port\":" + port + ",\"host\":" + (host == null ? "null" : Json.str(host))
            + ",\"version\":5,\"timestamp\":\"" + timestamp + "\"}";
    }

    private void registerBroker() throws Exception {
        String path = "/brokers/ids/" + brokerId;
        byte[] data = registrationJson(System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8);
        Log.info(ZK_LOGGER, "Creating " + path + " (is it secure? false)");
        Stat stat = new Stat();
        try {
            zk.create(path, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL, stat);
        } catch (KeeperException.NodeExistsException e) {
            Stat existing = new Stat();
            zk.getData(path, false, existing);
            if (existing.getEphemeralOwner() != zk.getSessionId()) {
                Log.error("kafka.zk.KafkaZkClient$CheckedEphemeral", "Error while creating ephemeral at " + path
                    + ", node already exists and owner '" + existing.getEphemeralOwner()
                    + "' does not match current session '" + zk.getSessionId() + "'");
                throw e;
            }
            stat = existing;
        }
        Log.info(ZK_LOGGER, "Stat of the created znode at " + path + " is: " + stat.toString().trim());
        List<String> addrs = new ArrayList<>();
        for (Config.EndPoint ep : advertised) {
            String h = ep.host == null || ep.host.isEmpty() ? InetAddress.getLocalHost().getCanonicalHostName() : ep.host;
            addrs.add(ep.connectionString(h));
        }
        Log.info(ZK_LOGGER, "Registered broker " + brokerId + " at path " + path + " with addresses: "
            + String.join(",", addrs) + ", czxid (broker epoch): " + stat.getCzxid());
    }

    // ---------------------------------------------------------------- controller election

    private final Watcher controllerWatcher = (WatchedEvent event) -> {
        if (event.getType() == Watcher.Event.EventType.None || shuttingDown) {
            return;
        }
        events.submit(this::elect);
    };

    private void elect() {
        if (shuttingDown) {
            return;
        }
        String ident = "[Controller id=" + brokerId + "] ";
        try {
            while (true) {
                Stat ctl = zk.exists("/controller", controllerWatcher);
                if (ctl != null) {
                    try {
                        byte[] d = zk.getData("/controller", false, null);
                        Matcher m = Pattern.compile("\"brokerid\"\\s*:\\s*(-?\\d+)").matcher(new String(d, StandardCharsets.UTF_8));
                        String active = m.find() ? m.group(1) : "?";
                        if (ctl.getEphemeralOwner() != zk.getSessionId()) {
                            Log.info(CTRL_LOGGER, ident + "Broker " + active
                                + " has been elected as the controller, so stopping the election process.");
                        }
                    } catch (KeeperException.NoNodeException gone) {
                        continue;
                    }
                    return;
                }
                Stat epochStat = new Stat();
                int epoch;
                try {
                    epoch = Integer.parseInt(new String(zk.getData("/controller_epoch", false, epochStat),
                        StandardCharsets.UTF_8).trim());
                } catch (KeeperException.NoNodeException e) {
                    try {
                        zk.create("/controller_epoch", "0".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                            CreateMode.PERSISTENT);
                        Log.info(ZK_LOGGER, "Successfully created /controller_epoch with initial epoch 0");
                    } catch (KeeperException.NodeExistsException race) {
                        // someone else did
                    }
                    continue;
                }
                int newEpoch = epoch + 1;
                String json = "{\"version\":2,\"brokerid\":" + brokerId + ",\"timestamp\":\"" + System.currentTimeMillis()
                    + "\",\"kraftControllerEpoch\":-1}";
                Log.info(ZK_LOGGER, "Try to create /controller and increment controller epoch to " + newEpoch
                    + " with expected controller epoch zkVersion " + epochStat.getVersion());
                try {
                    zk.multi(List.of(
                        Op.create("/controller", json.getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                            CreateMode.EPHEMERAL),
                        Op.setData("/controller_epoch", Integer.toString(newEpoch).getBytes(StandardCharsets.UTF_8),
                            epochStat.getVersion())));
                } catch (KeeperException.NodeExistsException | KeeperException.BadVersionException lost) {
                    continue;
                }
                Log.info(CTRL_LOGGER, ident + brokerId + " successfully elected as the controller. Epoch incremented to "
                    + newEpoch + " and epoch zk version is now " + (epochStat.getVersion() + 1));
                Log.info(CTRL_LOGGER, ident + "Registering handlers");
                try {
                    zk.create("/feature", "{\"features\":{},\"version\":2,\"status\":1}".getBytes(StandardCharsets.UTF_8),
                        ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                } catch (KeeperException.NodeExistsException e) {
                    // already there
                }
                zk.exists("/controller", controllerWatcher);
                return;
            }
        } catch (Exception e) {
            if (!shuttingDown) {
                Log.error(CTRL_LOGGER, ident + "Error while electing or becoming controller on broker " + brokerId, e);
            }
        }
    }

    // ---------------------------------------------------------------- shutdown

    @Override
    public void shutdown() {
        synchronized (lifecycle) {
            if (shutDownDone) {
                return;
            }
            shutDownDone = true;
            shuttingDown = true;
            Log.info(LOGGER, logIdent + "shutting down");
            if (socketServer != null) {
                Log.info("kafka.network.SocketServer", "[SocketServer listenerType=ZK_BROKER, nodeId=" + brokerId
                    + "] Stopping socket server request processors");
                socketServer.shutdown();
            }
            events.shutdownNow();
            if (zk != null) {
                Log.info(ZKC_LOGGER, "[ZooKeeperClient Kafka server] Closing.");
                try {
                    zk.close(3000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                Log.info(ZKC_LOGGER, "[ZooKeeperClient Kafka server] Closed.");
            }
            Log.info(LOGGER, logIdent + "shut down completed");
            shutdownLatch.countDown();
        }
    }

    @Override
    public void awaitShutdown() throws InterruptedException {
        shutdownLatch.await();
    }
}
