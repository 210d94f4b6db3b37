// Stage 4 of validation: rules that span fields and hosts. Each finding names the YAML path an operator
// should edit: the host's own override when there is one, else the cluster-wide setting.
import type { RawInventory } from './schema.js';
import { isMigration, type Inventory } from './model.js';
import type { YamlPath } from './locate.js';
import { advertisedEndpoint, canonicalAddress } from './address.js';
import { quote } from './text.js';

export interface Finding {
  path: YamlPath;
  message: string;
  severity: 'error' | 'warning';
  /** Point at the key rather than its value (e.g. a setting that must not be there at all). */
  atKey?: boolean;
}

type Service = 'zookeeper' | 'kafka';

/** Where a host's effective value for `field` was written (host override, cluster-wide, or the host's block). */
function origin(raw: RawInventory, i: number, service: Service, field: string[]): YamlPath {
  const has = (obj: unknown, f: string[]) => {
    let cur = obj as Record<string, unknown> | undefined;
    for (const part of f) cur = cur?.[part] as Record<string, unknown> | undefined;
    return cur !== undefined;
  };
  if (has(raw.hosts[i]?.[service], field)) return ['hosts', i, service, ...field];
  if (has(raw[service], field)) return [service, ...field];
  return ['hosts', i, service];
}

/** zoo.cfg keys zkafka writes itself; setting them under `settings` would be ambiguous. */
const ZOOKEEPER_MANAGED: Record<string, string> = {
  dataDir: 'zookeeper.dataDir',
  dataLogDir: 'zookeeper.dataLogDir',
  clientPort: 'zookeeper.clientPort',
  tickTime: 'zookeeper.tickTime',
  initLimit: 'zookeeper.initLimit',
  syncLimit: 'zookeeper.syncLimit',
  maxClientCnxns: 'zookeeper.maxClientCnxns',
  'autopurge.snapRetainCount': 'zookeeper.autopurge.snapRetainCount',
  'autopurge.purgeInterval': 'zookeeper.autopurge.purgeInterval',
  'metricsProvider.className': 'zookeeper.metrics.enabled',
  'metricsProvider.httpHost': 'zookeeper.metrics.host',
  'metricsProvider.httpPort': 'zookeeper.metrics.port',
  'metricsProvider.exportJvmInfo': 'zookeeper.metrics.exportJvmInfo',
  'admin.enableServer': 'zookeeper.adminServer.enabled',
  'admin.serverPort': 'zookeeper.adminServer.port',
};

const KAFKA_MANAGED: Record<string, string> = {
  'broker.id': 'hosts[].kafka.id',
  listeners: 'kafka.port (the listener address is the host address)',
  'log.dirs': 'kafka.logDirs',
  'log.dir': 'kafka.logDirs',
  'zookeeper.connect': 'the hosts with a zookeeper block (and kafka.chroot)',
  'process.roles': 'kafka.mode: kraft and hosts[].kafka.roles (this inventory is in ZooKeeper mode)',
  'node.id': 'hosts[].kafka.id',
};

/** What zkafka writes itself in KRaft mode, on top of KAFKA_MANAGED. */
const KRAFT_MANAGED: Record<string, string> = {
  'process.roles': 'hosts[].kafka.roles',
  'node.id': 'hosts[].kafka.id',
  'broker.id': 'hosts[].kafka.id (node.id in KRaft)',
  'controller.quorum.voters': 'the hosts with the controller role (and kafka.controllerPort)',
  'controller.quorum.bootstrap.servers': 'the hosts with the controller role (and kafka.controllerPort)',
  'controller.listener.names': 'nothing: zkafka names the controller listener CONTROLLER',
  'listener.security.protocol.map': 'nothing: zkafka writes CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
  'inter.broker.listener.name': 'nothing: zkafka writes PLAINTEXT',
  'zookeeper.metadata.migration.enable': 'the migration form zkafka renders (a KRaft inventory with ZooKeeper members)',
};

/** Kafka's defaults for the replication settings we check. */
const KAFKA_DEFAULTS: Record<string, number> = {
  'offsets.topic.replication.factor': 3,
  'transaction.state.log.replication.factor': 3,
  'default.replication.factor': 1,
  'min.insync.replicas': 1,
  'transaction.state.log.min.isr': 2,
};

