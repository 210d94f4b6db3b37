// KRaft orchestration without a cluster: the quorum, brokers and partitions as zkafka reads them from
// frames recorded from genuine Kafka 3.9.1 (test/unit/fixtures/kafka-wire/), the roll guard of the
// quorum, the storage decision of `up` (which nodes to format, with which cluster id, and refusals),
// the plan's format steps, and which role takes which node.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../src/inventory/load.js';
import type { Inventory } from '../../src/inventory/model.js';
import { decodeDescribeQuorum, decodeMetadata, decodeResponseHeader, type QuorumResult } from '../../src/services/kafka-wire.js';
import { partitionHealth } from '../../src/services/kafka.js';
import { parseProbe, type HostFacts } from '../../src/services/probe.js';
import { kafkaNodes, partitionsFromMetadata, quorumFromWire, quorumHealthy, quorumShortBeforeStop, storageDecision } from '../../src/commands/kraft.js';
import { buildPlan } from '../../src/commands/plan.js';
import type { ClusterState } from '../../src/commands/state.js';
import { kafkaRole } from '../../src/commands/roles/kafka.js';
import { kraftBrokerRole } from '../../src/commands/roles/kraft-broker.js';
import { kraftControllerRole } from '../../src/commands/roles/kraft-controller.js';
import { zookeeperRole } from '../../src/commands/roles/zookeeper.js';

const DIR = join(import.meta.dirname, 'fixtures', 'kafka-wire');
function body(name: string): { body: Buffer; version: number } {
  const meta = JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as { apiKey: number; version: number };
  const frame = readFileSync(join(DIR, `${name}.bin`));
  return { body: decodeResponseHeader(frame.subarray(4), meta.apiKey, meta.version).body, version: meta.version };
}
const quorum = (name: string): QuorumResult => {
  const b = body(name);
  return decodeDescribeQuorum(b.body, b.version);
};

const ID_A = 'MkU3OEVBNTcwNTJENDM2Qg';
const ID_B = '3prEFvtCTDuAJWc2f16Hig';

function split(extra = ''): Inventory {
  const hosts = [1, 2, 3].map((i) => `  - { name: c${i}, address: 10.0.0.${i}, kafka: { id: ${i}, roles: [controller] } }`).concat([101, 102, 103].map((i) => `  - { name: b${i}, address: 10.0.1.${i - 100}, kafka: { id: ${i} } }`));
  return parseInventory(`cluster: k\nkafka:\n  mode: kraft\n  version: 3.9.1\n  logDirs: [/data/kafka-logs]\n${extra}hosts:\n${hosts.join('\n')}\n`, '/tmp/k.yaml');
}

/** Probe facts with meta.properties of /data/kafka-logs as given (undefined: no file). */
function facts(meta: Record<string, Record<string, string> | undefined>): Map<string, HostFacts> {
  const out = new Map<string, HostFacts>();
  for (const [host, props] of Object.entries(meta)) {
    const f = parseProbe('');
    if (props) {
      f.props.set('/data/kafka-logs/meta.properties version', props.version ?? '1');
      for (const [k, v] of Object.entries(props)) f.props.set(`/data/kafka-logs/meta.properties ${k}`, v);
    }
    out.set(host, f);
  }
  return out;
}
const none = (inv: Inventory) => Object.fromEntries(inv.hosts.map((h) => [h.name, undefined]));

