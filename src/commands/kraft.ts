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
import { chooseClusterId, type PartitionState, type SeenClusterId } from '../services/kafka.js';
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
    return {
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
  async metadataVersion(nodes: Array<{ node: Broker; version: string }>): Promise<MetadataVersion | undefined> {
    const answers = await Promise.all(
      nodes.map(async ({ node, version }) => {
        const r = await this.ask(node, isBroker(node) ? node.port : node.controllerPort, (k) => k.apiVersions());
        const supported = r?.supportedFeatures.get(METADATA_VERSION)?.max;
        const finalized = r?.finalizedFeatures.get(METADATA_VERSION)?.max;
        return supported === undefined ? undefined : { version, supported, finalized };
      }),
    );
    const seen = answers.filter((a): a is NonNullable<typeof a> => !!a);
    const finalized = Math.max(...seen.map((a) => a.finalized ?? -1));
    if (!seen.length || finalized < 0) return undefined;
    const supported = new Map<string, number>();
    for (const a of seen) supported.set(a.version, Math.min(a.supported, supported.get(a.version) ?? Infinity));
    return { finalized, supported };
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
}

export interface StorageDecision {
  clusterId?: string;
  clusterIdSource?: 'inventory' | 'hosts' | 'new';
  formats: FormatStep[];
  problems: string[];
}

/**
 * From every node's meta.properties (probe items `prop DIR/meta.properties KEY`; a file that exists
 * reports its `version` key, empty or not): the cluster id, the nodes to format, and the dirs that must
 * not be formatted over (another node's id, another cluster's id).
 */
export function storageDecision(inv: Inventory, facts: Map<string, HostFacts>, generate?: () => string): StorageDecision {
  const problems: string[] = [];
  const seen: SeenClusterId[] = [];
  const empty: Array<{ b: Broker; dirs: string[] }> = [];
  for (const b of kafkaNodes(inv)) {
    const f = facts.get(b.host);
    if (!f) continue;
    const dirs: string[] = [];
    for (const d of b.logDirs) {
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
  if (!choice.ok) return { formats: [], problems: [...problems, `not formatting any log dir: ${choice.problem}`] };
  return {
    clusterId: choice.clusterId,
    clusterIdSource: choice.source,
    formats: problems.length ? [] : empty.map(({ b, dirs }) => ({ host: b.host, id: b.id, dirs, clusterId: choice.clusterId, clusterIdSource: choice.source })),
    problems,
  };
}
