// A KRaft cluster (no ZooKeeper) as zkafka reads it, through the Kafka protocol over the run's SSH
// connections (no JVM): the controller quorum (DescribeQuorum on the active controller), the brokers
// registered (DescribeCluster on a broker listener; fenced brokers are not registered) and every
// partition's leader, replicas and ISR (Metadata). Also the storage decision of `up`: which log dirs
// need `kafka-storage.sh format`, with which cluster id, and which dirs must never be formatted over.
import { hostPort, isMigration, type Broker, type Inventory } from '../inventory/model.js';
import { waitInSync } from './in-sync.js';
import type { MetadataVersion } from '../services/kafka-upgrade.js';
import type { Output } from '../ui/output.js';
import { UserError } from '../errors.js';
import { chooseClusterId, controllerDirectoryId, kafka, METADATA_SEGMENTS, metadataPartitionDir, type InitialController, type PartitionState, type SeenClusterId } from '../services/kafka.js';
import { KafkaWireClient, type MetadataResult, type QuorumResult } from '../services/kafka-wire.js';
import type { HostFacts } from '../services/probe.js';
import type { Session } from './session.js';

/** A KRaft cluster without ZooKeeper (not a migration): the KRaft roles take its nodes. */
export function isKraftCluster(inv: Pick<Inventory, 'kafkaMode' | 'members'>): boolean {
  return inv.kafkaMode === 'kraft' && !isMigration(inv);
}

