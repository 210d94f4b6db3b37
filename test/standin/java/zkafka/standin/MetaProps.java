package zkafka.standin;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.text.SimpleDateFormat;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** meta.properties in a log directory (v0: ZooKeeper mode, v1: KRaft). */
public final class MetaProps {
    public static final String FILE = "meta.properties";

    private MetaProps() {}

    public static File file(String logDir) {
        return new File(logDir, FILE);
    }

    /** null when absent. */
    public static Properties read(String logDir) throws IOException {
        File f = file(logDir);
        if (!f.exists()) {
            return null;
        }
        Properties p = new Properties();
        try (InputStream in = new FileInputStream(f)) {
            p.load(in);
        }
        return p;
    }

    /** Writes key=value lines in the given order, via a temp file + rename like Kafka's checkpoint. */
    public static void write(String logDir, Map<String, String> entries) throws IOException {
        File dir = new File(logDir);
        Files.createDirectories(dir.toPath());
        File tmp = new File(dir, FILE + ".tmp");
        try (FileOutputStream fos = new FileOutputStream(tmp);
             Writer w = new OutputStreamWriter(fos, StandardCharsets.ISO_8859_1)) {
            w.write("#\n#" + new SimpleDateFormat("EEE MMM dd HH:mm:ss zzz yyyy").format(new Date()) + "\n");
            for (Map.Entry<String, String> e : entries.entrySet()) {
                w.write(e.getKey() + "=" + e.getValue() + "\n");
            }
            w.flush();
            fos.getFD().sync();
        }
        Files.move(tmp.toPath(), file(logDir).toPath(), StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
    }

    public static Map<String, String> v0(int brokerId, String clusterId, String directoryId) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("broker.id", Integer.toString(brokerId));
        m.put("directory.id", directoryId);
        m.put("version", "0");
        m.put("cluster.id", clusterId);
        return m;
    }

    public static Map<String, String> v1(int nodeId, String clusterId, String directoryId) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("node.id", Integer.toString(nodeId));
        m.put("directory.id", directoryId);
        m.put("version", "1");
        m.put("cluster.id", clusterId);
        return m;
    }

    public static String version(Properties p) {
        return p.getProperty("version", "0").trim();
    }

    /** broker.id for v0, node.id for v1; null when absent. */
    public static Integer nodeId(Properties p) {
        String v = "1".equals(version(p)) ? p.getProperty("node.id") : p.getProperty("broker.id");
        return v == null ? null : Integer.valueOf(v.trim());
    }
}
