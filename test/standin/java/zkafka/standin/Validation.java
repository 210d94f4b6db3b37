package zkafka.standin;

import zkafka.standin.StandinException.ConfigException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** The cross-key checks KafkaConfig#validateValues makes that a provisioning tool can trip over. */
public final class Validation {
    private Validation() {}

    public static final class Result {
        public List<Config.EndPoint> listeners;
        public List<Config.EndPoint> advertised;
        public Set<String> controllerNames = new LinkedHashSet<>();
        Config effective;
    }

    private static void require(boolean cond, String msg) {
        if (!cond) {
            throw new IllegalArgumentException("requirement failed: " + msg);
        }
    }

    private static final Pattern VOTER = Pattern.compile("^(\\d+)@\\[?([^\\]]+?)\\]?:(\\d+)$");

    public static Result validate(Config c) {
        Result r = new Result();
        if (c.logDirs().isEmpty()) {
            throw new ConfigException("Invalid value for configuration log.dirs: At least one log directory must be defined via log.dirs or log.dir.");
        }
        if (c.kraft()) {
            validateKraft(c, r);
        } else {
            if (c.string("zookeeper.connect") == null || c.string("zookeeper.connect").trim().isEmpty()) {
                throw new ConfigException("Missing required configuration `zookeeper.connect` which has no default value.");
            }
            int brokerId = c.integer("broker.id");
            int reserved = c.integer("reserved.broker.max.id");
            if (c.raw("node.id") != null && c.raw("broker.id") != null && c.integer("node.id") != brokerId) {
                throw new ConfigException("You must set `node.id` to the same value as `broker.id`.");
            }
            require(brokerId >= -1 && (!c.bool("broker.id.generation.enable") || brokerId <= reserved),
                "broker.id must be greater than or equal to -1 and not greater than reserved.broker.max.id");
            r.listeners = c.parseListeners("listeners", c.string("listeners"));
        }
        checkListeners(c, r.listeners, "listeners");
        String adv = c.string("advertised.listeners");
        if (adv == null) {
            r.advertised = new ArrayList<>();
            for (Config.EndPoint ep : r.listeners) {
                if (!r.controllerNames.contains(ep.listenerName)) {
                    r.advertised.add(ep);
                }
            }
        } else {
            Config eff = r.effective != null ? r.effective : c;
            r.advertised = eff.parseListeners("advertised.listeners", adv);
            for (Config.EndPoint ep : r.advertised) {
                require(!"0.0.0.0".equals(ep.host) && !"::".equals(ep.host),
                    "advertised.listeners cannot use the nonroutable meta-address 0.0.0.0. Use a routable IP address.");
            }
            Set<String> names = new LinkedHashSet<>();
            for (Config.EndPoint ep : r.listeners) {
                names.add(ep.listenerName);
            }
            for (Config.EndPoint ep : r.advertised) {
                require(names.contains(ep.listenerName), "advertised.listeners listener names must be equal to or a "
                    + "subset of the ones defined in listeners. Found " + ep.listenerName
                    + ". The valid options based on currently configured listeners are " + String.join(",", names));
            }
        }
        boolean brokerRole = !c.kraft() || c.list("process.roles").contains("broker");
        if (brokerRole) {
            String ibl = c.string("inter.broker.listener.name");
            if (ibl != null && c.raw("security.inter.broker.protocol") != null) {
                throw new ConfigException("Only one of inter.broker.listener.name and security.inter.broker.protocol should be set.");
            }
            String interName = ibl != null ? ibl.toUpperCase(Locale.ROOT)
                : c.string("security.inter.broker.protocol").toUpperCase(Locale.ROOT);
            Set<String> advNames = new LinkedHashSet<>();
            for (Config.EndPoint ep : r.advertised) {
                advNames.add(ep.listenerName);
            }
            require(advNames.contains(interName), "inter.broker.listener.name must be a listener name defined in "
                + "advertised.listeners. The valid options based on currently configured listeners are "
                + String.join(",", advNames));
        }
        return r;
    }

