// Stage 3 of validation: apply defaults and merge each host's overrides over the cluster-wide settings.
// Defaults are the runbook's (which are also the services' own where the runbook is silent).
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { KafkaRoleName, RawHost, RawInventory, RawKafka, RawSsh, RawZookeeper } from './schema.js';
import type { Broker, Host, Inventory, JumpHost, KafkaMode, SshSettings, ZookeeperMember } from './model.js';

export const DEFAULTS = {
  cluster: 'zkafka',
  ssh: { user: 'root', port: 22, knownHosts: '~/.ssh/known_hosts', connectTimeout: 10, commandTimeout: 300 },
  zookeeper: {
    version: '3.8.0',
    installDir: '/home/software',
    clientPort: 2181,
    quorumPort: 2888,
    electionPort: 3888,
    tickTime: 2000,
    initLimit: 10,
    syncLimit: 5,
    maxClientCnxns: 60,
    autopurge: { snapRetainCount: 3, purgeInterval: 1 },
    metrics: { enabled: true, host: '0.0.0.0', port: 7000, exportJvmInfo: true },
    adminServer: { enabled: true, port: 8080 },
  },
  kafka: {
    version: '2.4.1',
    scalaVersion: '2.11',
    installDir: '/home/software',
    logDirs: ['/usr/local/data/kafka-logs'],
    port: 9092,
    controllerPort: 9093,
  },
} as const;

/** kafka.mode, else kraft from Kafka 4.0 (which has no ZooKeeper mode) and zookeeper below it. */
export function defaultKafkaMode(raw: RawInventory): KafkaMode {
  if (raw.kafka?.mode) return raw.kafka.mode;
  const version = raw.kafka?.version ?? raw.hosts.find((h) => h.kafka?.version)?.kafka?.version ?? DEFAULTS.kafka.version;
  return Number(version.split('.')[0]) >= 4 ? 'kraft' : 'zookeeper';
}

/** Local paths: ~ expands to the home directory; relative paths are relative to the inventory file. */
export function localPath(p: string, baseDir: string): string {
  if (p === '~' || p.startsWith('~/')) return resolve(homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(baseDir, p);
}

function localSource(s: string | undefined, baseDir: string): string | undefined {
  if (s === undefined) return undefined;
  return /^https?:\/\//i.test(s) ? s : localPath(s, baseDir);
}

function stringMap(...maps: Array<Record<string, string | number | boolean> | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of maps) for (const [k, v] of Object.entries(m ?? {})) out[k] = String(v);
  return out;
}

export function parseJumpHost(spec: string): JumpHost {
  const at = spec.lastIndexOf('@');
  const user = at >= 0 ? spec.slice(0, at) : undefined;
  let rest = at >= 0 ? spec.slice(at + 1) : spec;
  let port = 22;
  const bracketed = /^\[(.+)\](?::(\d+))?$/.exec(rest);
  if (bracketed) {
    rest = bracketed[1]!;
    if (bracketed[2]) port = Number(bracketed[2]);
  } else if (/^[^:]+:\d+$/.test(rest)) {
    const [h, p] = rest.split(':');
    rest = h!;
    port = Number(p);
  }
  return { ...(user ? { user } : {}), host: rest, port };
}

function ssh(cluster: RawSsh | undefined, host: RawSsh | undefined, baseDir: string): SshSettings {
  const m = { ...cluster, ...host };
  const out: SshSettings = {
    user: m.user ?? DEFAULTS.ssh.user,
    port: m.port ?? DEFAULTS.ssh.port,
    knownHosts: localPath(m.knownHosts ?? DEFAULTS.ssh.knownHosts, baseDir),
    connectTimeout: m.connectTimeout ?? DEFAULTS.ssh.connectTimeout,
    commandTimeout: m.commandTimeout ?? DEFAULTS.ssh.commandTimeout,
  };
  if (m.identityFile) out.identityFile = localPath(m.identityFile, baseDir);
  if (m.jumpHost) out.jumpHost = parseJumpHost(m.jumpHost);
  return out;
}

