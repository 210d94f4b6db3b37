// What a Kafka broker needs: its commands (as data) and how to read its ZooKeeper registration.
import { createHash, randomUUID } from 'node:crypto';
import type { Broker } from '../inventory/model.js';
import { clusterIdProblem } from '../inventory/schema.js';
import { hostPort } from '../inventory/model.js';
import { METADATA_LOG_PARTITION } from './migration.js';
import { advertisedEndpoint } from '../inventory/address.js';
import type { Command } from '../transport/command.js';
import { remotePaths } from '../render/files.js';

export const KAFKA_MAIN = 'kafka.Kafka';

export const kafka = {
  config: (b: Broker) => remotePaths.serverProperties(b),
  script: (b: Broker) => `${b.home}/bin/kafka-server-start.sh`,

  env(b: Broker, javaHome?: string): Record<string, string> {
    // LOG_DIR keeps server.log and kafkaServer.out in the broker's own log directory.
    return { LOG_DIR: b.logDir, ...(javaHome ? { JAVA_HOME: javaHome } : {}), ...b.env };
  },

  /** `bin/kafka-server-start.sh -daemon config/server.properties`, as in the runbook. */
  start(b: Broker, javaHome?: string): Command {
    return { argv: [kafka.script(b), '-daemon', kafka.config(b)], env: kafka.env(b, javaHome), cwd: b.home };
  },

  dirs(b: Broker): string[] {
    return [b.logDir, ...b.logDirs];
  },

  /** The ports the node listens on: the broker listener (broker role), the CONTROLLER listener (KRaft controller role). */
  ports(b: Broker): Array<{ port: number; what: string }> {
    return [
      ...(b.roles.includes('broker') ? [{ port: b.port, what: 'listener port' }] : []),
      ...(b.mode === 'kraft' && b.roles.includes('controller') ? [{ port: b.controllerPort, what: 'controller listener port' }] : []),
    ];
  },

  /**
   * The endpoint the broker registers under /brokers/ids/<id>, which up and status expect: its
   * `advertised.listeners` when the inventory sets one (a broker behind NAT, or known by a DNS name),
   * else the listener zkafka writes, PLAINTEXT://ADDRESS:PORT.
   */
  endpoint(b: Broker): string {
    const advertised = b.settings['advertised.listeners'];
    const r = advertised === undefined ? undefined : advertisedEndpoint(advertised);
    return r && typeof r !== 'string' ? r.endpoint : `PLAINTEXT://${hostPort(b.address, b.port)}`;
  },
  /**
   * `bin/kafka-features.sh --bootstrap-controller ADDR:PORT upgrade --feature metadata.version=LEVEL`:
   * the last step of a KRaft version change, once every node runs the new release.
   */
  finalizeMetadata(b: Broker, level: number, javaHome?: string): Command {
    return {
      argv: [`${b.home}/bin/kafka-features.sh`, '--bootstrap-controller', hostPort(b.address, b.controllerPort), 'upgrade', '--feature', `metadata.version=${level}`],
      env: { ...(javaHome ? { JAVA_HOME: javaHome } : {}), ...b.env },
      cwd: b.home,
    };
  },
  registrationPath: (b: Broker) => `${b.chroot ?? ''}/brokers/ids/${b.id}`,

  /** KRaft: bin/kafka-storage.sh, which formats the log dirs (meta.properties, bootstrap.checkpoint). */
  storageScript: (b: Broker) => `${b.home}/bin/kafka-storage.sh`,

  /**
   * `bin/kafka-storage.sh format -t CLUSTERID -c config/server.properties --ignore-formatted`.
   * --ignore-formatted makes a re-run a no-op where every log dir already holds this cluster id and
   * node id (and formats only the empty ones); a dir formatted for another cluster.id or node.id still
   * fails (exit 1, "Invalid cluster.id in: DIR/meta.properties. Expected X, but read Y", seen on genuine
   * 3.9.1). It never formats over another cluster's dir, but the orchestrator reads meta.properties
   * first anyway (metaPropertiesProbeItems), to say which dir and which cluster.
   */
  format(b: Broker, clusterId: string, javaHome?: string, initialControllers?: InitialController[]): Command {
    const problem = clusterIdProblem(clusterId);
    if (problem) throw new Error(`kafka.format: ${problem} (got ${clusterId})`);
    // A dynamic quorum (KIP-853): controllers get the initial voter set written into their metadata log
    // (the same list on every node), brokers --no-initial-controllers (they find the quorum through
    // controller.quorum.bootstrap.servers). Flags as `kafka-storage.sh format --help` of 3.9.1 and 4.1.1 name them.
    const quorum = initialControllers === undefined ? [] : b.roles.includes('controller') ? ['--initial-controllers', initialControllersArg(initialControllers)] : ['--no-initial-controllers'];
    return { argv: [kafka.storageScript(b), 'format', '-t', clusterId, '-c', kafka.config(b), '--ignore-formatted', ...quorum], env: kafka.env(b, javaHome), cwd: b.home };
  },

  /** The log dirs kafka-storage.sh formats: log.dirs, and metadata.log.dir when the settings put it elsewhere. */
  storageDirs: (b: Broker) => [...new Set([...b.logDirs, kafka.metadataLogDir(b)])],
  /** Where the KRaft metadata log lives (Kafka: metadata.log.dir, else the first of log.dirs); its meta.properties holds a voter's directory.id. */
  metadataLogDir: (b: Broker) => b.settings['metadata.log.dir'] ?? b.logDirs[0]!,
  /** Each log dir's meta.properties. */
  metaPropertiesPaths: (b: Broker) => (b.mode === 'kraft' ? kafka.storageDirs(b) : b.logDirs).map((d) => `${d}/meta.properties`),
};