export function checkRules(raw: RawInventory, inv: Inventory): Finding[] {
  const findings: Finding[] = [];
  // A cluster-wide value is checked once per host that uses it: the same finding at the same place is
  // reported once.
  const add = (f: Finding) => {
    if (!findings.some((g) => g.severity === f.severity && g.message === f.message && JSON.stringify(g.path) === JSON.stringify(f.path))) findings.push(f);
  };
  const error = (path: YamlPath, message: string, atKey = false) => add({ path, message, severity: 'error', atKey });
  const warning = (path: YamlPath, message: string) => add({ path, message, severity: 'warning' });

  // Unique names, addresses, ids.
  const firstSeen = <T>(key: (h: Inventory['hosts'][number]) => T | undefined, field: string[], what: string, shown?: (h: Inventory['hosts'][number]) => string) => {
    const seen = new Map<T, Inventory['hosts'][number]>();
    for (const h of inv.hosts) {
      const k = key(h);
      if (k === undefined) continue;
      const prev = seen.get(k);
      if (prev === undefined) {
        seen.set(k, h);
        continue;
      }
      const [mine, theirs] = shown ? [shown(h), shown(prev)] : [undefined, undefined];
      const value = mine ?? (typeof k === 'string' ? quote(k) : String(k));
      const written = mine !== undefined && mine !== theirs ? ` (as ${theirs}: the same machine)` : '';
      error(['hosts', h.index, ...field], `duplicate ${what} ${value}: hosts[${prev.index}] has it too${written}; each must be unique`);
    }
  };
  firstSeen((h) => h.name, ['name'], 'host name');
  // One machine written two ways (NODE.example.com and node.example.com, fd00::1 and fd00:0::1) is one address.
  firstSeen((h) => canonicalAddress(h.address), ['address'], 'address', (h) => quote(h.address));
  firstSeen((h) => h.zookeeper?.id, ['zookeeper', 'id'], 'ZooKeeper id (myid)');
  firstSeen((h) => h.kafka?.id, ['kafka', 'id'], inv.kafkaMode === 'kraft' ? 'node id (node.id)' : 'broker id');

  if (inv.kafkaMode === 'zookeeper' && inv.brokers.length > 0 && inv.members.length === 0) {
    error(['hosts'], 'brokers need a ZooKeeper ensemble: give at least one host a `zookeeper: {id: N}` block');
  }
  for (const h of inv.hosts) {
    if (!h.zookeeper && !h.kafka) {
      warning(['hosts', h.index], `host ${h.name} has neither a zookeeper nor a kafka block: zkafka connects to it but runs nothing there`);
    }
  }
  if (inv.members.length > 0 && inv.members.length % 2 === 0) {
    warning(['hosts'], `the ensemble has ${inv.members.length} members: an even size tolerates no more failures than ${inv.members.length - 1}; use an odd number`);
  }

  // Port collisions on one host (sshd's port too, unless zkafka runs commands there locally). A clash
  // written cluster-wide is one finding naming every host it hits.
  const clashes = new Map<string, { at: YamlPath; port: number; what: string; hosts: string[] }>();
  for (const h of inv.hosts) {
    const used: Array<{ port: number; path: YamlPath; what: string }> = [];
    if (!h.local && (h.zookeeper || h.kafka)) {
      const path: YamlPath = raw.hosts[h.index]?.ssh?.port !== undefined ? ['hosts', h.index, 'ssh', 'port'] : raw.ssh?.port !== undefined ? ['ssh', 'port'] : ['hosts', h.index];
      used.push({ port: h.ssh.port, path, what: 'ssh.port (sshd)' });
    }
    const z = h.zookeeper;
    if (z) {
      used.push({ port: z.clientPort, path: origin(raw, h.index, 'zookeeper', ['clientPort']), what: 'zookeeper.clientPort' });
      used.push({ port: z.quorumPort, path: origin(raw, h.index, 'zookeeper', ['quorumPort']), what: 'zookeeper.quorumPort' });
      used.push({ port: z.electionPort, path: origin(raw, h.index, 'zookeeper', ['electionPort']), what: 'zookeeper.electionPort' });
      if (z.adminServer.enabled) {
        used.push({ port: z.adminServer.port, path: origin(raw, h.index, 'zookeeper', ['adminServer', 'port']), what: 'zookeeper.adminServer.port (AdminServer)' });
      }
      if (z.metrics.enabled) {
        used.push({ port: z.metrics.port, path: origin(raw, h.index, 'zookeeper', ['metrics', 'port']), what: 'zookeeper.metrics.port' });
      }
    }
    if (h.kafka && h.kafka.roles.includes('broker')) used.push({ port: h.kafka.port, path: origin(raw, h.index, 'kafka', ['port']), what: 'kafka.port (listener)' });
    if (h.kafka && inv.kafkaMode === 'kraft' && h.kafka.roles.includes('controller')) {
      used.push({ port: h.kafka.controllerPort, path: origin(raw, h.index, 'kafka', ['controllerPort']), what: 'kafka.controllerPort (CONTROLLER listener)' });
    }
    // A path that ends in `port`/`clientPort`/... was written in the inventory; one that stops at the
    // service block is a default. Point at the port the operator wrote, so the message names their line.
    const explicit = (p: YamlPath) => typeof p.at(-1) === 'string' && /port$/i.test(p.at(-1) as string);
    for (let j = 1; j < used.length; j++) {
      const clash = used.slice(0, j).find((u) => u.port === used[j]!.port);
      if (!clash) continue;
      const at = !explicit(used[j]!.path) && explicit(clash.path) ? clash.path : used[j]!.path;
      const what = `${clash.what} and ${used[j]!.what}`;
      const key = JSON.stringify([at, used[j]!.port, what]);
      const seen = clashes.get(key);
      if (seen) seen.hosts.push(h.name);
      else clashes.set(key, { at, port: used[j]!.port, what, hosts: [h.name] });
    }
  }
  for (const c of clashes.values()) {
    error(c.at, `port ${c.port} on host${c.hosts.length > 1 ? 's' : ''} ${c.hosts.join(', ')} is taken twice: ${c.what}`);
  }

  // Versions and modes. ZooKeeper mode ends with 3.9 (4.0 removed it); KRaft is production-ready from
  // 3.3; a KRaft inventory that still lists ZooKeeper members is a migration, which zkafka does on 3.9.x,
  // the bridge release (3.4-3.8 had it early access or with known gaps).
  const migration = isMigration(inv);
  let versionRefused = false;
  for (const h of inv.hosts) {
    const b = h.kafka;
    if (!b) continue;
    const [major, minor] = b.version.split('.').map(Number) as [number, number];
    const at = origin(raw, h.index, 'kafka', ['version']);
    const before = findings.length;
    if (inv.kafkaMode === 'zookeeper' && major >= 4) {
      error(at, `Kafka ${b.version} has no ZooKeeper mode (removed in 4.0); ${raw.kafka?.mode ? 'kafka.mode is zookeeper' : 'this inventory is in ZooKeeper mode'}: use 3.9.x or earlier, or kafka.mode: kraft`);
    } else if (migration && !(major === 3 && minor === 9)) {
      error(
        at,
        major >= 4
          ? `Kafka ${b.version} has no ZooKeeper mode (removed in 4.0): a KRaft cluster that still lists ZooKeeper members is a migration, which needs 3.9.x (migrate on 3.9, then upgrade)`
          : `Kafka ${b.version}: a KRaft cluster that still lists ZooKeeper members is a ZooKeeper → KRaft migration, which zkafka does on 3.9.x (the bridge release); upgrade to 3.9 first`,
      );
    } else if (inv.kafkaMode === 'kraft' && (major < 3 || (major === 3 && minor < 3))) {
      error(at, `Kafka ${b.version} has no production KRaft mode (it came in 3.3): use 3.3 or later, or kafka.mode: zookeeper`);
    }
    if (findings.length > before || findings.some((f) => JSON.stringify(f.path) === JSON.stringify(at))) versionRefused = true;
  }

  // Roles: KRaft only; at least one controller; an odd quorum; dedicated controllers during a migration.
  raw.hosts.forEach((rh, i) => {
    const b = inv.hosts[i]?.kafka;
    if (!b || rh.kafka?.roles === undefined) return;
    const roles = ['hosts', i, 'kafka', 'roles'];
    if (inv.kafkaMode === 'zookeeper' && (b.roles.length !== 1 || b.roles[0] !== 'broker')) {
      error(roles, `roles ${JSON.stringify(rh.kafka.roles)}: in ZooKeeper mode every Kafka node is a broker; controllers need kafka.mode: kraft`);
    } else if (migration && b.roles.includes('controller') && b.roles.includes('broker')) {
      error(roles, 'a migration from ZooKeeper needs dedicated controllers (Kafka does not migrate with combined broker+controller nodes): give this host roles [controller] or [broker]');
    }
  });
  // A ZooKeeper-mode broker.id may not exceed reserved.broker.max.id (1000 unless raised: ids above it are
  // generated ones); a KRaft node.id has no such bound. A migrating broker keeps its ZooKeeper-mode id.
  raw.hosts.forEach((_, i) => {
    const b = inv.hosts[i]?.kafka;
    if (!b || b.id <= 1000 || (inv.kafkaMode === 'kraft' && (!migration || b.roles.includes('controller')))) return;
    const max = Number(b.settings['reserved.broker.max.id'] ?? 1000);
    if (b.id > max) error(['hosts', i, 'kafka', 'id'], `a broker id is 0-${max} in ZooKeeper mode${migration ? ' (and a migrating broker keeps its ZooKeeper-mode id)' : ''}: Kafka reserves higher ids (reserved.broker.max.id); KRaft node ids and the controllers of a migration may be higher`);
  });
  // (After a refused version, the quorum checks would only add noise: Kafka 4 written into a ZooKeeper
  // inventory is one mistake.)
  if (inv.kafkaMode === 'kraft' && inv.hosts.some((h) => h.kafka) && !versionRefused) {
    const n = inv.controllers.length;
    if (n === 0) error(['hosts'], 'a KRaft cluster needs at least one controller: give a host `kafka: {id: N, roles: [controller]}` (or [broker, controller])');
    else if (n % 2 === 0) warning(['hosts'], `the KRaft quorum has ${n} controllers: an even number tolerates no more failures than ${n - 1}; use an odd number`);
    if (migration && inv.brokers.length === 0) error(['hosts'], 'a migration from ZooKeeper moves existing brokers: list them (roles [broker]) with their broker.id as id');
  }
  // A dynamic quorum (KIP-853) is KRaft's, from 3.9; Kafka's ZooKeeper migration runs with a static one.
  if (inv.controllerQuorum === 'dynamic') {
    const at: YamlPath = ['kafka', 'controllerQuorum'];
    if (inv.kafkaMode === 'zookeeper') error(at, 'a dynamic controller quorum is a KRaft one: this inventory is in ZooKeeper mode (kafka.mode: kraft for KRaft)');
    else if (migration) error(at, 'a ZooKeeper → KRaft migration needs a static controller quorum (Kafka migrates with controller.quorum.voters): remove kafka.controllerQuorum: dynamic (a migrated cluster keeps its static quorum)');
    else if (!versionRefused) {
      for (const h of inv.hosts) {
        // (As the version rules above: major and minor; services/versions.ts is a layer above the inventory.)
        const [major, minor] = (h.kafka?.version ?? '').split('.').map(Number) as [number, number];
        if (h.kafka && (major < 3 || (major === 3 && minor < 9))) {
          error(origin(raw, h.index, 'kafka', ['version']), `Kafka ${h.kafka.version} has no dynamic controller quorum (KIP-853 came in 3.9): use 3.9 or later, or kafka.controllerQuorum: static`);
        }
      }
    }
  }
  if (inv.kafkaMode === 'zookeeper') {
    if (raw.kafka?.clusterId !== undefined) error(['kafka', 'clusterId'], 'kafka.clusterId is for KRaft (kafka.mode: kraft); in ZooKeeper mode the brokers take the id ZooKeeper holds', true);
  }

  // A new KRaft cluster (no ZooKeeper members) has nothing of ZooKeeper.
  if (inv.kafkaMode === 'kraft' && inv.members.length === 0) {
    const why = `in a KRaft cluster without ZooKeeper members (${raw.kafka?.mode ? 'kafka.mode: kraft' : 'Kafka 4 is KRaft only'})`;
    if (raw.zookeeper !== undefined) error(['zookeeper'], `a zookeeper section ${why} configures nothing: remove it (or list the ZooKeeper members to migrate from)`, true);
    if (raw.kafka?.chroot !== undefined) error(['kafka', 'chroot'], `kafka.chroot is a ZooKeeper path: there is no ZooKeeper ${why}`, true);
    raw.hosts.forEach((rh, i) => {
      if (rh.kafka?.chroot !== undefined) error(['hosts', i, 'kafka', 'chroot'], `kafka.chroot is a ZooKeeper path: there is no ZooKeeper ${why}`, true);
    });
    const zkKey = (k: string) => k === 'zookeeper.connect' || k === 'broker.id' || k.startsWith('zookeeper.');
    const zkKeys = (settings: Record<string, unknown> | undefined, at: YamlPath) => {
      for (const k of Object.keys(settings ?? {})) {
        if (zkKey(k)) error([...at, k], `${k} is a ZooKeeper-mode setting; there is no ZooKeeper ${why}${k === 'broker.id' ? ' (hosts[].kafka.id is node.id)' : ''}`, true);
      }
    };
    zkKeys(raw.kafka?.settings, ['kafka', 'settings']);
    raw.hosts.forEach((rh, i) => zkKeys(rh.kafka?.settings, ['hosts', i, 'kafka', 'settings']));
  }

  // advertised.listeners is the broker listener's: a controller-only node has none.
  for (const c of inv.controllers) {
    if (c.roles.includes('broker') || c.settings['advertised.listeners'] === undefined) continue;
    const host = inv.hosts.find((h) => h.name === c.host)!;
    error(origin(raw, host.index, 'kafka', ['settings', 'advertised.listeners']), `host ${c.host} is a controller only: advertised.listeners is for brokers (the controllers' address is in controller.quorum.voters)`, true);
  }

  // Settings zkafka derives itself.
  const kafkaManaged = inv.kafkaMode === 'kraft' ? { ...KAFKA_MANAGED, ...KRAFT_MANAGED } : KAFKA_MANAGED;
  const newKraft = inv.kafkaMode === 'kraft' && inv.members.length === 0;
  const managedKey = (service: Service, i: number | undefined, key: string, table: Record<string, string>) => {
    // In a new KRaft cluster, ZooKeeper keys are reported above, as ZooKeeper's.
    if (service === 'kafka' && newKraft && (key === 'zookeeper.connect' || key === 'broker.id' || key.startsWith('zookeeper.'))) return;
    const path: YamlPath = i === undefined ? [service, 'settings', key] : ['hosts', i, service, 'settings', key];
    // zkafka writes one of the two quorum keys, the one of the inventory's kind; the other must not be there either.
    const otherQuorumKey = inv.controllerQuorum === 'dynamic' ? 'controller.quorum.voters' : 'controller.quorum.bootstrap.servers';
    if (service === 'kafka' && inv.kafkaMode === 'kraft' && key === otherQuorumKey) {
      error(
        path,
        inv.controllerQuorum === 'dynamic'
          ? `${key} is a static quorum's: with kafka.controllerQuorum: dynamic the voters are formatted into the controllers' storage and zkafka writes controller.quorum.bootstrap.servers`
          : `${key} is a dynamic quorum's: zkafka writes controller.quorum.voters; for a dynamic quorum set kafka.controllerQuorum: dynamic`,
        true,
      );
      return;
    }
    const instead = table[key] ?? (service === 'zookeeper' && /^server\.\d+$/.test(key) ? 'the hosts with a zookeeper block' : undefined);
    if (instead) error(path, `${key} is written by zkafka; set it through ${instead}`, true);
  };
  for (const k of Object.keys(raw.zookeeper?.settings ?? {})) managedKey('zookeeper', undefined, k, ZOOKEEPER_MANAGED);
  for (const k of Object.keys(raw.kafka?.settings ?? {})) managedKey('kafka', undefined, k, kafkaManaged);
  raw.hosts.forEach((h, i) => {
    for (const k of Object.keys(h.zookeeper?.settings ?? {})) managedKey('zookeeper', i, k, ZOOKEEPER_MANAGED);
    for (const k of Object.keys(h.kafka?.settings ?? {})) managedKey('kafka', i, k, kafkaManaged);
  });

  // zkafka reads each member's state with `srvr`; a whitelist without it would blind status and up.
  for (const m of inv.members) {
    const list = m.settings['4lw.commands.whitelist'];
    if (list === undefined) continue;
    const words = list.split(',').map((w) => w.trim());
    if (!words.includes('srvr') && !words.includes('*')) {
      const host = inv.hosts.find((h) => h.name === m.host)!;
      const path = origin(raw, host.index, 'zookeeper', ['settings', '4lw.commands.whitelist']);
      if (!findings.some((f) => JSON.stringify(f.path) === JSON.stringify(path))) {
        error(path, `4lw.commands.whitelist must include srvr: zkafka asks every member for srvr (got ${quote(list)})`);
      }
    }
  }

  // advertised.listeners is the endpoint a broker registers, which up and status check: one they can
  // parse, and not the same for two brokers (clients would reach one of them for both).
  const advertised = new Map<string, { ids: number[]; at: YamlPath; endpoint: string }>();
  for (const b of inv.brokers) {
    const host = inv.hosts.find((h) => h.name === b.host)!;
    const value = b.settings['advertised.listeners'];
    if (value !== undefined) {
      const at = origin(raw, host.index, 'kafka', ['settings', 'advertised.listeners']);
      const r = advertisedEndpoint(value);
      if (typeof r === 'string') error(at, r);
      else {
        const key = canonicalAddress(r.endpoint);
        const seen = advertised.get(key);
        if (seen) seen.ids.push(b.id);
        else advertised.set(key, { ids: [b.id], at, endpoint: r.endpoint });
        if (seen && seen.ids.length === 2) seen.at = at;
      }
    }
    for (const legacy of ['advertised.host.name', 'advertised.port']) {
      if (b.settings[legacy] !== undefined) {
        error(origin(raw, host.index, 'kafka', ['settings', legacy]), `${legacy} is Kafka's deprecated form (gone in 3.0): set advertised.listeners: "PLAINTEXT://HOST:PORT" instead`, true);
      }
    }
  }

  for (const { ids, at, endpoint } of advertised.values()) {
    if (ids.length > 1) error(at, `brokers ${ids.join(', ')} would all register ${endpoint}: give each broker its own advertised.listeners (per host)`);
  }

  // Replication settings against the number of brokers.
  const brokerCount = inv.brokers.length;
  const reported = new Set<string>();
  for (const b of inv.brokers) {
    const host = inv.hosts.find((h) => h.name === b.host)!;
    const at = (key: string): YamlPath => origin(raw, host.index, 'kafka', ['settings', key]);
    const value = (key: string): { n: number; explicit: boolean } | undefined => {
      const s = b.settings[key];
      if (s === undefined) return { n: KAFKA_DEFAULTS[key]!, explicit: false };
      if (!/^-?\d+$/.test(s.trim())) {
        const p = at(key);
        if (!reported.has(JSON.stringify(p))) error(p, `${key} must be a whole number, got ${quote(s)}`);
        reported.add(JSON.stringify(p));
        return undefined;
      }
      return { n: Number(s), explicit: true };
    };
    const once = (path: YamlPath, message: string, severity: 'error' | 'warning') => {
      const k = JSON.stringify(path) + severity;
      if (reported.has(k)) return;
      reported.add(k);
      if (severity === 'error') error(path, message);
      else warning(path, message);
    };
    for (const key of ['offsets.topic.replication.factor', 'transaction.state.log.replication.factor', 'default.replication.factor']) {
      const v = value(key);
      if (!v || v.n <= brokerCount) continue;
      if (v.explicit) once(at(key), `${key}=${v.n} is more than the ${brokerCount} broker(s) in the inventory`, 'error');
      else once(['kafka', 'settings'], `Kafka's default ${key}=${v.n} is more than the ${brokerCount} broker(s); set kafka.settings.${key} to at most ${brokerCount}`, 'warning');
    }
    for (const [isr, rf] of [
      ['min.insync.replicas', 'default.replication.factor'],
      ['transaction.state.log.min.isr', 'transaction.state.log.replication.factor'],
    ] as const) {
      const a = value(isr);
      const r = value(rf);
      if (!a || !r || a.n <= r.n || (!a.explicit && !r.explicit)) continue;
      once(a.explicit ? at(isr) : at(rf), `${isr}=${a.n}${a.explicit ? '' : ' (Kafka default)'} is larger than ${rf}=${r.n}${r.explicit ? '' : ' (Kafka default)'}: writes could never be acknowledged`, 'error');
    }
  }
  return findings;
}
