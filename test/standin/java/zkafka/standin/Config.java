package zkafka.standin;

import zkafka.standin.StandinException.ConfigException;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Broker configuration: the subset of Kafka 3.9's server configuration a provisioning tool
 * touches, with Kafka's defaults, type checks and the error wording Kafka uses.
 * Unknown keys are accepted (Kafka only warns about them).
 */
public final class Config {
    enum Type { INT, SHORT, LONG, BOOLEAN, STRING, LIST, PASSWORD }

    static final class Def {
        final String name;
        final Type type;
        final String dflt;
        final Long atLeast;

        Def(String name, Type type, String dflt, Long atLeast) {
            this.name = name;
            this.type = type;
            this.dflt = dflt;
            this.atLeast = atLeast;
        }
    }

    static final Map<String, Def> DEFS = new LinkedHashMap<>();

    private static void def(String name, Type type, String dflt) {
        DEFS.put(name, new Def(name, type, dflt, null));
    }

    private static void def(String name, Type type, String dflt, long atLeast) {
        DEFS.put(name, new Def(name, type, dflt, atLeast));
    }

    static {
        def("zookeeper.connect", Type.STRING, null);
        def("zookeeper.session.timeout.ms", Type.INT, "18000");
        def("zookeeper.connection.timeout.ms", Type.INT, null);
        def("zookeeper.max.in.flight.requests", Type.INT, "10", 1);
        def("zookeeper.set.acl", Type.BOOLEAN, "false");
        def("zookeeper.metadata.migration.enable", Type.BOOLEAN, "false");
        def("broker.id", Type.INT, "-1");
        def("node.id", Type.INT, "-1");
        def("broker.id.generation.enable", Type.BOOLEAN, "true");
        def("reserved.broker.max.id", Type.INT, "1000", 0);
        def("broker.rack", Type.STRING, null);
        def("process.roles", Type.LIST, "");
        def("controller.quorum.voters", Type.LIST, "");
        def("controller.quorum.bootstrap.servers", Type.LIST, "");
        def("controller.listener.names", Type.STRING, null);
        def("listeners", Type.STRING, "PLAINTEXT://:9092");
        def("advertised.listeners", Type.STRING, null);
        def("listener.security.protocol.map", Type.STRING,
            "SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT");
        def("inter.broker.listener.name", Type.STRING, null);
        def("security.inter.broker.protocol", Type.STRING, "PLAINTEXT");
        def("log.dir", Type.STRING, "/tmp/kafka-logs");
        def("log.dirs", Type.STRING, null);
        def("metadata.log.dir", Type.STRING, null);
        def("num.network.threads", Type.INT, "3", 1);
        def("num.io.threads", Type.INT, "8", 1);
        def("background.threads", Type.INT, "10", 1);
        def("socket.send.buffer.bytes", Type.INT, "102400");
        def("socket.receive.buffer.bytes", Type.INT, "102400");
        def("socket.request.max.bytes", Type.INT, "104857600", 1);
        def("socket.listen.backlog.size", Type.INT, "50", 1);
        def("num.partitions", Type.INT, "1", 1);
        def("default.replication.factor", Type.INT, "1");
        def("min.insync.replicas", Type.INT, "1", 1);
        def("num.recovery.threads.per.data.dir", Type.INT, "1", 1);
        def("offsets.topic.replication.factor", Type.SHORT, "3", 1);
        def("offsets.topic.num.partitions", Type.INT, "50", 1);
        def("transaction.state.log.replication.factor", Type.SHORT, "3", 1);
        def("transaction.state.log.min.isr", Type.INT, "2", 1);
        def("log.flush.interval.messages", Type.LONG, "9223372036854775807", 1);
        def("log.flush.interval.ms", Type.LONG, null);
        def("log.retention.hours", Type.INT, "168");
        def("log.retention.minutes", Type.INT, null);
        def("log.retention.ms", Type.LONG, null);
        def("log.retention.bytes", Type.LONG, "-1");
        def("log.segment.bytes", Type.INT, "1073741824", 14);
        def("log.retention.check.interval.ms", Type.LONG, "300000", 1);
        def("log.cleaner.enable", Type.BOOLEAN, "true");
        def("message.max.bytes", Type.INT, "1048588", 0);
        def("group.initial.rebalance.delay.ms", Type.INT, "3000");
        def("auto.create.topics.enable", Type.BOOLEAN, "true");
        def("delete.topic.enable", Type.BOOLEAN, "true");
        def("auto.leader.rebalance.enable", Type.BOOLEAN, "true");
        def("unclean.leader.election.enable", Type.BOOLEAN, "false");
        def("controlled.shutdown.enable", Type.BOOLEAN, "true");
        def("inter.broker.protocol.version", Type.STRING, "3.9-IV0");
        def("connections.max.idle.ms", Type.LONG, "600000");
    }