/** A voter of a dynamic quorum's initial set: what `kafka-storage.sh format --initial-controllers` takes. */
export interface InitialController {
  id: number;
  address: string;
  port: number;
  /** The directory id of its metadata log dir (Kafka's Uuid form). */
  directoryId: string;
}

/** `ID@ADDRESS:PORT:DIRECTORYID,...` (IPv6 in brackets, as Kafka's DynamicVoter parses it). */
export function initialControllersArg(voters: InitialController[]): string {
  return voters.map((v) => `${v.id}@${hostPort(v.address, v.port)}:${v.directoryId}`).join(',');
}

/** Kafka's DirectoryId.reserved: the most significant 64 bits zero and the least (signed) below 100. */
export function reservedDirectoryId(bytes: Buffer): boolean {
  return bytes.readBigUInt64BE(0) === 0n && bytes.readBigInt64BE(8) < 100n;
}

/**
 * The directory id a controller of a dynamic quorum is formatted with, derived from the cluster id and
 * its node id, so that every run (another control machine, an `up` interrupted after formatting some of
 * the controllers) gives each controller the same one without zkafka keeping state: the first 16 bytes
 * of sha256("zkafka-directory-id:CLUSTERID:NODEID"), in Kafka's Uuid form (22 characters of unpadded
 * base64url), hashed again with a counter while it starts with "-" or is one Kafka reserves.
 */
export function controllerDirectoryId(clusterId: string, nodeId: number): string {
  for (let n = 0; ; n++) {
    const bytes = createHash('sha256').update(`zkafka-directory-id:${clusterId}:${nodeId}${n ? `:${n}` : ''}`).digest().subarray(0, 16);
    const id = bytes.toString('base64url');
    if (!id.startsWith('-') && !reservedDirectoryId(bytes)) return id;
  }
}

/** Segments of the metadata log: a controller that has them has run (format writes only a checkpoint). */
export const METADATA_SEGMENTS = '*.log';
export const metadataPartitionDir = (b: Broker) => `${kafka.metadataLogDir(b)}/${METADATA_LOG_PARTITION}`;

/** The `prop` probe items that read meta.properties in every log dir: broker.id in ZooKeeper mode; in KRaft also node.id, cluster.id, version and directory.id (broker.id too: a ZooKeeper-mode broker's dir during a migration). */
export function metaPropertiesProbeItems(b: Broker): Array<{ kind: 'prop'; path: string; key: string }> {
  const keys = b.mode === 'kraft' ? ['broker.id', 'node.id', 'cluster.id', 'version', 'directory.id'] : ['broker.id'];
  return kafka.metaPropertiesPaths(b).flatMap((path) => keys.map((key) => ({ kind: 'prop' as const, path, key })));
}

/** A KRaft controller's probe item: whether its metadata log has segments, i.e. it has run (format writes only a checkpoint). */
export function metadataLogProbeItems(b: Broker): Array<{ kind: 'glob'; dir: string; pattern: string }> {
  return b.mode === 'kraft' && b.roles.includes('controller') ? [{ kind: 'glob', dir: metadataPartitionDir(b), pattern: METADATA_SEGMENTS }] : [];
}

