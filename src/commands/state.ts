// Reads the cluster's current state: one probe per host (in parallel), `srvr` to each running member
// and ZooKeeper's broker registry, all through the run's SSH connections. No JVM is started.
import type { Broker, Host, Inventory, ZookeeperMember } from '../inventory/model.js';
import { renderHost, type RenderedFile } from '../render/files.js';
import { parseProbe, probeCommand, type HostFacts, type ProbeItem } from '../services/probe.js';
import { PROMETHEUS_JAR, zookeeper, ZOOKEEPER_MAIN, parseSrvr, type SrvrReport, type ZookeeperMode } from '../services/zookeeper.js';
import { configFromArgs, KAFKA_JARS, kafkaVersionFromArgs, kafkaVersionFromJars, siblingHome, zookeeperUpgradeProblem } from '../services/versions.js';
import { IBP, kafkaPhase, LMF, pinSettings, type KafkaPhase, type MetadataVersion } from '../services/kafka-upgrade.js';
import { kafka, KAFKA_MAIN, metadataLogProbeItems, metaPropertiesProbeItems, parseController, parsePartitionState, parseRegistration, parseTopicAssignment, topicsPath, type PartitionState } from '../services/kafka.js';
import { fourLetterWord, ZkWireClient } from '../services/zk-wire.js';
import type { Session } from './session.js';
import { UserError } from '../errors.js';
import { hostPort, isMigration } from '../inventory/model.js';
import { FORM_KEYS, formOf, METADATA_LOG_PARTITION, migrationPhase, rollbackPhase, MIGRATION_FLAG, parseMigrationZnode, PROCESS_ROLES, type MigrationNodeFacts, type MigrationPhase, type MigrationZnode } from '../services/migration.js';
import { isBroker, isKraftCluster, kafkaNodes, KraftClient, quorumKindOf, storageDecision, type KraftBroker, type KraftQuorum, type StorageDecision } from './kraft.js';

export interface ProbeOptions {
  java?: boolean;
  ports?: boolean;
  dirs?: boolean;
  /** Also read every partition's replicas and ISR (status). */
  partitions?: boolean;
  /** A ZooKeeper → KRaft migration read as the way back (`up --rollback`): the rollback's step. */
  rollback?: boolean;
}

export function hostProbeItems(host: Host, files: RenderedFile[], opts: ProbeOptions = {}): ProbeItem[] {
  const items: ProbeItem[] = [];
  const z = host.zookeeper;
  const b = host.kafka;
  if (z) {
    items.push({ kind: 'proc', name: 'zookeeper', mainClass: ZOOKEEPER_MAIN, config: zookeeper.config(z) });
    items.push({ kind: 'exec', path: zookeeper.script(z) });
  }
  if (b) {
    items.push({ kind: 'proc', name: 'kafka', mainClass: KAFKA_MAIN, config: kafka.config(b) });
    items.push({ kind: 'exec', path: kafka.script(b) });
    // The protocol the rendered config pins (an upgrade's phase 1), where its logs are, its version.
    for (const key of [IBP, LMF, 'log.dirs']) items.push({ kind: 'prop', path: kafka.config(b), key });
    items.push({ kind: 'ls', dir: `${b.home}/libs`, pattern: KAFKA_JARS });
    // KRaft inventories (a migration's phase): the form of the config each node runs with.
    if (b.mode === 'kraft') for (const key of FORM_KEYS) items.push({ kind: 'prop', path: kafka.config(b), key });
  }
  for (const f of files) items.push({ kind: 'file', path: f.path });
  if (opts.dirs) {
    const dirs = new Set<string>();
    if (z) for (const d of [z.home, ...zookeeper.dirs(z)]) dirs.add(d);
    if (b) for (const d of [b.home, ...kafka.dirs(b)]) dirs.add(d);
    for (const d of dirs) items.push({ kind: 'dir', path: d });
    // A home to install into must be missing or empty: zkafka never unpacks over an operator's files.
    if (z) items.push({ kind: 'content', path: z.home });
    if (z?.metrics.enabled) items.push({ kind: 'glob', dir: `${z.home}/lib`, pattern: PROMETHEUS_JAR });
    if (b) items.push({ kind: 'content', path: b.home });
    // Kafka refuses to start when a log dir's meta.properties names another broker or cluster.
    // KRaft nodes: node.id and cluster.id too (the cluster id to format with comes from there).
    if (b) items.push(...metaPropertiesProbeItems(b), ...metadataLogProbeItems(b));
    // A migration's brokers: where they keep a copy of the metadata log (a rollback moves it aside).
    if (b?.mode === 'kraft' && !b.roles.includes('controller')) items.push({ kind: 'glob', dir: kafka.metadataLogDir(b), pattern: METADATA_LOG_PARTITION });
  }
  if (opts.java && (z || b)) items.push({ kind: 'java', ...(host.javaHome ? { home: host.javaHome } : {}) });
  if (opts.ports) items.push({ kind: 'ports' });
  return items;
}

