// Partition health from ZooKeeper's znodes: the pure halves, on data recorded from genuine Apache Kafka
// 2.4.1 brokers (3 brokers; topic t1 with 3 partitions and replication factor 3, t2 with 1 partition on 0,2).
import { describe, expect, it } from 'vitest';
import { describePartition, parsePartitionState, parseTopicAssignment, partitionHealth, type PartitionState } from '../../src/services/kafka.js';

const T1 = '{"version":2,"partitions":{"2":[2,0,1],"1":[0,1,2],"0":[1,2,0]},"adding_replicas":{},"removing_replicas":{}}';
const T2 = '{"version":2,"partitions":{"0":[0,2]},"adding_replicas":{},"removing_replicas":{}}';
// All three brokers up.
const HEALTHY = {
  t1: ['{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":[1,2,0]}', '{"controller_epoch":1,"leader":0,"version":1,"leader_epoch":0,"isr":[0,1,2]}', '{"controller_epoch":1,"leader":2,"version":1,"leader_epoch":0,"isr":[2,0,1]}'],
  t2: ['{"controller_epoch":1,"leader":0,"version":1,"leader_epoch":0,"isr":[0,2]}'],
};
// Broker 2 stopped.
const WITHOUT_2 = {
  t1: ['{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":1,"isr":[1,0]}', '{"controller_epoch":1,"leader":0,"version":1,"leader_epoch":1,"isr":[0,1]}', '{"controller_epoch":1,"leader":0,"version":1,"leader_epoch":1,"isr":[0,1]}'],
  t2: ['{"controller_epoch":1,"leader":0,"version":1,"leader_epoch":1,"isr":[0]}'],
};
// Then broker 0 stopped too: t2-0 has no replica left (the controller set leader -1 once it noticed).
const ONLY_1 = {
  t1: ['{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":2,"isr":[1]}', '{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":2,"isr":[1]}', '{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":2,"isr":[1]}'],
  t2: ['{"controller_epoch":2,"leader":-1,"version":1,"leader_epoch":2,"isr":[0]}'],
};
// Recorded from genuine Kafka 3.9.1 in ZooKeeper mode: version 3 topics carry a topic_id.
const T_39 = '{"partitions":{"0":[2,1,0],"1":[1,0,2],"2":[0,2,1]},"topic_id":"CD6UxsRRTs-uq72pJxnVig","adding_replicas":{},"removing_replicas":{},"version":3}';
const STATE_39 = '{"controller_epoch":3,"leader":1,"version":1,"leader_epoch":9,"isr":[0,1,2]}';

function parts(states: { t1: string[]; t2: string[] }): PartitionState[] {
  const out: PartitionState[] = [];
  for (const [topic, assignment] of [['t1', T1], ['t2', T2]] as const) {
    for (const [partition, replicas] of parseTopicAssignment(assignment)!) {
      out.push({ topic, partition, replicas, ...parsePartitionState(states[topic][partition]!)! });
    }
  }
  return out;
}

describe('partition znodes', () => {
  it('reads replicas per partition, for 2.4 and 3.x topics', () => {
    expect([...parseTopicAssignment(T1)!].sort()).toEqual([[0, [1, 2, 0]], [1, [0, 1, 2]], [2, [2, 0, 1]]]);
    expect([...parseTopicAssignment(T_39)!]).toEqual([[0, [2, 1, 0]], [1, [1, 0, 2]], [2, [0, 2, 1]]]);
    expect(parsePartitionState(STATE_39)).toEqual({ leader: 1, isr: [0, 1, 2] });
  });
  it('refuses what is not a topic or a state', () => {
    expect(parseTopicAssignment('{"version":2}')).toBeUndefined();
    expect(parseTopicAssignment('{"partitions":{"x":[1]}}')).toBeUndefined();
    expect(parseTopicAssignment('not json')).toBeUndefined();
    expect(parsePartitionState('{"leader":1}')).toBeUndefined();
    expect(parsePartitionState('{"leader":1,"isr":["1"]}')).toBeUndefined();
  });
});

describe('partitionHealth', () => {
  it('a healthy cluster: nothing short, leaders spread', () => {
    const h = partitionHealth(parts(HEALTHY), new Set([0, 1, 2]));
    expect(h.total).toBe(4);
    expect(h.underReplicated).toEqual([]);
    expect(h.offline).toEqual([]);
    expect(h.brokers.get(0)).toEqual({ leader: 2, underReplicated: 0, outOfSync: 0 });
    expect(h.brokers.get(1)).toEqual({ leader: 1, underReplicated: 0, outOfSync: 0 });
    expect(h.brokers.get(2)).toEqual({ leader: 1, underReplicated: 0, outOfSync: 0 });
  });
  it('a broker down: every partition it holds is under-replicated, and it is out of sync on them', () => {
    const h = partitionHealth(parts(WITHOUT_2), new Set([0, 1]));
    expect(h.underReplicated.map((p) => `${p.topic}-${p.partition}`)).toEqual(['t1-0', 't1-1', 't1-2', 't2-0']);
    expect(h.offline).toEqual([]);
    expect(h.brokers.get(2)).toEqual({ leader: 0, underReplicated: 0, outOfSync: 4 });
    expect(h.brokers.get(0)).toEqual({ leader: 3, underReplicated: 3, outOfSync: 0 });
    expect(describePartition(h.underReplicated.find((p) => p.topic === 't2')!)).toBe('t2-0 (replicas 0,2, in sync 0, leader 0)');
  });
  it('offline: no leader, or a leader that is not registered', () => {
    const h = partitionHealth(parts(ONLY_1), new Set([1]));
    expect(h.offline.map((p) => `${p.topic}-${p.partition}`)).toEqual(['t2-0']);
    expect(h.brokers.get(1)!.leader).toBe(3);
    // Before the controller notices, t2-0 still names broker 0 as its leader; broker 0 is gone.
    const early = partitionHealth(parts(WITHOUT_2), new Set([1]));
    expect(early.offline.map((p) => `${p.topic}-${p.partition}`).sort()).toEqual(['t1-1', 't1-2', 't2-0']);
  });
});

describe('the in-sync gate before a stop', () => {
  const p = (partition: number, isr: number[]) => ({ topic: 't', partition, replicas: [0, 1, 2], leader: isr[0]!, isr });
  const gate = async (parts: ReturnType<typeof p>[], stopping?: number) => {
    const { waitInSync } = await import('../../src/commands/in-sync.js');
    const { Output } = await import('../../src/ui/output.js');
    const { PassThrough } = await import('node:stream');
    const out = new Output({ tty: false, stderr: new PassThrough(), stdout: new PassThrough() });
    return waitInSync(async () => ({ partitions: parts, live: new Set([0, 1, 2]) }), 'before stopping broker 1', 300, out, stopping);
  };
  it('passes when only the broker to stop is out of sync (stopping it takes no in-sync replica away)', async () => {
    await expect(gate([p(0, [0, 2]), p(1, [2, 0])], 1)).resolves.toBeUndefined();
  });
  it('waits, then fails naming the partition, when another replica is out of sync', async () => {
    await expect(gate([p(0, [0, 2]), p(1, [0, 1])], 1)).rejects.toThrow(/expected every partition in sync within 0.3s, saw 1 partition\(s\) under-replicated/);
    await expect(gate([p(0, [0, 2])])).rejects.toThrow(/1 partition\(s\) under-replicated/);
  });
});
