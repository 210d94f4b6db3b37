// What a Kafka broker needs: its commands (as data) and how to read its ZooKeeper registration.
import type { Broker } from '../inventory/model.js';
import { hostPort } from '../inventory/model.js';
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

  ports(b: Broker): Array<{ port: number; what: string }> {
    return [{ port: b.port, what: 'listener port' }];
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
  registrationPath: (b: Broker) => `${b.chroot ?? ''}/brokers/ids/${b.id}`,
};

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