/** The data and log directories of a host's services (created by up, deleted by down --purge). */
export function hostDirs(host: Host): string[] {
  return [...(host.zookeeper ? zookeeper.dirs(host.zookeeper) : []), ...(host.kafka ? kafka.dirs(host.kafka) : [])];
}

export async function probeHost(s: Session, host: Host, files: RenderedFile[], opts: ProbeOptions = {}): Promise<HostFacts> {
  const r = await s.run(host.name, 'probing the host', { argv: probeCommand(hostProbeItems(host, files, opts)) });
  return adoptSiblings(host, parseProbe(r.stdout));
}

/**
 * A service process started from another zkafka home beside the inventory's (the old version's, during
 * an upgrade or before a rollback) is the host's service all the same: up stops it to start the new one,
 * down stops it. Marked with the home it runs from.
 */
export function adoptSiblings(host: Host, facts: HostFacts): HostFacts {
  const kinds = [
    ...(host.zookeeper ? [{ name: 'zookeeper', main: ZOOKEEPER_MAIN, home: host.zookeeper.home, config: 'conf/zoo.cfg' }] : []),
    ...(host.kafka ? [{ name: 'kafka', main: KAFKA_MAIN, home: host.kafka.home, config: 'config/server.properties' }] : []),
  ];
  for (const k of kinds) {
    if (facts.procs.get(k.name)?.length) continue;
    for (const p of facts.otherProcs.get(k.name) ?? []) {
      const home = siblingHome(configFromArgs(p.args, k.main), k.home, k.config);
      if (home) {
        facts.procs.set(k.name, [{ pid: p.pid, elapsed: p.elapsed, args: p.args, home }]);
        break;
      }
    }
  }
  return facts;
}

export function pidOf(facts: HostFacts | undefined, service: 'zookeeper' | 'kafka'): number | undefined {
  return facts?.procs.get(service)?.[0]?.pid;
}

/** The pid of a host's service, read afresh (one round trip); undefined when it is not running. */
export async function servicePid(s: Session, inv: Inventory, host: string, service: 'zookeeper' | 'kafka'): Promise<number | undefined> {
  return (await serviceProcess(s, inv, host, service))?.pid;
}

/** A host's service process and when it started (seconds since the epoch, the host's clock). */
export async function serviceProcess(s: Session, inv: Inventory, host: string, service: 'zookeeper' | 'kafka'): Promise<{ pid: number; startedAt: number } | undefined> {
  const facts = await probeHost(s, inv.hosts.find((h) => h.name === host)!, []);
  const p = facts.procs.get(service)?.[0];
  return p ? { pid: p.pid, startedAt: facts.now - p.elapsed } : undefined;
}

/** Asks a member for `srvr` over its host's SSH connection. */
export async function memberSrvr(s: Session, m: ZookeeperMember): Promise<SrvrReport> {
  try {
    const stream = await s.transport(m.host).connect(m.address, m.clientPort);
    return parseSrvr(await fourLetterWord(stream, 'srvr'));
  } catch (e) {
    if (e instanceof UserError) throw e;
    return { mode: 'not serving' };
  }
}

export async function memberMode(s: Session, m: ZookeeperMember): Promise<ZookeeperMode> {
  return (await memberSrvr(s, m)).mode;
}

export const SERVING: ZookeeperMode[] = ['leader', 'follower', 'standalone', 'observer'];

/** A session with the ensemble through any serving member, or undefined when none serves. */
export async function openZk(s: Session, members: ZookeeperMember[]): Promise<ZkWireClient | undefined> {
  for (const m of members) {
    if (!s.reachable(m.host)) continue;
    try {
      return await ZkWireClient.connect(await s.transport(m.host).connect(m.address, m.clientPort));
    } catch {
      // Not serving; try the next member.
    }
  }
  return undefined;
}