describe('the quorum from DescribeQuorum (genuine 3.9.1)', () => {
  it('leader, epoch, high watermark; every voter caught up with lag 0', () => {
    const raw = quorum('3.9.1-describe-quorum-v2-controller');
    const q = quorumFromWire(raw)!;
    expect(q.leader).toBe(raw.leaderId);
    expect(q.epoch).toBe(raw.leaderEpoch);
    expect(q.highWatermark).toBe(raw.highWatermark);
    expect(q.voters.map((v) => [v.id, v.lag, v.caughtUp])).toEqual(raw.voters.map((v) => [v.replicaId, 0, true]));
    expect(quorumHealthy(q, 3)).toBe(true);
    expect(quorumShortBeforeStop(q, 2, [1, 2, 3])).toEqual([]);
  });

  it('a non-leader answer is no quorum', () => {
    expect(quorumFromWire(quorum('3.9.1-describe-quorum-v2-not-leader'))).toBeUndefined();
    expect(quorumShortBeforeStop(undefined, 1, [1, 2, 3])).toEqual(['no controller answers DescribeQuorum']);
  });

  it('after the leader was stopped: a new leader; the stopped voter falls behind and blocks a second stop', () => {
    const raw = quorum('3.9.1-describe-quorum-v2-after-leader-stop');
    const q = quorumFromWire(raw)!;
    expect(q.leader).not.toBe(2);
    const leo = raw.voters.find((v) => v.replicaId === raw.leaderId)!.logEndOffset;
    for (const v of q.voters) {
      const theirs = raw.voters.find((x) => x.replicaId === v.id)!.logEndOffset;
      // A voter the new leader has not heard from has no log end offset (-1): lag unknown, not caught up.
      expect(v.lag).toBe(v.id === q.leader ? 0 : theirs < 0 ? Number.POSITIVE_INFINITY : leo - theirs);
      if (theirs < 0) expect(v.caughtUp).toBe(false);
    }
    // Made stale by hand: a voter 20 records behind is not caught up, so no other voter may stop.
    const behind = { ...raw, voters: raw.voters.map((v) => (v.replicaId === 2 ? { ...v, logEndOffset: leo - 20 } : v)) };
    const q2 = quorumFromWire(behind)!;
    expect(q2.voters.find((v) => v.id === 2)!.caughtUp).toBe(false);
    const other = [1, 3].find((id) => id !== q2.leader)!;
    expect(quorumShortBeforeStop(q2, other, [1, 2, 3])).toEqual(['controller 2 is not caught up (lag 20)']);
    // The stopped one itself may go (it is the one being stopped); a quorum without a leader never.
    expect(quorumShortBeforeStop(q2, 2, [1, 2, 3])).toEqual([]);
    expect(quorumShortBeforeStop({ ...q2, leader: null }, 2, [1, 2, 3])).toEqual(['the quorum has no leader']);
  });
});

describe('partitions from Metadata (genuine 3.9.1)', () => {
  it('leader, replicas and ISR per partition; partitionHealth on them', () => {
    const b = body('3.9.1-metadata-v12-topic');
    const parts = partitionsFromMetadata(decodeMetadata(b.body, b.version));
    expect(parts).toHaveLength(3);
    for (const p of parts) {
      expect(p.replicas.sort()).toEqual([1, 2, 3]);
      expect(p.isr.sort()).toEqual([1, 2, 3]);
    }
    expect(partitionHealth(parts, new Set([1, 2, 3])).underReplicated).toEqual([]);
    const short = parts.map((p, i) => (i === 0 ? { ...p, isr: p.isr.slice(0, 2) } : p));
    expect(partitionHealth(short, new Set([1, 2, 3])).underReplicated).toHaveLength(1);
  });
});