/** Every Kafka node of the inventory (brokers, controllers, combined once), in id order. */
export function kafkaNodes(inv: Pick<Inventory, 'brokers' | 'controllers'>): Broker[] {
  const byId = new Map<number, Broker>();
  for (const b of [...inv.brokers, ...inv.controllers]) byId.set(b.id, b);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

export const isController = (b: Pick<Broker, 'roles'>) => b.roles.includes('controller');
export const isBroker = (b: Pick<Broker, 'roles'>) => b.roles.includes('broker');

/** How far (records of the metadata log) a voter may be behind the leader and still count as caught up. */
export const VOTER_LAG_MAX = Number(process.env.ZKAFKA_KRAFT_MAX_LAG ?? 10);
/** A voter whose last fetch is older than this (leader's clock, against the freshest fetch) is not caught up. */
export const VOTER_FETCH_MAX_AGE_MS = 5_000;

// ---- the quorum ----------------------------------------------------------------------------------

export interface KraftVoter {
  id: number;
  logEndOffset: number;
  /** The leader's log end offset minus this voter's; 0 for the leader. */
  lag: number;
  lastFetchTimestamp: number;
  lastCaughtUpTimestamp: number;
  caughtUp: boolean;
  /** DescribeQuorum v2: its metadata log dir's directory id (Kafka's Uuid form); undefined in a static quorum (all zero). */
  directoryId?: string;
}

export interface KraftQuorum {
  /** null when the quorum has no leader. */
  leader: number | null;
  epoch: number;
  highWatermark: number;
  voters: KraftVoter[];
  observers: Array<{ id: number; logEndOffset: number; lag: number }>;
}

/** The quorum from a DescribeQuorum answer (undefined when it carries an error: asked a non-leader). */
export function quorumFromWire(q: QuorumResult): KraftQuorum | undefined {
  if (q.errorCode !== 0) return undefined;
  const leader = q.leaderId >= 0 ? q.leaderId : null;
  const leo = q.voters.find((v) => v.replicaId === q.leaderId)?.logEndOffset ?? q.highWatermark;
  const freshest = Math.max(-1, ...q.voters.map((v) => v.lastFetchTimestamp ?? -1));
  const voters = q.voters.map((v): KraftVoter => {
    const lag = v.logEndOffset >= 0 ? Math.max(0, leo - v.logEndOffset) : Number.POSITIVE_INFINITY;
    const fetch = v.lastFetchTimestamp ?? -1;
    const fresh = freshest < 0 || (fetch >= 0 && freshest - fetch <= VOTER_FETCH_MAX_AGE_MS);
    const isLeader = v.replicaId === leader;
    const dir = v.directoryId && !/^0+$/.test(v.directoryId) ? Buffer.from(v.directoryId, 'hex').toString('base64url') : undefined;
    return {
      ...(dir ? { directoryId: dir } : {}),
      id: v.replicaId,
      logEndOffset: v.logEndOffset,
      lag: isLeader ? 0 : lag,
      lastFetchTimestamp: fetch,
      lastCaughtUpTimestamp: v.lastCaughtUpTimestamp ?? -1,
      caughtUp: leader !== null && (isLeader || (lag <= VOTER_LAG_MAX && fresh)),
    };
  });
  const observers = q.observers.map((o) => ({ id: o.replicaId, logEndOffset: o.logEndOffset, lag: o.logEndOffset >= 0 ? Math.max(0, leo - o.logEndOffset) : -1 }));
  return { leader, epoch: q.leaderEpoch, highWatermark: q.highWatermark, voters, observers };
}

/** A majority of the voters caught up with a leader among them. */
export function quorumHealthy(q: KraftQuorum | null | undefined, voterCount: number): boolean {
  if (!q || q.leader === null) return false;
  return q.voters.filter((v) => v.caughtUp).length > voterCount / 2;
}

/** What keeps `id` from being stopped without risking the quorum: every other voter caught up, a leader. */
export function quorumShortBeforeStop(q: KraftQuorum | undefined, id: number, voterIds: number[]): string[] {
  if (!q) return ['no controller answers DescribeQuorum'];
  if (q.leader === null) return ['the quorum has no leader'];
  const missing: string[] = [];
  for (const v of voterIds) {
    if (v === id) continue;
    const voter = q.voters.find((x) => x.id === v);
    if (!voter) missing.push(`controller ${v} is not a voter of the quorum`);
    else if (!voter.caughtUp) missing.push(`controller ${v} is not caught up (lag ${Number.isFinite(voter.lag) ? voter.lag : 'unknown'})`);
  }
  return missing;
}

// ---- brokers and partitions ----------------------------------------------------------------------

export interface KraftBroker {
  id: number;
  host: string;
  port: number;
  /** Kafka 4.0+ (DescribeCluster v2) says; before, fenced brokers are simply not listed. */
  fenced: boolean;
}

export function partitionsFromMetadata(m: MetadataResult): PartitionState[] {
  const internal = (t: string) => Number(t.startsWith('__'));
  return m.topics
    .flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition, replicas: p.replicas, leader: p.leaderId, isr: p.isr })))
    .sort((a, b) => internal(a.topic) - internal(b.topic) || a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

/** `host:port` of a listener endpoint (`PLAINTEXT://10.0.0.1:9092` → `10.0.0.1:9092`). */
export const endpointAddress = (endpoint: string) => endpoint.replace(/^[A-Za-z0-9_]+:\/\//, '');

/**
 * One run's Kafka connections, one per node and port, reopened when they break. Every read returns
 * undefined instead of throwing when no node answers.
 */
export const METADATA_VERSION = 'metadata.version';
/** The KRaft feature of KIP-853: 0 a static controller quorum, 1 a dynamic one. */
export const KRAFT_VERSION = 'kraft.version';
export const quorumKindOf = (kraftVersion: number): 'static' | 'dynamic' => (kraftVersion >= 1 ? 'dynamic' : 'static');

export class KraftClient {
  private conns = new Map<string, KafkaWireClient>();
  private leaderHint: number | undefined;
  constructor(
    private readonly s: Session,
    private readonly inv: Inventory,
  ) {}

  private async conn(b: Broker, port: number): Promise<KafkaWireClient | undefined> {
    const key = `${b.host}:${port}`;
    const have = this.conns.get(key);
    if (have) return have;
    if (!this.s.reachable(b.host)) return undefined;
    try {
      const c = await KafkaWireClient.connect(await this.s.transport(b.host).connect(b.address, port), { timeoutMs: 4000 });
      this.conns.set(key, c);
      return c;
    } catch (e) {
      if (e instanceof UserError && !this.s.reachable(b.host)) return undefined;
      return undefined;
    }
  }

  private async ask<T>(b: Broker, port: number, f: (c: KafkaWireClient) => Promise<T>): Promise<T | undefined> {
    const c = await this.conn(b, port);
    if (!c) return undefined;
    try {
      return await f(c);
    } catch {
      this.conns.delete(`${b.host}:${port}`);
      await c.close().catch(() => undefined);
      return undefined;
    }
  }

  /** The quorum as the active controller describes it (the others answer NOT_LEADER_OR_FOLLOWER). */
  async quorum(): Promise<KraftQuorum | undefined> {
    const order = [...this.inv.controllers].sort((a, b) => Number(b.id === this.leaderHint) - Number(a.id === this.leaderHint));
    for (const c of order) {
      const q = await this.ask(c, c.controllerPort, (k) => k.describeQuorum());
      const quorum = q && quorumFromWire(q);
      if (quorum) {
        if (quorum.leader !== null) this.leaderHint = quorum.leader;
        return quorum;
      }
    }
    return undefined;
  }

  /**
   * The active controller as controller `c` itself sees it (DescribeCluster on its CONTROLLER listener,
   * Kafka 3.7+): a number once it runs and knows the quorum's leader; undefined while it does not answer.
   */
  async controllerSees(c: Broker): Promise<number | undefined> {
    const r = await this.ask(c, c.controllerPort, (k) => k.describeCluster({ endpoint: 'controllers' }));
    return r && r.errorCode === 0 ? r.controllerId : undefined;
  }

  /** Brokers registered, as broker `on` (else the first broker that answers) knows them. */
  async brokers(on?: Broker): Promise<Map<number, KraftBroker> | undefined> {
    for (const b of on ? [on] : this.inv.brokers) {
      const r = await this.ask(b, b.port, (k) => k.describeCluster({ endpoint: 'brokers', includeFenced: true }));
      if (!r || r.errorCode !== 0) continue;
      return new Map(r.nodes.map((n) => [n.id, { id: n.id, host: n.host, port: n.port, fenced: n.fenced ?? false }]));
    }
    return undefined;
  }

  /** The controller id broker `b` gives in Metadata (no topics); undefined when it does not answer. */
  async controllerSeenBy(b: Broker): Promise<number | undefined> {
    const m = await this.ask(b, b.port, (k) => k.metadata([]));
    return m?.controllerId;
  }

  /** Every partition's leader, replicas and ISR, from the first broker that answers Metadata. */
  async partitions(): Promise<PartitionState[] | undefined> {
    for (const b of this.inv.brokers) {
      const m = await this.ask(b, b.port, (k) => k.metadata(null));
      if (m) return partitionsFromMetadata(m);
    }
    return undefined;
  }

  /**
   * metadata.version as each running node answers ApiVersions (on its broker listener, else its
   * controller listener): the finalized level, and per version the highest level its nodes support.
   */
  async metadataVersion(nodes: Array<{ node: Broker; version: string }>): Promise<(MetadataVersion & { kraftVersion: number }) | undefined> {
    const answers = await Promise.all(
      nodes.map(async ({ node, version }) => {
        const r = await this.ask(node, isBroker(node) ? node.port : node.controllerPort, (k) => k.apiVersions());
        const supported = r?.supportedFeatures.get(METADATA_VERSION)?.max;
        const finalized = r?.finalizedFeatures.get(METADATA_VERSION)?.max;
        // kraft.version is listed only when finalized above 0 (seen on genuine 3.9.1: a static quorum has none).
        const kraft = r?.finalizedFeatures.get(KRAFT_VERSION)?.max ?? 0;
        return supported === undefined ? undefined : { version, supported, finalized, kraft };
      }),
    );
    const seen = answers.filter((a): a is NonNullable<typeof a> => !!a);
    const finalized = Math.max(...seen.map((a) => a.finalized ?? -1));
    if (!seen.length || finalized < 0) return undefined;
    const supported = new Map<string, number>();
    for (const a of seen) supported.set(a.version, Math.min(a.supported, supported.get(a.version) ?? Infinity));
    return { finalized, supported, kraftVersion: Math.max(...seen.filter((a) => a.finalized !== undefined).map((a) => a.kraft)) };
  }

  async close(): Promise<void> {
    await Promise.all([...this.conns.values()].map((c) => c.close().catch(() => undefined)));
    this.conns.clear();
  }
}

/** Whether broker `b` is registered, unfenced, with the endpoint the inventory gives it. */
export function registeredAs(brokers: Map<number, KraftBroker> | undefined, b: Broker, expected: string): 'yes' | 'missing' | 'fenced' | 'endpoint' {
  const r = brokers?.get(b.id);
  if (!r) return 'missing';
  if (r.fenced) return 'fenced';
  return hostPort(r.host, r.port) === endpointAddress(expected) ? 'yes' : 'endpoint';
}

/** The in-sync gate of a KRaft roll (in-sync.ts): partitions from Metadata, live brokers from DescribeCluster. */
export function waitInSyncKraft(k: KraftClient, what: string, timeoutMs: number, out: Output, stopping?: number): Promise<void> {
  return waitInSync(
    async () => {
      const [partitions, regs] = await Promise.all([k.partitions(), k.brokers()]);
      return partitions && regs ? { partitions, live: new Set([...regs.values()].filter((r) => !r.fenced).map((r) => r.id)) } : 'no broker answering Metadata';
    },
    what,
    timeoutMs,
    out,
    stopping,
  );
}

// ---- storage: kafka-storage.sh format ------------------------------------------------------------

export interface FormatStep {
  host: string;
  id: number;
  /** The log dirs without meta.properties (format writes them; --ignore-formatted skips the others). */
  dirs: string[];
  clusterId: string;
  /** Where the cluster id comes from: the inventory, the hosts' meta.properties, or generated now. */
  clusterIdSource: 'inventory' | 'hosts' | 'new';
  /**
   * A dynamic quorum: its initial voters (every controller, with the directory id derived for it);
   * controllers are formatted with them (--initial-controllers), brokers with --no-initial-controllers.
   */
  initialControllers?: InitialController[];
}

export interface StorageDecision {
  clusterId?: string;
  clusterIdSource?: 'inventory' | 'hosts' | 'new';
  formats: FormatStep[];
  problems: string[];
  /** Nodes left unformatted, and why: a problem for a run that includes their host (a dynamic quorum's controllers). */
  refused: Array<{ host: string; problem: string }>;
}

/**
 * From every node's meta.properties (probe items `prop DIR/meta.properties KEY`; a file that exists
 * reports its `version` key, empty or not): the cluster id, the nodes to format, and the dirs that must
 * not be formatted over (another node's id, another cluster's id).
 */
export function storageDecision(inv: Inventory, facts: Map<string, HostFacts>, generate?: () => string, quorum?: KraftQuorum): StorageDecision {
  const problems: string[] = [];
  const seen: SeenClusterId[] = [];
  const empty: Array<{ b: Broker; dirs: string[] }> = [];
  for (const b of kafkaNodes(inv)) {
    const f = facts.get(b.host);
    if (!f) continue;
    const dirs: string[] = [];
    for (const d of kafka.storageDirs(b)) {
      const path = `${d}/meta.properties`;
      const prop = (k: string) => f.props.get(`${path} ${k}`);
      if (prop('version') === undefined) {
        dirs.push(d);
        continue;
      }
      const cluster = prop('cluster.id');
      const node = prop('node.id') || prop('broker.id');
      if (cluster) seen.push({ host: b.host, path, clusterId: cluster });
      if (node && node !== String(b.id)) {
        problems.push(`${b.host}: ${path} belongs to node ${node}${cluster ? ` of cluster ${cluster}` : ''}, but the inventory gives node ${b.id}: not formatting over it; fix the id, or move that log directory away`);
      }
    }
    if (dirs.length) empty.push({ b, dirs });
  }
  const choice = chooseClusterId(inv.clusterId, seen, generate);
  if (!choice.ok) return { formats: [], problems: [...problems, `not formatting any log dir: ${choice.problem}`], refused: [] };
  const initialControllers =
    inv.controllerQuorum === 'dynamic' ? inv.controllers.map((c) => ({ id: c.id, address: c.address, port: c.controllerPort, directoryId: controllerDirectoryId(choice.clusterId, c.id) })) : undefined;
  const refused = initialControllers ? dynamicQuorumRefusals(inv, facts, choice.clusterId, initialControllers, quorum) : [];
  return {
    clusterId: choice.clusterId,
    clusterIdSource: choice.source,
    formats: problems.length
      ? []
      : empty
          .filter(({ b }) => !refused.some((r) => r.host === b.host))
          .map(({ b, dirs }) => ({ host: b.host, id: b.id, dirs, clusterId: choice.clusterId, clusterIdSource: choice.source, ...(initialControllers ? { initialControllers } : {}) })),
    problems,
    refused,
  };
}

/**
 * Why the controllers of a dynamic quorum must not be formatted now (nothing is ever formatted over).
 * Only a quorum being formed is formatted: controllers without storage join the initial voter set the
 * others already hold. That is the case when no controller has run yet (an `up` interrupted after
 * formatting some of them), or when the running quorum lists them as voters with the directory id
 * derived for them (a host left out of the first `up`). A controller that is in no voter set would
 * need `kafka-metadata-quorum.sh add-controller`, which zkafka does not do: refused, with what to do.
 */
function dynamicQuorumRefusals(inv: Inventory, facts: Map<string, HostFacts>, clusterId: string, voters: InitialController[], quorum: KraftQuorum | undefined): StorageDecision['refused'] {
  const controllers = inv.controllers.flatMap((c) => {
    const f = facts.get(c.host);
    if (!f) return [];
    const path = `${kafka.metadataLogDir(c)}/meta.properties`;
    return [{ c, path, formatted: f.props.get(`${path} version`) !== undefined, directoryId: f.props.get(`${path} directory.id`) || undefined, ran: f.globs.get(`${metadataPartitionDir(c)} ${METADATA_SEGMENTS}`) === true }];
  });
  const unformatted = controllers.filter((x) => !x.formatted);
  if (!unformatted.length) return [];
  const derived = (id: number) => voters.find((v) => v.id === id)!.directoryId;
  const ids = (xs: Array<{ id: number }>) => xs.map((x) => x.id).join(',');
  const forming = `not formatting controller(s) ${ids(unformatted.map((u) => u.c))} with the initial voters ${initialControllersList(voters)}`;
  const refused: StorageDecision['refused'] = [];
  // Every controller still to format would get a voter set that this one does not hold: each is refused (the same line, shown once).
  for (const x of controllers.filter((y) => y.formatted && y.directoryId !== derived(y.c.id))) {
    const problem =
      `${x.c.host}: ${x.path} holds directory.id ${x.directoryId ?? '(none)'}, but zkafka derives ${derived(x.c.id)} for controller ${x.c.id} of cluster ${clusterId}: ` +
      `it was formatted otherwise (for a static quorum, or by hand), so the voter set it holds is not the one zkafka would give the others; ${forming}. ` +
      'Format them by hand with the voter set that controller holds, or start over with empty log dirs';
    for (const u of unformatted) refused.push({ host: u.c.host, problem });
  }
  const ran = controllers.filter((x) => x.formatted && x.ran).map((x) => x.c);
  for (const u of unformatted) {
    const voter = quorum?.voters.find((v) => v.id === u.c.id);
    const refuse = (problem: string) => refused.push({ host: u.c.host, problem });
    if (quorum && !voter) {
      refuse(
        `${u.c.host}: controller ${u.c.id} has no storage yet (no ${u.path}), and the running dynamic quorum (voters ${ids(quorum.voters)}) does not list it: zkafka does not add controllers to a running quorum. ` +
          `Take it out of the inventory, or add it by hand: on ${u.c.host}, kafka-storage.sh format --cluster-id ${clusterId} --config ${kafka.config(u.c)} --no-initial-controllers, start it, ` +
          `then kafka-metadata-quorum.sh --command-config ${kafka.config(u.c)} --bootstrap-controller ${leaderAddress(inv, quorum)} add-controller`,
      );
    } else if (quorum && voter?.directoryId !== undefined && voter.directoryId !== derived(u.c.id)) {
      refuse(`${u.c.host}: the running quorum lists controller ${u.c.id} with directory id ${voter.directoryId}, not the ${derived(u.c.id)} zkafka would format ${u.path} with: ${forming}; replace that voter by hand (kafka-metadata-quorum.sh remove-controller, then add-controller)`);
    } else if (!quorum && ran.length) {
      refuse(
        `${u.c.host}: controller ${u.c.id} has no storage yet (no ${u.path}), but controller(s) ${ids(ran)} already ran a dynamic quorum and none of them answers now: zkafka cannot tell whether ${u.c.id} is one of its voters; ` +
          `start the quorum without it first (zkafka up --hosts ${ran.map((c) => c.host).join(',')}), then run up again`,
      );
    }
  }
  return refused;
}

/** The CONTROLLER listener of the quorum's leader (else of the first controller). */
function leaderAddress(inv: Inventory, quorum: KraftQuorum): string {
  const c = inv.controllers.find((x) => x.id === quorum.leader) ?? inv.controllers[0]!;
  return hostPort(c.address, c.controllerPort);
}

/** `1@10.0.0.1:9093:DIRID, ...` shortened to the ids and directory ids, for messages. */
function initialControllersList(voters: InitialController[]): string {
  return voters.map((v) => `${v.id}:${v.directoryId}`).join(', ');
}
