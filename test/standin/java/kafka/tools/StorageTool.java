package kafka.tools;

import zkafka.standin.Banner;
import zkafka.standin.Config;
import zkafka.standin.Ids;
import zkafka.standin.MetaProps;
import zkafka.standin.Validation;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/** kafka-storage.sh of the zkafka test stand-in (random-uuid, format, info, version). Not Apache Kafka. */
public final class StorageTool {
    private StorageTool() {}

    private static void fail(String msg) {
        System.err.println(msg);
        System.exit(1);
    }

    private static void usage() {
        System.err.println("usage: kafka-storage [-h] {info,format,version,random-uuid} ...");
        System.err.println();
        System.err.println("The Kafka storage tool (" + Banner.TEXT + ").");
        System.exit(1);
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
        }
        String cmd = args[0];
        String configFile = null;
        String clusterId = null;
        boolean ignoreFormatted = false;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-c": case "--config":
                    configFile = i + 1 < args.length ? args[++i] : null;
                    break;
                case "-t": case "--cluster-id":
                    clusterId = i + 1 < args.length ? args[++i] : null;
                    break;
                case "-g": case "--ignore-formatted":
                    ignoreFormatted = true;
                    break;
                case "-r": case "--release-version": case "-S": case "--add-scram": case "-I":
                case "--initial-controllers": case "--feature": case "-f":
                    i++; // accepted and ignored by the stand-in
                    break;
                case "-s": case "--standalone": case "-N": case "--no-initial-controllers":
                    break;
                case "-h": case "--help":
                    usage();
                    break;
                default:
                    fail("kafka-storage: error: unrecognized arguments: '" + a + "'");
            }
        }
        switch (cmd) {
            case "random-uuid":
                System.out.println(Ids.randomUuid());
                return;
            case "version":
                System.out.println("metadata.version: 3.9-IV0 (" + Banner.TEXT + ")");
                return;
            case "format":
                if (configFile == null) {
                    fail("kafka-storage: error: argument --config/-c is required");
                }
                if (clusterId == null) {
                    fail("kafka-storage: error: argument --cluster-id/-t is required");
                }
                format(configFile, clusterId, ignoreFormatted);
                return;
            case "info":
                if (configFile == null) {
                    fail("kafka-storage: error: argument --config/-c is required");
                }
                info(configFile);
                return;
            default:
                fail("kafka-storage: error: argument command: invalid choice: '" + cmd
                    + "' (choose from 'info', 'format', 'version', 'random-uuid')");
        }
    }

    private static Config load(String file) throws Exception {
        Config c;
        try {
            c = new Config(Config.load(file, new ArrayList<>()));
        } catch (java.io.IOException e) {
            fail("Failed to read config file " + file + ": " + e.getMessage());
            return null;
        }
        return c;
    }

    private static Set<String> dirs(Config c) {
        Set<String> dirs = new LinkedHashSet<>(c.logDirs());
        String md = c.string("metadata.log.dir");
        dirs.add(md != null ? md : c.logDirs().get(0));
        return dirs;
    }

    private static void format(String file, String clusterId, boolean ignoreFormatted) throws Exception {
        Config c;
        try {
            c = load(file);
            if (!c.kraft()) {
                fail("The kafka configuration file appears to be for a legacy cluster. Formatting is only supported for clusters in KRaft mode.");
            }
            Validation.validate(c);
        } catch (RuntimeException e) {
            fail(e.getMessage());
            return;
        }
        String bad = Ids.validate(clusterId);
        if (bad != null) {
            fail("Cluster ID string " + clusterId + " does not appear to be a valid UUID: " + bad);
        }
        String metadataDir = c.string("metadata.log.dir") != null ? c.string("metadata.log.dir") : c.logDirs().get(0);
        List<String> toFormat = new ArrayList<>();
        for (String dir : dirs(c)) {
            if (MetaProps.file(dir).exists()) {
                if (!ignoreFormatted) {
                    fail("Log directory " + dir + " is already formatted. Use --ignore-formatted to ignore this "
                        + "directory and format the others.");
                }
            } else {
                toFormat.add(dir);
            }
        }
        if (toFormat.isEmpty()) {
            System.out.println("All of the log directories are already formatted.");
            return;
        }
        int nodeId = c.integer("node.id");
        for (String dir : toFormat) {
            MetaProps.write(dir, MetaProps.v1(nodeId, clusterId, Ids.randomUuid()));
            if (dir.equals(metadataDir)) {
                new File(dir, "__cluster_metadata-0").mkdirs();
                System.out.println("Formatting metadata directory " + dir + " with metadata.version 3.9-IV0.");
            } else {
                System.out.println("Formatting data directory " + dir + " with metadata.version 3.9-IV0.");
            }
        }
    }

    private static void info(String file) throws Exception {
        Config c = load(file);
        List<String> found = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Properties meta = null;
        for (String dir : dirs(c)) {
            if (!new File(dir).isDirectory()) {
                problems.add(dir + " does not exist");
                continue;
            }
            Properties p = MetaProps.read(dir);
            if (p == null) {
                problems.add(dir + " is not formatted.");
                continue;
            }
            found.add(dir);
            if (meta == null) {
                meta = p;
            }
        }
        if (!found.isEmpty()) {
            System.out.println("Found log director" + (found.size() == 1 ? "y" : "ies") + ":");
            for (String d : found) {
                System.out.println("  " + d);
            }
            System.out.println();
        }
        if (meta != null) {
            TreeMap<String, String> m = new TreeMap<>();
            for (String k : meta.stringPropertyNames()) {
                m.put(k, meta.getProperty(k));
            }
            System.out.println("Found metadata: " + m);
            System.out.println();
        }
        if (!problems.isEmpty()) {
            System.out.println("Found problem" + (problems.size() == 1 ? "" : "s") + ":");
            for (String p : problems) {
                System.out.println("  " + p);
            }
            System.out.println();
            System.exit(1);
        }
    }
}