    private final Properties props;
    private final Map<String, Object> values = new TreeMap<>();

    public Config(Properties props) {
        this.props = props;
        for (Def d : DEFS.values()) {
            String raw = props.getProperty(d.name);
            values.put(d.name, parse(d, raw == null ? d.dflt : raw));
        }
    }

    /** Kafka's Utils.loadProps + overrides, as kafka.Kafka#getPropsFromArgs does. */
    public static Properties load(String file, List<String> overrides) throws IOException {
        Properties p = new Properties();
        try (InputStream in = new FileInputStream(file)) {
            p.load(in);
        }
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("Invalid command line properties: " + o);
            }
            p.setProperty(o.substring(0, eq).trim(), o.substring(eq + 1).trim());
        }
        return p;
    }

    private static Object parse(Def d, String raw) {
        if (raw == null) {
            return null;
        }
        String v = d.type == Type.STRING || d.type == Type.PASSWORD ? raw : raw.trim();
        Object out;
        try {
            switch (d.type) {
                case INT:
                    out = Integer.parseInt(v);
                    break;
                case SHORT:
                    out = Short.parseShort(v);
                    break;
                case LONG:
                    out = Long.parseLong(v);
                    break;
                case BOOLEAN:
                    if (v.equalsIgnoreCase("true")) {
                        out = Boolean.TRUE;
                    } else if (v.equalsIgnoreCase("false")) {
                        out = Boolean.FALSE;
                    } else {
                        throw new ConfigException("Invalid value " + raw + " for configuration " + d.name
                            + ": Expected value to be either true or false");
                    }
                    break;
                case LIST:
                    out = v.isEmpty() ? new ArrayList<String>() : splitList(v);
                    break;
                default:
                    out = v;
            }
        } catch (NumberFormatException e) {
            throw new ConfigException("Invalid value " + raw + " for configuration " + d.name
                + ": Not a number of type " + d.type.name());
        }
        if (d.atLeast != null && out instanceof Number && ((Number) out).longValue() < d.atLeast) {
            throw new ConfigException("Invalid value " + raw + " for configuration " + d.name
                + ": Value must be at least " + d.atLeast);
        }
        return out;
    }

    static List<String> splitList(String v) {
        List<String> out = new ArrayList<>();
        for (String s : v.split("\\s*,\\s*", -1)) {
            if (!s.trim().isEmpty()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    public String string(String key) {
        return (String) values.get(key);
    }

    public int integer(String key) {
        return (Integer) values.get(key);
    }

    public boolean bool(String key) {
        return (Boolean) values.get(key);
    }

    @SuppressWarnings("unchecked")
    public List<String> list(String key) {
        return (List<String>) values.get(key);
    }

    public java.util.Set<String> rawKeys() {
        return props.stringPropertyNames();
    }

    public String raw(String key) {
        return props.getProperty(key);
    }

    public boolean kraft() {
        return !list("process.roles").isEmpty();
    }

    public List<String> logDirs() {
        String dirs = string("log.dirs");
        if (dirs == null) {
            dirs = string("log.dir");
        }
        return splitList(dirs);
    }

    public int zkSessionTimeoutMs() {
        return integer("zookeeper.session.timeout.ms");
    }

    public int zkConnectionTimeoutMs() {
        Object v = values.get("zookeeper.connection.timeout.ms");
        return v == null ? zkSessionTimeoutMs() : (Integer) v;
    }

    /** Kafka prints "KafkaConfig values:" with every known key at startup. */
    public String dump() {
        TreeMap<String, String> all = new TreeMap<>();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            Object v = e.getValue();
            all.put(e.getKey(), v instanceof List ? "[" + String.join(", ", castList(v)) + "]" : String.valueOf(v));
        }
        for (String k : props.stringPropertyNames()) {
            all.putIfAbsent(k, props.getProperty(k));
        }
        StringBuilder sb = new StringBuilder("KafkaConfig values: \n");
        for (Map.Entry<String, String> e : all.entrySet()) {
            String v = e.getKey().toLowerCase(Locale.ROOT).contains("password") ? "[hidden]" : e.getValue();
            sb.append('\t').append(e.getKey()).append(" = ").append(v).append('\n');
        }
        return sb.toString();
    }

    @SuppressWarnings("unchecked")
    private static List<String> castList(Object o) {
        return (List<String>) o;
    }

    // ---------------------------------------------------------------- listeners

    public static final class EndPoint {
        public final String listenerName;
        public final String host; // "" = all interfaces
        public final int port;
        public final String securityProtocol;

        EndPoint(String listenerName, String host, int port, String securityProtocol) {
            this.listenerName = listenerName;
            this.host = host;
            this.port = port;
            this.securityProtocol = securityProtocol;
        }

        public String connectionString(String hostOverride) {
            String h = hostOverride != null ? hostOverride : host;
            if (h != null && h.contains(":")) {
                h = "[" + h + "]";
            }
            return listenerName + "://" + (h == null ? "" : h) + ":" + port;
        }

        @Override
        public String toString() {
            return "EndPoint(" + host + "," + port + ",ListenerName(" + listenerName + ")," + securityProtocol + ")";
        }
    }

    private static final Pattern URI_PARSE = Pattern.compile("^(.*)://\\[?([0-9a-zA-Z\\-%._:]*?)\\]?:(-?[0-9]+)");
    private static final List<String> PROTOCOLS = Arrays.asList("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");

    public Map<String, String> securityProtocolMap() {
        Map<String, String> m = new LinkedHashMap<>();
        String raw = string("listener.security.protocol.map");
        for (String entry : splitList(raw)) {
            int colon = entry.indexOf(':');
            if (colon <= 0) {
                throw new ConfigException("Invalid value " + raw + " for configuration listener.security.protocol.map: "
                    + "Map entry '" + entry + "' is improperly formatted. It should be of the form key:value");
            }
            String name = entry.substring(0, colon).trim().toUpperCase(Locale.ROOT);
            String proto = entry.substring(colon + 1).trim().toUpperCase(Locale.ROOT);
            if (!PROTOCOLS.contains(proto)) {
                throw new ConfigException("Invalid value " + raw + " for configuration listener.security.protocol.map: "
                    + "No enum constant org.apache.kafka.common.security.auth.SecurityProtocol." + proto);
            }
            m.put(name, proto);
        }
        return m;
    }

    public List<EndPoint> parseListeners(String key, String value) {
        List<EndPoint> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        Map<String, String> spm = securityProtocolMap();
        for (String l : splitList(value)) {
            Matcher m = URI_PARSE.matcher(l);
            if (!m.matches()) {
                throw new ConfigException("Error creating broker listeners from '" + value + "': Unable to parse "
                    + l + " to a broker endpoint");
            }
            String name = m.group(1).toUpperCase(Locale.ROOT);
            String host = m.group(2);
            int port;
            try {
                port = Integer.parseInt(m.group(3));
            } catch (NumberFormatException e) {
                throw new ConfigException("Error creating broker listeners from '" + value + "': Unable to parse "
                    + l + " to a broker endpoint");
            }
            if (port < 0 || port > 65535) {
                throw new ConfigException("Error creating broker listeners from '" + value + "': Unable to parse "
                    + l + " to a broker endpoint");
            }
            String proto = spm.get(name);
            if (proto == null) {
                throw new ConfigException("Error creating broker listeners from '" + value
                    + "': No security protocol defined for listener " + name);
            }
            out.add(new EndPoint(name, host, port, proto));
        }
        return out;
    }
}