// ---- cluster ids and meta.properties ------------------------------------------------------------------

/**
 * A new cluster id in Kafka's format (Uuid.randomUuid().toString(), what `kafka-storage.sh random-uuid`
 * prints): a random version-4 UUID as 22 characters of unpadded base64url, never starting with "-" and
 * never one of Kafka's reserved ids.
 */
export function generateClusterId(): string {
  for (;;) {
    const id = Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url');
    if (clusterIdProblem(id) === undefined) return id;
  }
}

export interface MetaProperties {
  /** 0: written by ZooKeeper-mode brokers (broker.id); 1: by KRaft (node.id). */
  version: number;
  clusterId?: string;
  /** node.id (version 1). */
  nodeId?: number;
  /** broker.id (version 0). */
  brokerId?: number;
  /** The id whichever the version: node.id, else broker.id. */
  id?: number;
  /** directory.id (KRaft, 3.7 and later). */
  directoryId?: string;
}

/** The key=value pairs of a properties file as Kafka writes them (comments, no continuation lines). */
export function parseSimpleProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** Parses a log dir's meta.properties; undefined when it has no version (not a meta.properties). */
export function parseMetaProperties(text: string): MetaProperties | undefined {
  const p = parseSimpleProperties(text);
  const int = (k: string) => {
    const v = p.get(k);
    return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : undefined;
  };
  const version = int('version');
  if (version === undefined) return undefined;
  const nodeId = int('node.id');
  const brokerId = int('broker.id');
  const clusterId = p.get('cluster.id');
  const directoryId = p.get('directory.id');
  const id = nodeId ?? brokerId;
  return {
    version,
    ...(clusterId ? { clusterId } : {}),
    ...(nodeId !== undefined ? { nodeId } : {}),
    ...(brokerId !== undefined ? { brokerId } : {}),
    ...(id !== undefined ? { id } : {}),
    ...(directoryId ? { directoryId } : {}),
  };
}

/** A cluster.id read from a host's log dir. */
export interface SeenClusterId {
  host: string;
  /** The meta.properties it was read from. */
  path?: string;
  clusterId: string;
}

export type ClusterIdChoice =
  | { ok: true; clusterId: string; source: 'inventory' | 'hosts' | 'new' }
  | { ok: false; problem: string };

/**
 * The cluster id to format with: the inventory's kafka.clusterId, else the one the hosts' log dirs
 * already hold, else a new one (`generate`). A problem when the hosts disagree among themselves, or
 * with the inventory: formatting would then fail, or split the cluster.
 */
export function chooseClusterId(inventoryValue: string | undefined, seenOnHosts: SeenClusterId[], generate: () => string = generateClusterId): ClusterIdChoice {
  const where = (s: SeenClusterId) => (s.path ? `${s.host}:${s.path}` : s.host);
  const ids = [...new Set(seenOnHosts.map((s) => s.clusterId))];
  if (ids.length > 1) {
    const by = ids.map((id) => `${id} (${seenOnHosts.filter((s) => s.clusterId === id).map(where).join(', ')})`).join(' vs ');
    return { ok: false, problem: `the hosts' log dirs belong to different clusters: ${by}; a cluster has one cluster.id` };
  }
  const seen = ids[0];
  if (inventoryValue !== undefined) {
    if (seen !== undefined && seen !== inventoryValue) {
      return { ok: false, problem: `kafka.clusterId is ${inventoryValue} but ${seenOnHosts.map(where).join(', ')} already hold cluster.id ${seen}: these log dirs belong to another cluster (set kafka.clusterId: ${seen} to keep them)` };
    }
    return { ok: true, clusterId: inventoryValue, source: 'inventory' };
  }
  if (seen !== undefined) return { ok: true, clusterId: seen, source: 'hosts' };
  return { ok: true, clusterId: generate(), source: 'new' };
}

export interface BrokerRegistration {
  endpoints: string[];
  host?: string;
  port?: number;
  /** When the broker registered (ms since the epoch, the broker host's clock). */
  timestamp?: number;
}

