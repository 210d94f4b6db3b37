package zkafka.standin;

import zkafka.standin.StandinException.KafkaException;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Binds every listener like Kafka's acceptors do. Accepted connections are read and discarded
 * until the peer closes: the stand-in speaks no Kafka protocol.
 */
public final class SocketServer {
    private final String logIdent;
    private final List<ServerSocketChannel> channels = new ArrayList<>();
    private volatile boolean running = true;

    public SocketServer(String logIdent) {
        this.logIdent = logIdent;
    }

    public void bind(Config.EndPoint ep, int backlog) {
        InetSocketAddress addr = ep.host == null || ep.host.isEmpty()
            ? new InetSocketAddress(ep.port) : new InetSocketAddress(ep.host, ep.port);
        ServerSocketChannel ch;
        try {
            ch = ServerSocketChannel.open();
            ch.bind(addr, backlog);
        } catch (IOException | RuntimeException e) {
            throw new KafkaException("Socket server failed to bind to " + addr.getHostString() + ":" + ep.port
                + ": " + e.getMessage() + ".", e);
        }
        channels.add(ch);
        Log.info("kafka.network.DataPlaneAcceptor", "Awaiting socket connections on "
            + addr.getHostString() + ":" + ep.port + ".");
        Log.info("kafka.network.SocketServer", logIdent + "Created data-plane acceptor and processors for endpoint : ListenerName("
            + ep.listenerName + ")");
        Thread t = new Thread(() -> acceptLoop(ch), "data-plane-kafka-socket-acceptor-ListenerName(" + ep.listenerName
            + ")-" + ep.securityProtocol + "-" + ep.port);
        t.setDaemon(true);
        t.start();
    }

    private void acceptLoop(ServerSocketChannel ch) {
        while (running) {
            try {
                Socket s = ch.accept().socket();
                Thread r = new Thread(() -> drain(s), "standin-connection");
                r.setDaemon(true);
                r.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void drain(Socket s) {
        try (Socket sock = s; InputStream in = sock.getInputStream()) {
            sock.setSoTimeout(600_000);
            byte[] buf = new byte[4096];
            while (in.read(buf) >= 0) {
                // discard: no Kafka protocol here
            }
        } catch (IOException e) {
            // peer went away
        }
    }

    public void shutdown() {
        running = false;
        for (ServerSocketChannel ch : channels) {
            try {
                ch.close();
            } catch (IOException e) {
                // ignore
            }
        }
        channels.clear();
    }
}
