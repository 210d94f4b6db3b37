// src/services/kafka-wire.ts against genuine Kafka on the lab, through SSH-forwarded TCP connections
// (the same forwardOut channel zkafka's SSH transport opens), no JVM on the control machine.
// - kafka-3.9.1 project: a 3-node KRaft cluster started by hand (process.roles=broker,controller,
//   controller.quorum.voters, kafka-storage.sh format -t ID on each, kafka-server-start.sh -daemon);
//   ApiVersions, DescribeQuorum, DescribeCluster and Metadata on broker and controller listeners, then
//   the quorum leader stopped inside its host and a new leader seen.
// - kafka-2.4.1 project: one ZooKeeper-mode broker, for the ApiVersions fallback (2.4.1 knows v0..v3).
// ZKAFKA_RECORD_KAFKA_WIRE=1 writes the response frames to test/unit/fixtures/kafka-wire/ (the unit
// tests decode them). Runs as root:
//   ZKAFKA_LAB_INDEX=4 npx vitest run --project kafka-3.9.1 --maxWorkers 1 test/e2e/kafka-wire.test.ts
import { execa } from 'execa';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { NodeSSH } from 'node-ssh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, KafkaWireClient, KafkaWireError, type QuorumResult, type WireExchange } from '../../src/services/kafka-wire.js';
import { buildDists, labDown, labKafka, labUp, REPO_ROOT, sshConnect, type Lab, waitUntil } from '../lab/lab.js';
import { client } from './kafka-client.js';

const KAFKA = labKafka();
const KRAFT = !KAFKA.version.startsWith('2.');
const KAFKA_HEAP_OPTS = '-Xmx256M -Xms64M';
const RECORD = process.env.ZKAFKA_RECORD_KAFKA_WIRE === '1';
const FIXTURES = join(REPO_ROOT, 'test', 'unit', 'fixtures', 'kafka-wire');
const API_NAME: Record<number, string> = { 3: 'metadata', 18: 'api-versions', 55: 'describe-quorum', 60: 'describe-cluster' };

function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

async function sh(ssh: NodeSSH, cmd: string): Promise<{ stdout: string; stderr: string; code: number }> {
  const r = await ssh.execCommand(cmd);
  return { stdout: r.stdout, stderr: r.stderr, code: r.code ?? -1 };
}

/** A TCP connection from `ssh`'s host to address:port, carried by the SSH session (direct-tcpip). */
function forward(ssh: NodeSSH, address: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) =>
    ssh.connection!.forwardOut('127.0.0.1', 0, address, port, (err, ch) => (err ? reject(err) : resolve(ch))),
  );
}

/** The exchanges a client made, so a test can save the one it just checked. */
class Tape {
  all: WireExchange[] = [];
  readonly tap = (x: WireExchange) => this.all.push(x);
  /** Writes the last response of `apiKey` as `<kafka>-<api>-v<version>-<label>.bin` when recording. */
  save(apiKey: number, label: string, meta: Record<string, unknown> = {}): void {
    const x = [...this.all].reverse().find((e) => e.apiKey === apiKey);
    if (!x) throw new Error(`no ${API_NAME[apiKey]} exchange to save`);
    if (!RECORD) return;
    mkdirSync(FIXTURES, { recursive: true });
    const name = `${KAFKA.version}-${API_NAME[apiKey]}-v${x.version}-${label}`;
    writeFileSync(join(FIXTURES, `${name}.bin`), x.response);
    writeFileSync(join(FIXTURES, `${name}.json`), `${JSON.stringify({ kafka: KAFKA.version, apiKey, version: x.version, ...meta }, null, 2)}\n`);
  }
}

