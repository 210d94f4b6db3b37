package kafka;

import zkafka.standin.Banner;
import zkafka.standin.Config;
import zkafka.standin.Log;
import zkafka.standin.RaftServer;
import zkafka.standin.Server;
import zkafka.standin.Validation;
import zkafka.standin.ZkBroker;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * Entry point of the zkafka test stand-in. The class is named kafka.Kafka only so that process
 * lookups written for Kafka (ps ax | grep -i 'kafka\.Kafka') find it; it is not Apache Kafka.
 */
public final class Kafka {
    private static final String LOGGER = "kafka.Kafka$";

    private Kafka() {}

    private static void usage() {
        System.err.println("USAGE: java [options] kafka.Kafka server.properties [--override property=value]*");
        System.err.println("(" + Banner.TEXT + ")");
        System.err.println("Option               Description");
        System.err.println("------               -----------");
        System.err.println("--override <String>  Optional property that should override values set in");
        System.err.println("                       server.properties file");
        System.err.println("--version            Print version information and exit.");
        System.exit(1);
    }

    public static void main(String[] args) {
        if (args.length == 0 || Arrays.asList(args).contains("--help")) {
            usage();
        }
        if (Arrays.asList(args).contains("--version")) {
            System.out.println(Banner.IMITATED_VERSION + " (" + Banner.TEXT + ")");
            System.exit(0);
        }
        Log.initServer();
        Log.info("zkafka.standin.Banner", Banner.TEXT);

        Server server;
        try {
            List<String> overrides = new ArrayList<>();
            for (int i = 1; i < args.length; i++) {
                if (args[i].equals("--override") && i + 1 < args.length) {
                    overrides.add(args[++i]);
                } else if (args[i].startsWith("--override=")) {
                    overrides.add(args[i].substring("--override=".length()));
                } else {
                    System.err.println("Found non argument parameters: " + String.join(",",
                        Arrays.asList(args).subList(i, args.length)));
                    usage();
                }
            }
            Properties props = Config.load(args[0], overrides);
            Config config = new Config(props);
            Validation.Result v = Validation.validate(config);
            Log.info("kafka.server.KafkaConfig", config.dump());
            if (config.kraft()) {
                server = new RaftServer(config, v.listeners, v.controllerNames);
            } else {
                server = new ZkBroker(config, v.listeners, v.advertised);
            }
        } catch (Throwable e) {
            Log.error(LOGGER, "Exiting Kafka due to fatal exception", e);
            System.exit(1);
            return;
        }

        final Server s = server;
        Thread hook = new Thread(() -> {
            try {
                s.shutdown();
            } catch (Throwable t) {
                Log.error(LOGGER, "Error while shutting down the stand-in", t);
            }
        }, "kafka-shutdown-hook");
        Runtime.getRuntime().addShutdownHook(hook);

        try {
            server.startup();
        } catch (Throwable e) {
            Log.error(LOGGER, "Exiting Kafka due to fatal exception during startup.", e);
            System.exit(1);
        }
        try {
            server.awaitShutdown();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.exit(0);
    }
}