export interface MemberState {
  member: ZookeeperMember;
  reachable: boolean;
  pid?: number;
  mode: ZookeeperMode;
  /** The version it runs (from srvr), when it serves. */
  version?: string;
  /** When it runs from another zkafka home: that home, and the dataDir its zoo.cfg there names. */
  runningHome?: string;
  runningDataDir?: string;
}

export interface BrokerState {
  broker: Broker;
  reachable: boolean;
  pid?: number;
  registered: boolean;
  /** Endpoints the broker registered in ZooKeeper. */
  endpoints?: string[];
  /** The version it runs (from its class path). */
  version?: string;
  /** When it runs from another zkafka home: that home. */
  runningHome?: string;
  /** inter.broker.protocol.version and log.message.format.version of the config it runs with. */
  protocol?: { ibp?: string; lmf?: string; logDirs?: string };
}

export interface ClusterState {
  facts: Map<string, HostFacts>;
  files: Map<string, RenderedFile[]>;
  members: MemberState[];
  brokers: BrokerState[];
  controller: number | null;
  /** Whether ZooKeeper could be asked about brokers at all. */
  registryKnown: boolean;
  /** Every partition's replicas and ISR (only when asked for, and ZooKeeper answered). */
  partitions?: PartitionState[];
  /** Where a Kafka version change stands, read from what runs and what is rendered. */
  kafkaPhase: KafkaPhase;
  /** Why the version change the inventory asks for cannot be made (preflight refuses). */
  versionProblems: string[];
  /** A KRaft cluster (no ZooKeeper): the quorum, the brokers registered, the storage to format. */
  kraft?: KraftState;
  /** A ZooKeeper → KRaft migration (a KRaft inventory that still lists ZooKeeper members). */
  migration?: MigrationState;
}

export interface MigrationState extends MigrationPhase {
  /** ZooKeeper's /migration (null: none; undefined: ZooKeeper not readable). */
  znode: MigrationZnode | null | undefined;
  /** What the phase was read from, per node. */
  nodes: Array<MigrationNodeFacts & { role: 'broker' | 'controller'; host: string }>;
}

/** ZooKeeper's /migration znode (under the chroot), read through any serving member. */
export async function readMigrationZnode(s: Session, inv: Inventory): Promise<MigrationZnode | null | undefined> {
  const zk = await openZk(s, inv.members);
  if (!zk) return undefined;
  try {
    const node = await zk.getData(`${inv.brokers[0]?.chroot ?? ''}/migration`);
    return node ? (parseMigrationZnode(node.data) ?? null) : null;
  } catch {
    return undefined;
  } finally {
    await zk.close();
  }
}

export interface KraftState {
  /** undefined when no controller answered DescribeQuorum. */
  quorum?: KraftQuorum;
  /** Brokers registered (DescribeCluster); undefined when no broker answered. */
  registered?: Map<number, KraftBroker>;
  /** Only when the log dirs were probed (preflight, plan). */
  storage?: StorageDecision;
  /** kraft.version finalized, as the running nodes answer ApiVersions (0 a static quorum, 1 dynamic); undefined when none answered. */
  kraftVersion?: number;
}

export interface RegistryView {
  registered: Map<number, string[]>;
  controller: number | null;
  /** When each registration was written, where the broker says (ms, its host's clock). */
  since: Map<number, number>;
  /** Every partition's replicas, leader and ISR, when asked for. */
  partitions?: PartitionState[];
}

/**
 * Replicas, leader and ISR of every partition, straight from the znodes the controller keeps (no JVM,
 * the same for every ZooKeeper-mode Kafka version). Requests are pipelined on the one session.
 */