describe('storage: which log dirs up formats, with which cluster id', () => {
  it('nothing formatted, no inventory id: every node formatted with one generated id', () => {
    const inv = split();
    const d = storageDecision(inv, facts(none(inv)), () => ID_A);
    expect(d).toMatchObject({ clusterId: ID_A, clusterIdSource: 'new', problems: [] });
    expect(d.formats.map((f) => [f.host, f.id, f.dirs, f.clusterId])).toEqual(kafkaNodes(inv).map((b) => [b.host, b.id, ['/data/kafka-logs'], ID_A]));
  });

  it("some nodes formatted: the id they hold, only the others formatted; all formatted: no step (a second up)", () => {
    const inv = split();
    const d = storageDecision(inv, facts({ ...none(inv), c1: { 'cluster.id': ID_B, 'node.id': '1' }, b101: { 'cluster.id': ID_B, 'node.id': '101' } }), () => ID_A);
    expect(d).toMatchObject({ clusterId: ID_B, clusterIdSource: 'hosts', problems: [] });
    expect(d.formats.map((f) => f.id)).toEqual([2, 3, 102, 103]);
    const all = Object.fromEntries(kafkaNodes(inv).map((b) => [b.host, { 'cluster.id': ID_B, 'node.id': String(b.id) }]));
    expect(storageDecision(inv, facts(all), () => ID_A)).toMatchObject({ clusterId: ID_B, formats: [], problems: [] });
  });

  it("the inventory's id when set", () => {
    const inv = split(`  clusterId: ${ID_A}\n`);
    expect(storageDecision(inv, facts(none(inv)))).toMatchObject({ clusterId: ID_A, clusterIdSource: 'inventory', problems: [] });
  });

  it('refuses a dir of another node, of another cluster, or hosts that disagree: no format at all', () => {
    const inv = split();
    const other = storageDecision(inv, facts({ ...none(inv), c2: { 'cluster.id': ID_B, 'node.id': '7' } }));
    expect(other.formats).toEqual([]);
    expect(other.problems).toEqual([`c2: /data/kafka-logs/meta.properties belongs to node 7 of cluster ${ID_B}, but the inventory gives node 2: not formatting over it; fix the id, or move that log directory away`]);
    const split2 = storageDecision(inv, facts({ ...none(inv), c1: { 'cluster.id': ID_A, 'node.id': '1' }, c2: { 'cluster.id': ID_B, 'node.id': '2' } }));
    expect(split2.formats).toEqual([]);
    expect(split2.problems[0]).toMatch(/^not formatting any log dir: the hosts' log dirs belong to different clusters: /);
    const inv2 = split(`  clusterId: ${ID_A}\n`);
    const theirs = storageDecision(inv2, facts({ ...none(inv2), b103: { 'cluster.id': ID_B, 'node.id': '103' } }));
    expect(theirs.formats).toEqual([]);
    expect(theirs.problems[0]).toContain(`b103:/data/kafka-logs/meta.properties already hold cluster.id ${ID_B}`);
  });
});

describe('the plan and the roles of a KRaft cluster', () => {
  const inv = split();
  const nodes = kafkaNodes(inv);
  const state = (pids: Record<number, number | undefined>, leader: number | null): ClusterState =>
    ({
      facts: new Map(),
      files: new Map(),
      members: [],
      brokers: nodes.map((b) => ({ broker: b, reachable: true, registered: false, ...(pids[b.id] ? { pid: pids[b.id] } : {}) })),
      controller: leader,
      registryKnown: true,
      kafkaPhase: { kind: 'steady' },
      versionProblems: [],
      kraft: { storage: storageDecision(inv, facts(none(inv)), () => ID_A), ...(leader !== null ? { quorum: { leader, epoch: 1, highWatermark: 10, voters: [], observers: [] } } : {}) },
    }) as ClusterState;

  it('a new cluster: format steps for every node, then starts; controllers to the controller role, brokers to the broker role', () => {
    const p = buildPlan(inv, state({}, null));
    expect(p.formats?.map((f) => f.id)).toEqual([1, 2, 3, 101, 102, 103]);
    expect(kraftControllerRole.steps(p, inv).map((x) => [x.id, x.action])).toEqual([[1, 'start'], [2, 'start'], [3, 'start']]);
    expect(kraftBrokerRole.steps(p, inv).map((x) => [x.id, x.action])).toEqual([[101, 'start'], [102, 'start'], [103, 'start']]);
    expect(kafkaRole.steps(p, inv)).toEqual([]);
    expect(kafkaRole.nodes(inv)).toEqual([]);
    expect(zookeeperRole.nodes(inv)).toEqual([]);
  });

  it('the active controller is the last of the roll and of down', () => {
    const st = state({ 1: 10, 2: 11, 3: 12, 101: 13, 102: 14, 103: 15 }, 1);
    expect(kraftControllerRole.last(st)).toBe(1);
    expect(kraftBrokerRole.last(st)).toBeUndefined();
    expect(kraftControllerRole.nodes(inv).map((b) => b.id)).toEqual([1, 2, 3]);
    expect(kraftBrokerRole.nodes(inv).map((b) => b.id)).toEqual([101, 102, 103]);
  });

  it('combined nodes belong to the controller role only (one process)', () => {
    const comb = parseInventory(`cluster: k\nkafka:\n  mode: kraft\n  version: 3.9.1\nhosts:\n${[1, 2, 3].map((i) => `  - { name: n${i}, address: 10.0.0.${i}, kafka: { id: ${i}, roles: [broker, controller] } }`).join('\n')}\n`, '/tmp/c.yaml');
    expect(kraftControllerRole.nodes(comb).map((b) => b.id)).toEqual([1, 2, 3]);
    expect(kraftBrokerRole.nodes(comb)).toEqual([]);
    expect(kafkaNodes(comb).map((b) => b.id)).toEqual([1, 2, 3]);
  });
});