/** Parses the JSON a broker writes into /brokers/ids/<id>. */
export function parseRegistration(data: string): BrokerRegistration | undefined {
  try {
    const j = JSON.parse(data) as { endpoints?: unknown; host?: unknown; port?: unknown; timestamp?: unknown };
    const endpoints = Array.isArray(j.endpoints) ? j.endpoints.map(String) : [];
    const timestamp = Number(j.timestamp);
    return {
      endpoints,
      ...(typeof j.host === 'string' ? { host: j.host } : {}),
      ...(typeof j.port === 'number' ? { port: j.port } : {}),
      ...(j.timestamp !== undefined && Number.isFinite(timestamp) ? { timestamp } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Parses /controller: {"version":1|2,"brokerid":N,...}. */
export function parseController(data: string): number | undefined {
  try {
    const id = (JSON.parse(data) as { brokerid?: unknown }).brokerid;
    return typeof id === 'number' ? id : undefined;
  } catch {
    return undefined;
  }
}

// ---- partitions: replicas from /brokers/topics/T, leader and ISR from .../partitions/P/state ----------

export const topicsPath = (chroot: string | undefined) => `${chroot ?? ''}/brokers/topics`;

export interface PartitionState {
  topic: string;
  partition: number;
  replicas: number[];
  /** -1 when the partition has no leader (offline). */
  leader: number;
  isr: number[];
}

const intList = (v: unknown): number[] | undefined => (Array.isArray(v) && v.every((x) => Number.isInteger(x)) ? (v as number[]) : undefined);

/**
 * Parses /brokers/topics/T: {"version":1|2|3,"partitions":{"0":[1,2,0],...},...} (the same shape from
 * Kafka 0.8 to 3.9; 2.4 added adding/removing_replicas, 2.8 topic_id). Partition -> replica ids.
 */
export function parseTopicAssignment(data: string): Map<number, number[]> | undefined {
  try {
    const parts = (JSON.parse(data) as { partitions?: unknown }).partitions;
    if (!parts || typeof parts !== 'object') return undefined;
    const out = new Map<number, number[]>();
    for (const [p, r] of Object.entries(parts)) {
      const replicas = intList(r);
      if (!/^\d+$/.test(p) || !replicas) return undefined;
      out.set(Number(p), replicas);
    }
    return out;
  } catch {
    return undefined;
  }
}

/** Parses .../partitions/P/state: {"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":[1,2,0]}. */
export function parsePartitionState(data: string): { leader: number; isr: number[] } | undefined {
  try {
    const j = JSON.parse(data) as { leader?: unknown; isr?: unknown };
    const isr = intList(j.isr);
    return typeof j.leader === 'number' && isr ? { leader: j.leader, isr } : undefined;
  } catch {
    return undefined;
  }
}

export const partitionName = (p: { topic: string; partition: number }) => `${p.topic}-${p.partition}`;

/** One line naming a partition and what it lacks, e.g. `orders-0 (replicas 0,1,2, in sync 0,1)`. */
export function describePartition(p: PartitionState): string {
  return `${partitionName(p)} (replicas ${p.replicas.join(',')}, in sync ${p.isr.join(',') || 'none'}, leader ${p.leader === -1 ? 'none' : p.leader})`;
}

export interface PartitionHealth {
  total: number;
  /** Fewer replicas in sync than assigned (Kafka's UnderReplicatedPartitions, cluster-wide). */
  underReplicated: PartitionState[];
  /** No leader, or a leader that is not a live (registered) broker. */
  offline: PartitionState[];
  /** Per broker: partitions it leads, those of them under-replicated, and partitions where it is out of sync. */
  brokers: Map<number, { leader: number; underReplicated: number; outOfSync: number }>;
}

export function partitionHealth(parts: PartitionState[], live: ReadonlySet<number>): PartitionHealth {
  const brokers = new Map<number, { leader: number; underReplicated: number; outOfSync: number }>();
  const of = (id: number) => {
    let b = brokers.get(id);
    if (!b) brokers.set(id, (b = { leader: 0, underReplicated: 0, outOfSync: 0 }));
    return b;
  };
  const underReplicated: PartitionState[] = [];
  const offline: PartitionState[] = [];
  for (const p of parts) {
    const short = p.replicas.some((r) => !p.isr.includes(r));
    const online = p.leader !== -1 && live.has(p.leader);
    if (short) underReplicated.push(p);
    if (!online) offline.push(p);
    if (online) {
      of(p.leader).leader++;
      if (short) of(p.leader).underReplicated++;
    }
    for (const r of p.replicas) if (!p.isr.includes(r)) of(r).outOfSync++;
  }
  return { total: parts.length, underReplicated, offline, brokers };
}