describe.runIf(KRAFT)(`kafka-wire on a genuine Kafka ${KAFKA.version} KRaft cluster (3 combined nodes)`, () => {
  let lab: Lab;
  let home: string;
  let clusterId: string;
  const sessions: NodeSSH[] = [];
  const addr = (i: number) => lab.hosts[i]!.address;

  /** A client on host `via`'s session to host `to`'s listener (9092 broker, 9093 controller). */
  async function open(via: number, to: number, port: number, tape?: Tape): Promise<KafkaWireClient> {
    return KafkaWireClient.connect(await forward(sessions[via]!, addr(to), port), { timeoutMs: 5000, ...(tape ? { tap: tape.tap } : {}) });
  }

  /** DescribeQuorum through a broker, which forwards it to the active controller. */
  async function quorum(via: number, to: number): Promise<QuorumResult> {
    const c = await open(via, to, 9092);
    try {
      return await c.describeQuorum();
    } finally {
      await c.close();
    }
  }

  beforeAll(async () => {
    const dists = await buildDists();
    const listing = await execa('tar', ['tzf', dists.kafkaTgz], { stdin: 'ignore' });
    home = `/opt/${listing.stdout.split('\n')[0]!.split('/')[0]!}`;
    lab = await labUp(3);
    for (const h of lab.hosts) sessions.push(await sshConnect(lab, h));
    const name = basename(dists.kafkaTgz);
    await Promise.all(
      sessions.map(async (s) => {
        await s.putFile(dists.kafkaTgz, `/opt/${name}`);
        const r = await sh(s, `cd /opt && tar xzf ${q(name)} && ls ${q(home)}/bin/kafka-storage.sh ${q(home)}/config/kraft/server.properties`);
        expect(r.code, r.stderr).toBe(0);
      }),
    );
    const id = await sh(sessions[0]!, `cd ${q(home)} && KAFKA_HEAP_OPTS=-Xmx64m bin/kafka-storage.sh random-uuid`);
    clusterId = id.stdout.trim();
    expect(clusterId, id.stderr).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const voters = lab.hosts.map((h, i) => `${i + 1}@${h.address}:9093`).join(',');
    await Promise.all(
      sessions.map(async (s, i) => {
        const props = [
          'process.roles=broker,controller',
          `node.id=${i + 1}`,
          `controller.quorum.voters=${voters}`,
          `listeners=PLAINTEXT://${addr(i)}:9092,CONTROLLER://${addr(i)}:9093`,
          `advertised.listeners=PLAINTEXT://${addr(i)}:9092`,
          'controller.listener.names=CONTROLLER',
          'inter.broker.listener.name=PLAINTEXT',
          'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
          'log.dirs=/data/kraft-logs',
          'num.partitions=1',
          'offsets.topic.replication.factor=3',
          'transaction.state.log.replication.factor=3',
          'transaction.state.log.min.isr=2',
          'group.initial.rebalance.delay.ms=0',
        ];
        const r = await sh(
          s,
          `set -e; cd ${q(home)} && printf '%s\\n' ${props.map(q).join(' ')} > config/kraft/wire.properties && ` +
            `KAFKA_HEAP_OPTS=-Xmx64m bin/kafka-storage.sh format -t ${q(clusterId)} -c config/kraft/wire.properties && ` +
            `KAFKA_HEAP_OPTS=${q(KAFKA_HEAP_OPTS)} bin/kafka-server-start.sh -daemon config/kraft/wire.properties`,
        );
        expect(r.stdout + r.stderr, `node ${i + 1}`).toMatch(/Formatting .*metadata\.version/);
        expect(r.code, r.stderr).toBe(0);
      }),
    );
    // Ready: a leader, and every node's broker unfenced (DescribeCluster lists only those).
    await waitUntil('a quorum leader and 3 brokers', 120_000, async () => {
      const qr = await quorum(0, 0);
      if (qr.leaderId < 0) return undefined;
      const c = await open(0, 0, 9092);
      try {
        return (await c.describeCluster()).nodes.length === 3 ? true : undefined;
      } finally {
        await c.close();
      }
    }, 1000);
  }, 240_000);

  afterAll(async () => {
    for (const s of sessions) s.dispose();
    await labDown();
  });

  it('ApiVersions (v4 on 3.9.1) names the API ranges and metadata.version finalized, on broker and controller listeners', async () => {
    for (const [port, label] of [[9092, 'broker'], [9093, 'controller']] as const) {
      const tape = new Tape();
      const c = await open(1, 0, port, tape);
      const v = await c.apiVersions();
      await c.close();
      expect(v.version).toBe(4);
      expect(v.errorCode).toBe(0);
      expect(v.apis.get(API.describeQuorum)).toEqual({ min: 0, max: 2 });
      expect(v.apis.get(API.describeCluster)).toEqual({ min: 0, max: 1 });
      // Metadata is a broker API: the controller listener does not offer it.
      expect(v.apis.has(API.metadata)).toBe(port === 9092);
      // 3.9.1 formats with 3.9-IV0, metadata.version level 21.
      expect(v.finalizedFeatures.get('metadata.version')).toEqual({ min: 21, max: 21 });
      expect(v.finalizedFeaturesEpoch).toBeGreaterThan(0);
      expect(v.supportedFeatures.get('metadata.version')?.max).toBe(21);
      expect(v.supportedFeatures.get('kraft.version')?.min).toBe(0); // v4: minimum 0 is no longer left out
      expect(v.zkMigrationReady).toBe(false);
      tape.save(API.apiVersions, label);
    }
  });

  it('DescribeQuorum v2: only the leader controller answers; one leader, 3 voters with offsets and timestamps, controller listeners; also via a broker', async () => {
    const tape = new Tape();
    // The active controller, as DescribeCluster on any controller listener names it.
    const any = await open(2, 2, 9093, tape);
    const leaderId = (await any.describeCluster({ endpoint: 'controllers' })).controllerId;
    expect([1, 2, 3]).toContain(leaderId);
    const follower = [0, 1, 2].find((i) => i !== leaderId - 1)!;
    await any.close();
    const f = await open(2, follower, 9093, tape);
    const refused = await f.describeQuorum();
    tape.save(API.describeQuorum, 'not-leader');
    await f.close();
    expect(refused.errorCode).toBe(6);
    expect(refused.error).toBe('NOT_LEADER_OR_FOLLOWER');

    const c = await open(2, leaderId - 1, 9093, tape);
    const qr = await waitUntil('every voter caught up', 30_000, async () => {
      const r = await c.describeQuorum();
      return r.voters.every((v) => v.logEndOffset === r.highWatermark) ? r : undefined;
    });
    tape.save(API.describeQuorum, 'controller', { voters: lab.hosts.map((h) => h.address) });
    expect(qr.version).toBe(2);
    expect(qr.errorCode).toBe(0);
    expect(qr.topic).toBe('__cluster_metadata');
    expect(qr.leaderId).toBe(leaderId);
    expect(qr.leaderEpoch).toBeGreaterThan(0);
    expect(qr.highWatermark).toBeGreaterThan(0);
    expect(qr.voters.map((v) => v.replicaId).sort()).toEqual([1, 2, 3]);
    for (const v of qr.voters) {
      expect(v.logEndOffset).toBeGreaterThan(0);
      expect(v.lastCaughtUpTimestamp).toBeGreaterThan(Date.now() - 600_000);
    }
    expect(qr.observers).toEqual([]); // combined nodes: every broker is a voter
    expect(qr.nodes.map((n) => [n.nodeId, n.listeners])).toEqual(
      lab.hosts.map((h, i) => [i + 1, [{ name: 'CONTROLLER', host: h.address, port: 9093 }]]),
    );
    await c.close();

    // A broker forwards DescribeQuorum to the active controller: the same leader.
    const b = await open(0, 2, 9092, tape);
    const viaBroker = await b.describeQuorum();
    await b.close();
    tape.save(API.describeQuorum, 'broker');
    expect(viaBroker.errorCode).toBe(0);
    expect(viaBroker.leaderId).toBe(qr.leaderId);
    expect(viaBroker.voters).toHaveLength(3);
  });

  it('DescribeCluster: 3 brokers and the formatted cluster id; controllers (v1) on the controller listener; a mismatched endpoint is an error value', async () => {
    const tape = new Tape();
    const b = await open(0, 0, 9092, tape);
    const brokers = await b.describeCluster();
    tape.save(API.describeCluster, 'brokers', { clusterId });
    const wrong = await b.describeCluster({ endpoint: 'controllers' });
    tape.save(API.describeCluster, 'mismatched');
    await b.close();
    expect(brokers).toMatchObject({ version: 1, errorCode: 0, endpointType: 'brokers', clusterId });
    expect(brokers.nodes).toEqual(lab.hosts.map((h, i) => ({ id: i + 1, host: h.address, port: 9092, rack: null })));
    expect(wrong.errorCode).toBe(114);
    expect(wrong.error).toBe('MISMATCHED_ENDPOINT_TYPE');

    const c = await open(0, 1, 9093, tape);
    const controllers = await c.describeCluster({ endpoint: 'controllers' });
    tape.save(API.describeCluster, 'controllers', { clusterId });
    const leader = (await quorum(0, 0)).leaderId;
    // A controller knows no Metadata: refused before anything is sent, naming both ranges.
    await expect(c.metadata()).rejects.toThrow(/Metadata: no version in common \(server none/);
    await c.close();
    expect(controllers).toMatchObject({ errorCode: 0, endpointType: 'controllers', clusterId, controllerId: leader });
    expect(controllers.nodes.map((n) => [n.id, n.host, n.port])).toEqual(lab.hosts.map((h, i) => [i + 1, h.address, 9093]));
  });

  it('Metadata v12: a topic created with kafkajs shows leaders, 3 replicas and 3 in sync', async () => {
    // Not waitForLeaders: kafkajs retries only LEADER_NOT_AVAILABLE, and KRaft brokers answer
    // UNKNOWN_TOPIC_OR_PARTITION until they have the new topic; the wait below is ours.
    const admin = client(lab.hosts.map((h) => `${h.address}:9092`)).admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: false, topics: [{ topic: 'wire', numPartitions: 3, replicationFactor: 3 }] });
    await admin.disconnect();
    const tape = new Tape();
    const c = await open(1, 1, 9092, tape);
    const md = await waitUntil('3 in-sync replicas everywhere', 30_000, async () => {
      const m = await c.metadata(['wire']);
      // Until the broker has the topic it answers UNKNOWN_TOPIC_OR_PARTITION with no partitions.
      const ps = m.topics[0]?.partitions ?? [];
      return ps.length === 3 && ps.every((p) => p.isr.length === 3) ? m : undefined;
    });
    tape.save(API.metadata, 'topic', { clusterId });
    const all = await c.metadata(null);
    await c.close();
    expect(md).toMatchObject({ version: 12, clusterId });
    expect(md.brokers.map((x) => x.id).sort()).toEqual([1, 2, 3]);
    expect(md.topics).toHaveLength(1);
    const t = md.topics[0]!;
    expect(t).toMatchObject({ name: 'wire', errorCode: 0, internal: false });
    expect(t.topicId).not.toBe('0'.repeat(32));
    expect(t.partitions.map((p) => p.partition).sort()).toEqual([0, 1, 2]);
    for (const p of t.partitions) {
      expect(p.replicas).toContain(p.leaderId);
      expect([...p.isr].sort()).toEqual([1, 2, 3]);
      expect(p.leaderEpoch).toBeGreaterThanOrEqual(0);
    }
    expect(all.topics.map((x) => x.name)).toContain('wire');
  });

  it('answers requests sent together by correlation id', async () => {
    const c = await open(0, 0, 9092);
    const [v, qr, cl, md] = await Promise.all([c.apiVersions(), c.describeQuorum(), c.describeCluster(), c.metadata([])]);
    await c.close();
    expect(v.errorCode).toBe(0);
    expect(qr.voters).toHaveLength(3);
    expect(cl.clusterId).toBe(clusterId);
    expect(md.topics).toEqual([]);
    await expect(c.describeQuorum()).rejects.toThrow(KafkaWireError);
  });

  it('a non-Kafka listener (sshd) fails with a frame error, not a hang', async () => {
    await expect(KafkaWireClient.connect(await forward(sessions[0]!, addr(0), 22), { timeoutMs: 5000 })).rejects.toThrow(/bad Kafka frame size/);
  });

  it('stopping the quorum leader (kafka-server-stop.sh inside its host) elects another; DescribeCluster then lists 2 brokers', async () => {
    const before = await waitUntil('a leader', 30_000, async () => {
      const qr = await quorum(0, 0);
      return qr.leaderId > 0 ? qr : undefined;
    });
    const li = before.leaderId - 1;
    const r = await sh(sessions[li]!, `cd ${q(home)} && bin/kafka-server-stop.sh`);
    expect(r.code, r.stderr).toBe(0);
    const other = [0, 1, 2].find((i) => i !== li)!;
    const after = await waitUntil('a new leader', 60_000, async () => {
      const qr = await quorum(other, other);
      return qr.leaderId > 0 && qr.leaderId !== before.leaderId ? qr : undefined;
    }, 500);
    const tape = new Tape();
    const c = await open(other, other, 9093, tape);
    const settled = await c.describeQuorum();
    tape.save(API.describeQuorum, 'after-leader-stop', { stoppedNode: before.leaderId });
    await c.close();
    expect(after.leaderEpoch).toBeGreaterThan(before.leaderEpoch);
    expect(settled.leaderId).toBe(after.leaderId);
    expect(settled.voters.map((v) => v.replicaId).sort()).toEqual([1, 2, 3]); // still a voter, just not fetching
    const b = await open(other, other, 9092);
    const cl = await waitUntil('the stopped broker gone from DescribeCluster', 30_000, async () => {
      const x = await b.describeCluster();
      return x.nodes.length === 2 ? x : undefined;
    });
    await b.close();
    expect(cl.nodes.map((n) => n.id)).not.toContain(before.leaderId);
  }, 120_000);
});

