// A ZooKeeper client that holds one session open while the ensemble is rolled, with the real client
// library from the ZooKeeper distribution. It owns an ephemeral node: if the session expired, the node
// would be gone. Prints EVENT lines as the connection changes, and FINAL when its stdin closes.
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

public class HoldSession {
  public static void main(String[] args) throws Exception {
    String connect = args[0];
    String node = args[1];
    CountDownLatch connected = new CountDownLatch(1);
    ZooKeeper zk = new ZooKeeper(connect, 20000, (WatchedEvent e) -> {
      System.out.println("EVENT " + e.getState());
      System.out.flush();
      if (e.getState() == org.apache.zookeeper.Watcher.Event.KeeperState.SyncConnected) connected.countDown();
    });
    if (!connected.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("no connection");
    // The node's data: empty unless given (e.g. a broker registration another session holds).
    byte[] data = args.length > 2 ? args[2].getBytes(java.nio.charset.StandardCharsets.UTF_8) : new byte[0];
    zk.create(node, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
    long session = zk.getSessionId();
    System.out.println("SESSION " + Long.toHexString(session));
    System.out.flush();
    while (System.in.read() != -1) { }
    boolean exists = false;
    for (int i = 0; i < 100; i++) {
      try {
        exists = zk.exists(node, false) != null;
        break;
      } catch (KeeperException.ConnectionLossException retry) {
        Thread.sleep(200);
      }
    }
    System.out.println("FINAL " + Long.toHexString(zk.getSessionId()) + " " + exists);
    System.out.flush();
    zk.close();
  }
}