function zookeeperMember(c: RawZookeeper | undefined, h: RawZookeeper & { id: number }, host: RawHost, baseDir: string): ZookeeperMember {
  const d = DEFAULTS.zookeeper;
  const pick = <K extends keyof RawZookeeper>(k: K) => h[k] ?? c?.[k];
  const version = pick('version') ?? d.version;
  const installDir = pick('installDir') ?? d.installDir;
  const home = pick('home') ?? `${installDir}/apache-zookeeper-${version}-bin`;
  const dataLogDir = pick('dataLogDir');
  return {
    id: h.id,
    host: host.name,
    address: host.address,
    version,
    source: localSource(pick('source'), baseDir),
    installDir,
    home,
    dataDir: pick('dataDir') ?? `${home}/data/zookeeper`,
    ...(dataLogDir ? { dataLogDir } : {}),
    logDir: pick('logDir') ?? `${home}/logs`,
    clientPort: pick('clientPort') ?? d.clientPort,
    quorumPort: pick('quorumPort') ?? d.quorumPort,
    electionPort: pick('electionPort') ?? d.electionPort,
    tickTime: pick('tickTime') ?? d.tickTime,
    initLimit: pick('initLimit') ?? d.initLimit,
    syncLimit: pick('syncLimit') ?? d.syncLimit,
    maxClientCnxns: pick('maxClientCnxns') ?? d.maxClientCnxns,
    autopurge: { ...d.autopurge, ...c?.autopurge, ...h.autopurge },
    metrics: { ...d.metrics, ...c?.metrics, ...h.metrics },
    adminServer: { ...d.adminServer, ...c?.adminServer, ...h.adminServer },
    settings: stringMap(c?.settings, h.settings),
    env: stringMap(c?.env, h.env),
  };
}

function broker(c: RawKafka | undefined, h: RawKafka & { id: number; roles?: KafkaRoleName[] }, host: RawHost, baseDir: string, mode: KafkaMode): Broker {
  const d = DEFAULTS.kafka;
  const pick = <K extends keyof RawKafka>(k: K) => h[k] ?? c?.[k];
  const version = pick('version') ?? d.version;
  const scalaVersion = pick('scalaVersion') ?? d.scalaVersion;
  const installDir = pick('installDir') ?? d.installDir;
  const home = pick('home') ?? `${installDir}/kafka_${scalaVersion}-${version}`;
  const chroot = pick('chroot');
  return {
    id: h.id,
    host: host.name,
    address: host.address,
    version,
    scalaVersion,
    source: localSource(pick('source'), baseDir),
    installDir,
    home,
    logDirs: [...(pick('logDirs') ?? d.logDirs)],
    logDir: pick('logDir') ?? `${home}/logs`,
    port: pick('port') ?? d.port,
    controllerPort: pick('controllerPort') ?? d.controllerPort,
    ...(chroot ? { chroot } : {}),
    settings: stringMap(c?.settings, h.settings),
    env: stringMap(c?.env, h.env),
    mode,
    // Kafka's own order in process.roles examples: broker,controller.
    roles: h.roles ? (['broker', 'controller'] as const).filter((r) => h.roles!.includes(r)) : ['broker'],
  };
}

export function normalise(raw: RawInventory, file: string, baseDir: string): Inventory {
  const kafkaMode = defaultKafkaMode(raw);
  const hosts: Host[] = raw.hosts.map((h, index) => {
    const javaHome = h.java?.home ?? raw.java?.home;
    const host: Host = {
      name: h.name,
      address: h.address,
      local: h.local ?? false,
      ssh: ssh(raw.ssh, h.ssh, baseDir),
      ...(javaHome ? { javaHome } : {}),
      index,
    };
    if (h.zookeeper) host.zookeeper = zookeeperMember(raw.zookeeper, h.zookeeper, h, baseDir);
    if (h.kafka) host.kafka = broker(raw.kafka, h.kafka, h, baseDir, kafkaMode);
    return host;
  });
  const nodes = hosts.flatMap((h) => (h.kafka ? [h.kafka] : [])).sort((a, b) => a.id - b.id);
  return {
    file,
    cluster: raw.cluster ?? DEFAULTS.cluster,
    ...(raw.templates ? { templatesDir: localPath(raw.templates, baseDir) } : {}),
    hosts,
    members: hosts.flatMap((h) => (h.zookeeper ? [h.zookeeper] : [])).sort((a, b) => a.id - b.id),
    kafkaMode,
    ...(raw.kafka?.clusterId ? { clusterId: raw.kafka.clusterId } : {}),
    controllerQuorum: raw.kafka?.controllerQuorum ?? 'static',
    brokers: nodes.filter((n) => n.roles.includes('broker')),
    controllers: kafkaMode === 'kraft' ? nodes.filter((n) => n.roles.includes('controller')) : [],
    warnings: [],
  };
}