describe.runIf(!KRAFT)(`kafka-wire on a genuine Kafka ${KAFKA.version} broker (ZooKeeper mode): the ApiVersions fallback`, () => {
  let lab: Lab;
  let ssh: NodeSSH;
  let home: string;
  const ZK_HOME = '/opt/apache-zookeeper-3.8.0-bin';

  beforeAll(async () => {
    const dists = await buildDists();
    const listing = await execa('tar', ['tzf', dists.kafkaTgz], { stdin: 'ignore' });
    home = `/opt/${listing.stdout.split('\n')[0]!.split('/')[0]!}`;
    lab = await labUp(1);
    ssh = await sshConnect(lab, lab.hosts[0]!);
    const a = lab.hosts[0]!.address;
    await ssh.putFile(dists.zookeeperTgz, `/opt/${basename(dists.zookeeperTgz)}`);
    await ssh.putFile(dists.kafkaTgz, `/opt/${basename(dists.kafkaTgz)}`);
    const zoo = ['tickTime=2000', 'dataDir=/data/zookeeper', 'clientPort=2181', 'admin.enableServer=false'];
    const props = [
      'broker.id=0',
      `listeners=PLAINTEXT://${a}:9092`,
      'log.dirs=/data/kafka-logs',
      `zookeeper.connect=${a}:2181`,
      'offsets.topic.replication.factor=1',
    ];
    const r = await sh(
      ssh,
      `set -e; cd /opt && tar xzf ${q(basename(dists.zookeeperTgz))} && tar xzf ${q(basename(dists.kafkaTgz))} && ` +
        `cd ${q(ZK_HOME)} && printf '%s\\n' ${zoo.map(q).join(' ')} > conf/zoo.cfg && bin/zkServer.sh start conf/zoo.cfg && ` +
        `cd ${q(home)} && printf '%s\\n' ${props.map(q).join(' ')} > config/wire.properties && ` +
        `KAFKA_HEAP_OPTS=${q(KAFKA_HEAP_OPTS)} bin/kafka-server-start.sh -daemon config/wire.properties`,
    );
    expect(r.code, r.stderr).toBe(0);
    await waitUntil('the broker answering ApiVersions', 90_000, async () => {
      const c = await KafkaWireClient.connect(await forward(ssh, a, 9092), { timeoutMs: 3000 });
      await c.close();
      return true;
    }, 1000);
  }, 180_000);

  afterAll(async () => {
    ssh?.dispose();
    await labDown();
  });

  it('asks v4, gets UNSUPPORTED_VERSION in v0 with its own range, asks again at v3; no features; no DescribeQuorum/DescribeCluster', async () => {
    const tape = new Tape();
    const c = await KafkaWireClient.connect(await forward(ssh, lab.hosts[0]!.address, 9092), { tap: tape.tap });
    expect(tape.all.map((x) => [x.apiKey, x.version])).toEqual([
      [18, 4],
      [18, 3],
    ]);
    // The refusal: saved on its own before the retry's answer overwrites the "last" exchange.
    const refused = tape.all[0]!;
    tape.all = [refused];
    tape.save(API.apiVersions, 'unsupported');
    const v = await c.apiVersions();
    tape.save(API.apiVersions, 'broker');
    expect(v.version).toBe(3);
    expect(v.errorCode).toBe(0);
    expect(v.apis.get(API.apiVersions)).toEqual({ min: 0, max: 3 });
    expect(v.apis.has(API.describeQuorum)).toBe(false);
    expect(v.apis.has(API.describeCluster)).toBe(false);
    expect(v.supportedFeatures.size).toBe(0);
    expect(v.finalizedFeaturesEpoch).toBe(-1);
    await expect(c.describeQuorum()).rejects.toThrow(/DescribeQuorum: no version in common/);
    await expect(c.describeCluster()).rejects.toThrow(/DescribeCluster: no version in common/);
    const md = await c.metadata([]);
    tape.save(API.metadata, 'no-topics');
    await c.close();
    expect(md.version).toBe(9);
    expect(md.brokers).toEqual([{ id: 0, host: lab.hosts[0]!.address, port: 9092, rack: null }]);
    expect(md.controllerId).toBe(0);
    expect(md.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