export async function readPartitions(zk: ZkWireClient, chroot: string | undefined): Promise<PartitionState[]> {
  const topics = (await zk.getChildren(topicsPath(chroot))) ?? [];
  const perTopic = await Promise.all(
    topics.map(async (topic) => {
      const node = await zk.getData(`${topicsPath(chroot)}/${topic}`);
      const assignment = node ? parseTopicAssignment(node.data) : undefined;
      if (!assignment) return [];
      return Promise.all(
        [...assignment].map(async ([partition, replicas]) => {
          const st = await zk.getData(`${topicsPath(chroot)}/${topic}/partitions/${partition}/state`);
          // No state yet: the controller is still creating the partition; it has no leader so far.
          const state = (st && parsePartitionState(st.data)) || { leader: -1, isr: [] };
          return { topic, partition, replicas, ...state };
        }),
      );
    }),
  );
  // Operators' own topics first, Kafka's internal ones (__consumer_offsets, ...) after them.
  const internal = (t: string) => Number(t.startsWith('__'));
  return perTopic.flat().sort((a, b) => internal(a.topic) - internal(b.topic) || a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

export async function readRegistry(zk: ZkWireClient, brokers: Broker[], opts: { partitions?: boolean } = {}): Promise<RegistryView> {
  const registered = new Map<number, string[]>();
  const since = new Map<number, number>();
  await Promise.all(
    brokers.map(async (b) => {
      const node = await zk.getData(kafka.registrationPath(b));
      if (!node) return;
      const reg = parseRegistration(node.data);
      registered.set(b.id, reg?.endpoints ?? []);
      if (reg?.timestamp !== undefined) since.set(b.id, reg.timestamp);
    }),
  );
  const chroot = brokers[0]?.chroot ?? '';
  const [c, partitions] = await Promise.all([zk.getData(`${chroot}/controller`), opts.partitions ? readPartitions(zk, brokers[0]?.chroot) : undefined]);
  return { registered, controller: c ? (parseController(c.data) ?? null) : null, since, ...(partitions ? { partitions } : {}) };
}

export async function readClusterState(s: Session, inv: Inventory, opts: ProbeOptions = {}): Promise<ClusterState> {
  const facts = new Map<string, HostFacts>();
  const files = new Map<string, RenderedFile[]>();
  // The probes, every member's srvr and the broker registry are asked at the same time: one round trip.
  const probes = Promise.all(
    inv.hosts.map(async (h) => {
      const rendered = renderHost(inv, h);
      files.set(h.name, rendered);
      if (s.reachable(h.name)) facts.set(h.name, await probeHost(s, h, rendered, opts));
    }),
  );
  const srvrs = Promise.all(inv.members.map((m) => (s.reachable(m.host) ? memberSrvr(s, m) : Promise.resolve<SrvrReport>({ mode: 'down' }))));
  const kraft = isKraftCluster(inv);
  const migrating = isMigration(inv);
  const kraftRead = (async () => {
    if (!kraft && !migrating) return undefined;
    const k = new KraftClient(s, inv);
    try {
      const [quorum, registered, partitions] = await Promise.all([k.quorum(), k.brokers(), opts.partitions ? k.partitions() : undefined]);
      return { quorum, registered, partitions };
    } finally {
      await k.close();
    }
  })();
  const registry = (async () => {
    if (!inv.brokers.length || kraft) return undefined;
    const r = new Registry(s, inv);
    try {
      return await r.read({ partitions: !!opts.partitions });
    } finally {
      await r.close();
    }
  })();
  const znodeRead = migrating ? readMigrationZnode(s, inv) : Promise.resolve(undefined);
  const [, memberSrvrs, zkReg, kr, znode] = await Promise.all([probes, srvrs, registry, kraftRead, znodeRead]);
  // During a migration brokers in ZooKeeper or migration mode register in ZooKeeper, those in KRaft with the controllers.
  const reg: RegistryView | undefined = kr && !migrating ? kraftRegistry(inv, kr) : migrating ? mergeRegistries(zkReg, kr && kraftRegistry(inv, kr)) : zkReg;
  await probeSiblingConfigs(s, inv, facts);
  const members: MemberState[] = inv.members.map((m, i) => {
    const f = facts.get(m.host);
    const proc = f?.procs.get('zookeeper')?.[0];
    if (!f) return { member: m, reachable: false, mode: 'down' };
    if (!proc) return { member: m, reachable: true, mode: 'down' };
    const srvr = memberSrvrs[i]!;
    const dataDir = proc.home ? f.props.get(`${proc.home}/conf/zoo.cfg dataDir`) : undefined;
    return { member: m, reachable: true, pid: proc.pid, mode: srvr.mode, ...(srvr.version ? { version: srvr.version } : {}), ...(proc.home ? { runningHome: proc.home, ...(dataDir ? { runningDataDir: dataDir } : {}) } : {}) };
  });
  // In KRaft every Kafka node (controllers too) is a process to start, roll and stop.
  const brokers: BrokerState[] = (kraft || migrating ? kafkaNodes(inv) : inv.brokers).map((b) => {
    const f = facts.get(b.host);
    const proc = f?.procs.get('kafka')?.[0];
    const endpoints = reg?.registered.get(b.id);
    const config = proc?.home ? `${proc.home}/config/server.properties` : kafka.config(b);
    const prop = (key: string) => f?.props.get(`${config} ${key}`) || undefined;
    // From the class path when it names the jars, else from the libs/ of the home it runs from.
    const version = proc ? ((proc.args ? kafkaVersionFromArgs(proc.args) : undefined) ?? kafkaVersionFromJars(f?.listings.get(`${proc.home ?? b.home}/libs`) ?? [])) : undefined;
    return {
      broker: b,
      reachable: !!f,
      ...(proc ? { pid: proc.pid, protocol: { ibp: prop(IBP), lmf: prop(LMF), logDirs: prop('log.dirs') } } : {}),
      ...(version ? { version } : {}),
      ...(proc?.home ? { runningHome: proc.home } : {}),
      registered: !!endpoints,
      ...(endpoints ? { endpoints } : {}),
    };
  });
  const metadata = kraft ? await readMetadataVersion(s, inv, brokers) : undefined;
  const { phase, problems } = readKafkaPhase(inv, facts, brokers, metadata);
  // KRaft: which log dirs need formatting, with which cluster id (read from meta.properties: probed with dirs).
  const storage = (kraft || migrating) && opts.dirs ? storageDecision(inv, facts, undefined, kr?.quorum) : undefined;
  const migration = migrating ? readMigration(facts, brokers, znode, !!opts.rollback) : undefined;
  // Each node's file in the form its phase gives it (controllers: migration, then plain KRaft; brokers: ZooKeeper mode, migration, KRaft).
  if (migration) {
    for (const h of inv.hosts) {
      if (!h.kafka) continue;
      const form = h.kafka.roles.includes('controller') ? migration.controllerForm : migration.brokerForm;
      files.set(h.name, renderHost(inv, h, undefined, { kafka: { form } }));
    }
  }
  // Phase 1 renders the pin into every broker's server.properties (the new home's).
  const pin = pinSettings(phase);
  if (pin) for (const h of inv.hosts) if (h.kafka) files.set(h.name, renderHost(inv, h, undefined, { kafka: { extra: pin } }));
  return {
    facts,
    files,
    members,
    brokers,
    controller: reg?.controller ?? null,
    registryKnown: kr ? !!kr.registered : !!reg,
    ...(reg?.partitions ? { partitions: reg.partitions } : {}),
    kafkaPhase: phase,
    versionProblems: [...problems, ...zookeeperVersionProblems(facts, members), ...logDirProblems(brokers), ...(storage?.problems ?? []), ...(migration?.problems ?? []), ...quorumKindProblems(inv, metadata?.kraftVersion)],
    ...(migration ? { migration } : {}),
    ...(kr
      ? { kraft: { ...(kr.quorum ? { quorum: kr.quorum } : {}), ...(kr.registered ? { registered: kr.registered } : {}), ...(storage ? { storage } : {}), ...(metadata ? { kraftVersion: metadata.kraftVersion } : {}) } }
      : {}),
  };
}

function mergeRegistries(zk: RegistryView | undefined, kr: RegistryView | undefined): RegistryView | undefined {
  if (!zk) return kr;
  if (!kr) return zk;
  const registered = new Map(kr.registered);
  for (const [id, eps] of zk.registered) registered.set(id, eps);
  return { ...zk, registered };
}

/** The migration's facts, per node: running or not, the form of its config file, and whether the process predates that file. */
function readMigration(facts: Map<string, HostFacts>, brokers: BrokerState[], znode: MigrationZnode | null | undefined, rollback: boolean): MigrationState {
  const nodes = brokers.map((b) => {
    const controller = b.broker.roles.includes('controller');
    const f = facts.get(b.broker.host);
    const cfg = kafka.config(b.broker);
    const file = f?.files.get(cfg);
    const proc = f?.procs.get('kafka')?.[0];
    const stale = !!proc && file?.mtime != null && !!f && file.mtime > f.now - proc.elapsed;
    const form = file?.sha256 ? formOf({ processRoles: f?.props.get(`${cfg} ${PROCESS_ROLES}`), migrationFlag: f?.props.get(`${cfg} ${MIGRATION_FLAG}`) }) : undefined;
    // A controller's formatted dirs (meta.properties), a broker's copies of the metadata log: what a rollback moves aside.
    const kraftDirs = controller ? kafka.storageDirs(b.broker).filter((d) => f?.props.get(`${d}/meta.properties version`) !== undefined) : f?.globs.get(`${kafka.metadataLogDir(b.broker)} ${METADATA_LOG_PARTITION}`) ? [kafka.metadataLogDir(b.broker)] : [];
    return { id: b.broker.id, host: b.broker.host, role: (controller ? 'controller' : 'broker') as 'broker' | 'controller', running: b.pid !== undefined, ...(form ? { form } : {}), ...(stale ? { stale } : {}), ...(kraftDirs.length ? { kraftDirs } : {}) };
  });
  const read = rollback ? rollbackPhase : migrationPhase;
  const phase = read({ brokers: nodes.filter((n) => n.role === 'broker'), controllers: nodes.filter((n) => n.role === 'controller'), znode });
  return { ...phase, znode, nodes };
}

/** The KRaft reads in the shape of the ZooKeeper registry: broker-role nodes registered unfenced, the quorum leader as controller. */
function kraftRegistry(inv: Inventory, kr: { quorum?: KraftQuorum; registered?: Map<number, KraftBroker>; partitions?: PartitionState[] }): RegistryView {
  const registered = new Map<number, string[]>();
  for (const b of kafkaNodes(inv).filter(isBroker)) {
    const r = kr.registered?.get(b.id);
    if (!r || r.fenced) continue;
    const seen = hostPort(r.host, r.port);
    const expected = kafka.endpoint(b);
    registered.set(b.id, [expected.endsWith(`//${seen}`) ? expected : seen]);
  }
  return { registered, controller: kr.quorum?.leader ?? null, since: new Map(), ...(kr.partitions ? { partitions: kr.partitions } : {}) };
}

/**
 * For services running from another zkafka home (an upgrade under way): what their config there says.
 * One more round trip, only on such hosts.
 */
async function probeSiblingConfigs(s: Session, inv: Inventory, facts: Map<string, HostFacts>): Promise<void> {
  await Promise.all(
    inv.hosts.map(async (h) => {
      const f = facts.get(h.name);
      const zk = f?.procs.get('zookeeper')?.[0];
      const kf = f?.procs.get('kafka')?.[0];
      const items: ProbeItem[] = [];
      if (zk?.home && h.zookeeper) items.push({ kind: 'prop', path: `${zk.home}/conf/zoo.cfg`, key: 'dataDir' }, { kind: 'content', path: `${h.zookeeper.dataDir}/version-2` });
      if (kf?.home) {
        for (const key of [IBP, LMF, 'log.dirs']) items.push({ kind: 'prop', path: `${kf.home}/config/server.properties`, key });
        items.push({ kind: 'ls', dir: `${kf.home}/libs`, pattern: KAFKA_JARS });
      }
      if (!f || !items.length) return;
      const more = parseProbe((await s.run(h.name, 'reading the running config', { argv: probeCommand(items) })).stdout);
      for (const [k, v] of more.props) f.props.set(k, v);
      for (const [k, v] of more.contents) f.contents.set(k, v);
      for (const [k, v] of more.listings) f.listings.set(k, v);
    }),
  );
}

/**
 * A running quorum of the other kind than the inventory's: its nodes would be restarted with the other
 * quorum key, which their metadata log does not match (zkafka does not change kraft.version).
 */
function quorumKindProblems(inv: Inventory, kraftVersion: number | undefined): string[] {
  if (kraftVersion === undefined || quorumKindOf(kraftVersion) === inv.controllerQuorum) return [];
  return [
    `the running KRaft quorum is ${quorumKindOf(kraftVersion)} (kraft.version ${kraftVersion}) but the inventory says kafka.controllerQuorum: ${inv.controllerQuorum}: ` +
      `zkafka does not convert a quorum from one kind to the other; set kafka.controllerQuorum: ${quorumKindOf(kraftVersion)}`,
  ];
}

/** KRaft: metadata.version finalized and supported, and kraft.version, from the running nodes (one ApiVersions each). */
async function readMetadataVersion(s: Session, inv: Inventory, brokers: BrokerState[]): Promise<(MetadataVersion & { kraftVersion: number }) | undefined> {
  const running = brokers.filter((b) => b.pid !== undefined && b.version).map((b) => ({ node: b.broker, version: b.version! }));
  if (!running.length) return undefined;
  const k = new KraftClient(s, inv);
  try {
    return await k.metadataVersion(running);
  } finally {
    await k.close();
  }
}

function readKafkaPhase(inv: Inventory, facts: Map<string, HostFacts>, brokers: BrokerState[], metadata?: MetadataVersion) {
  if (!brokers.length) return { phase: { kind: 'steady' } as KafkaPhase, problems: [] };
  const target = brokers[0]!.broker.version;
  const operatorPinned = inv.brokers.some((b) => b.settings[IBP] !== undefined);
  const view = brokers.map((b) => {
    // A broker running on the inventory's home runs the config rendered there: its pin is `ibp` already.
    const rendered = b.pid === undefined || b.runningHome ? facts.get(b.broker.host)?.props.get(`${kafka.config(b.broker)} ${IBP}`) : undefined;
    return {
      id: b.broker.id,
      running: b.pid !== undefined,
      ...(b.version ? { version: b.version } : {}),
      ...(b.protocol?.ibp ? { ibp: b.protocol.ibp } : {}),
      ...(rendered ? { renderedIbp: rendered } : {}),
    };
  });
  return kafkaPhase(target, view, inv.kafkaMode === 'kraft' ? 'kraft' : 'zookeeper', operatorPinned, metadata);
}

function zookeeperVersionProblems(facts: Map<string, HostFacts>, members: MemberState[]): string[] {
  const problems: string[] = [];
  for (const ms of members) {
    const m = ms.member;
    const why = ms.version ? zookeeperUpgradeProblem(ms.version, m.version) : undefined;
    if (why) problems.push(`${m.host}: ${why}`);
    // The member's data must come along: a changed default dataDir (inside the old home) would start it empty.
    if (ms.runningDataDir && ms.runningDataDir !== m.dataDir) {
      const f = facts.get(m.host);
      const hasMyid = !!f?.files.get(`${m.dataDir}/myid`)?.sha256;
      const hasData = f?.contents.get(`${m.dataDir}/version-2`) === 'full';
      if (!hasMyid || !hasData) {
        problems.push(
          `${m.host}: ZooKeeper member ${m.id} keeps its data in ${ms.runningDataDir} (myid and snapshots), but the inventory's dataDir is ${m.dataDir}, which holds ${hasMyid ? 'no snapshots' : 'no myid'}: ` +
            `it would start empty; set zookeeper.dataDir: ${ms.runningDataDir}`,
        );
      }
    }
  }
  return problems;
}

function logDirProblems(brokers: BrokerState[]): string[] {
  return brokers
    .filter((b) => b.runningHome && b.protocol?.logDirs && b.protocol.logDirs !== b.broker.logDirs.join(','))
    .map((b) => `${b.broker.host}: broker ${b.broker.id} keeps its logs in ${b.protocol!.logDirs}, but the inventory gives log.dirs ${b.broker.logDirs.join(',')}: it would start without its partitions; set kafka.logDirs to the old value`);
}

/** The broker registry, read through one ZooKeeper session that is reopened when it breaks. */
export class Registry {
  private zk: ZkWireClient | undefined;
  constructor(
    private readonly s: Session,
    private readonly inv: Inventory,
  ) {}
  async read(opts: { partitions?: boolean } = {}): Promise<RegistryView | undefined> {
    for (let attempt = 0; attempt < 2; attempt++) {
      this.zk ??= await openZk(this.s, this.inv.members);
      if (!this.zk) return undefined;
      try {
        return await readRegistry(this.zk, this.inv.brokers, opts);
      } catch {
        await this.zk.close();
        this.zk = undefined;
      }
    }
    return undefined;
  }
  async close() {
    await this.zk?.close();
  }
}

export function hasQuorum(state: ClusterState): boolean {
  const serving = state.members.filter((m) => SERVING.includes(m.mode)).length;
  const hasLeader = state.members.some((m) => m.mode === 'leader' || m.mode === 'standalone');
  return hasLeader && serving > state.members.length / 2;
}
