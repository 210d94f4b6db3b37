package zkafka.standin;

import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Test helper: prints one JSON line per znode path given
 * ({"path":..,"exists":..,"data":..,"ephemeralOwner":..,"children":[..]}).
 * Usage: kafka-run-class.sh zkafka.standin.ZkDump CONNECT PATH...
 */
public final class ZkDump {
    private ZkDump() {}

    public static void main(String[] args) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(args[0], 10000, e -> {
            if (e.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        if (!connected.await(15, TimeUnit.SECONDS)) {
            System.err.println("could not connect to " + args[0]);
            System.exit(2);
        }
        try {
            for (int i = 1; i < args.length; i++) {
                String path = args[i];
                StringBuilder sb = new StringBuilder("{\"path\":").append(Json.str(path));
                try {
                    Stat stat = new Stat();
                    byte[] data = zk.getData(path, false, stat);
                    List<String> children = zk.getChildren(path, false);
                    Collections.sort(children);
                    sb.append(",\"exists\":true,\"data\":")
                        .append(data == null ? "null" : Json.str(new String(data, StandardCharsets.UTF_8)))
                        .append(",\"ephemeralOwner\":").append(Json.str(Long.toHexString(stat.getEphemeralOwner())))
                        .append(",\"children\":[");
                    for (int j = 0; j < children.size(); j++) {
                        sb.append(j == 0 ? "" : ",").append(Json.str(children.get(j)));
                    }
                    sb.append("]}");
                } catch (KeeperException.NoNodeException e) {
                    sb.append(",\"exists\":false}");
                }
                System.out.println(sb);
            }
        } finally {
            zk.close();
        }
    }
}