    private static void checkListeners(Config c, List<Config.EndPoint> eps, String key) {
        Set<String> names = new HashSet<>();
        Set<Integer> ports = new HashSet<>();
        for (Config.EndPoint ep : eps) {
            require(names.add(ep.listenerName), "Each listener must have a different name, " + key + ": "
                + c.string(key));
            require(ep.port == 0 || ports.add(ep.port), "Each listener must have a different port, " + key + ": "
                + c.string(key));
        }
    }

    private static void validateKraft(Config c, Result r) {
        List<String> roles = c.list("process.roles");
        for (String role : roles) {
            if (!role.equals("broker") && !role.equals("controller")) {
                throw new ConfigException("Unknown process role '" + role + "' (only 'broker' and 'controller' are allowed roles)");
            }
        }
        if (new HashSet<>(roles).size() != roles.size()) {
            throw new ConfigException("Duplicate role names found in `process.roles`: " + roles);
        }
        if (c.integer("node.id") < 0) {
            throw new ConfigException("Missing required configuration `node.id` which has no default value.");
        }
        if (c.raw("broker.id") != null && c.integer("broker.id") != c.integer("node.id")) {
            throw new ConfigException("You must set `node.id` to the same value as `broker.id`.");
        }
        String cln = c.string("controller.listener.names");
        if (cln == null || Config.splitList(cln).isEmpty()) {
            throw new ConfigException("Missing required configuration `controller.listener.names` which has no default value.");
        }
        for (String n : Config.splitList(cln)) {
            r.controllerNames.add(n.toUpperCase(Locale.ROOT));
        }
        List<String> voters = c.list("controller.quorum.voters");
        for (String v : voters) {
            if (!VOTER.matcher(v).matches()) {
                throw new ConfigException("Invalid value " + String.join(",", voters)
                    + " for configuration controller.quorum.voters: Unable to parse " + v
                    + ". The format should be `{id}@{host}:{port}`");
            }
        }
        if (voters.isEmpty() && c.list("controller.quorum.bootstrap.servers").isEmpty()) {
            throw new ConfigException("If using process.roles, either controller.quorum.bootstrap.servers must contain "
                + "the set of bootstrap controllers or controller.quorum.voters must contain a parseable set of controllers.");
        }
        // KRaft maps controller listener names to PLAINTEXT when the map is not set explicitly.
        Config effective = c;
        if (c.raw("listener.security.protocol.map") == null) {
            java.util.Properties p = new java.util.Properties();
            for (String k : c.rawKeys()) {
                p.setProperty(k, c.raw(k));
            }
            StringBuilder map = new StringBuilder(c.string("listener.security.protocol.map"));
            for (String n : r.controllerNames) {
                map.append(',').append(n).append(":PLAINTEXT");
            }
            p.setProperty("listener.security.protocol.map", map.toString());
            effective = new Config(p);
        }
        r.listeners = effective.parseListeners("listeners", c.string("listeners"));
        Set<String> listenerNames = new LinkedHashSet<>();
        for (Config.EndPoint ep : r.listeners) {
            listenerNames.add(ep.listenerName);
        }
        boolean anyController = false;
        for (String n : r.controllerNames) {
            anyController |= listenerNames.contains(n);
        }
        if (roles.contains("controller")) {
            require(anyController, "controller.listener.names must contain at least one value appearing in the "
                + "'listeners' configuration when running the KRaft controller role");
            if (!roles.contains("broker")) {
                for (String n : listenerNames) {
                    require(r.controllerNames.contains(n), "The listeners config must only contain KRaft controller "
                        + "listeners from controller.listener.names when process.roles=controller");
                }
            }
        } else {
            require(!anyController, "controller.listener.names must not contain a value appearing in the 'listeners' "
                + "configuration when running KRaft with just the broker role");
        }
        r.effective = effective;
    }
}
