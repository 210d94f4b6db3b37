package zkafka.standin;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.text.SimpleDateFormat;
import java.util.Date;

/**
 * Minimal logger for the zkafka test stand-in. Lines use the same shape as Kafka's default
 * log4j pattern "[%d] %p %m (%c)%n" so that tools which grep broker logs keep working.
 *
 * Server lines go to stdout and $kafka.logs.dir/server.log; lines of loggers under
 * kafka.controller go to controller.log only (as in Kafka's stock log4j.properties).
 * Tools (kafka-storage.sh) log WARN and above to stderr only.
 */
public final class Log {
    public enum Level { TRACE, DEBUG, INFO, WARN, ERROR }

    private static final Object LOCK = new Object();
    private static OutputStream serverLog;
    private static OutputStream controllerLog;
    private static boolean toolMode = true;

    private Log() {}

    /** Switch to broker mode: INFO to stdout + server.log. */
    public static void initServer() {
        synchronized (LOCK) {
            toolMode = false;
            String dir = System.getProperty("kafka.logs.dir");
            if (dir == null || dir.isEmpty()) {
                return;
            }
            File d = new File(dir);
            d.mkdirs();
            serverLog = open(new File(d, "server.log"));
            controllerLog = open(new File(d, "controller.log"));
            open(new File(d, "state-change.log"));
        }
    }

    private static OutputStream open(File f) {
        try {
            return new FileOutputStream(f, true);
        } catch (IOException e) {
            System.err.println("zkafka test stand-in: cannot open " + f + ": " + e.getMessage());
            return null;
        }
    }

    public static boolean enabled(Level level) {
        return level.ordinal() >= (toolMode ? Level.WARN : Level.INFO).ordinal();
    }

    public static void info(String logger, String msg) { log(Level.INFO, logger, msg, null); }
    public static void warn(String logger, String msg) { log(Level.WARN, logger, msg, null); }
    public static void error(String logger, String msg) { log(Level.ERROR, logger, msg, null); }
    public static void error(String logger, String msg, Throwable t) { log(Level.ERROR, logger, msg, t); }

    public static void log(Level level, String logger, String msg, Throwable t) {
        if (!enabled(level)) {
            return;
        }
        String ts = new SimpleDateFormat("yyyy-MM-dd HH:mm:ss,SSS").format(new Date());
        StringBuilder sb = new StringBuilder();
        sb.append('[').append(ts).append("] ").append(level.name()).append(' ')
          .append(msg).append(" (").append(logger).append(")\n");
        if (t != null) {
            StringWriter sw = new StringWriter();
            t.printStackTrace(new PrintWriter(sw));
            sb.append(sw);
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        synchronized (LOCK) {
            if (toolMode) {
                System.err.print(sb);
                System.err.flush();
                return;
            }
            boolean controller = logger.startsWith("kafka.controller");
            try {
                if (controller) {
                    if (controllerLog != null) {
                        controllerLog.write(bytes);
                        controllerLog.flush();
                    }
                } else {
                    System.out.print(sb);
                    System.out.flush();
                    if (serverLog != null) {
                        serverLog.write(bytes);
                        serverLog.flush();
                    }
                }
            } catch (IOException e) {
                // nothing sensible to do
            }
        }
    }
}
