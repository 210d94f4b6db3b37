// The Kafka wire client (src/services/kafka-wire.ts) on response frames recorded from genuine Kafka 3.9.1
// (a 3-node KRaft cluster) and 2.4.1 (ZooKeeper mode) by test/e2e/kafka-wire.test.ts with
// ZKAFKA_RECORD_KAFKA_WIRE=1: each .bin is one whole frame as the broker sent it, its .json says which
// API/version it answers and what the recording run knew independently (cluster id given to format,
// the voters' addresses, the node that was stopped). Then the client's framing on an in-memory stream.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  API,
  decodeApiVersions,
  decodeDescribeCluster,
  decodeDescribeQuorum,
  decodeMetadata,
  decodeResponseHeader,
  encodeDescribeClusterRequest,
  encodeDescribeQuorumRequest,
  encodeMetadataRequest,
  encodeRequest,
  KafkaWireClient,
  KafkaWireError,
  negotiate,
  Reader,
  Writer,
} from '../../src/services/kafka-wire.js';

const DIR = join(import.meta.dirname, 'fixtures', 'kafka-wire');

interface Fixture {
  frame: Buffer;
  meta: { kafka: string; apiKey: number; version: number; clusterId?: string; voters?: string[]; stoppedNode?: number };
}

function fixture(name: string): Fixture {
  return { frame: readFileSync(join(DIR, `${name}.bin`)), meta: JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) };
}

/** The frame's body after its size and response header (checked). */
function body(f: Fixture): Buffer {
  expect(f.frame.readInt32BE(0)).toBe(f.frame.length - 4);
  const { correlationId, body } = decodeResponseHeader(f.frame.subarray(4), f.meta.apiKey, f.meta.version);
  expect(correlationId).toBeGreaterThan(0);
  return body;
}

describe('recorded frames', () => {
  it('every fixture decodes to the last byte', () => {
    const names = readdirSync(DIR).filter((n) => n.endsWith('.bin'));
    expect(names.length).toBeGreaterThanOrEqual(13);
    const decode: Record<number, (b: Buffer, v: number) => unknown> = {
      [API.apiVersions]: decodeApiVersions,
      [API.describeQuorum]: decodeDescribeQuorum,
      [API.describeCluster]: decodeDescribeCluster,
      [API.metadata]: decodeMetadata,
    };
    for (const n of names) {
      const f = fixture(n.slice(0, -4));
      expect(() => decode[f.meta.apiKey]!(body(f), f.meta.version), n).not.toThrow();
    }
  });

  it('ApiVersions v4 from a 3.9.1 broker: ranges, supported and finalized features', () => {
    const v = decodeApiVersions(body(fixture('3.9.1-api-versions-v4-broker')), 4);
    expect(v).toMatchObject({ version: 4, errorCode: 0, throttleTimeMs: 0, zkMigrationReady: false });
    expect(v.apis.get(API.apiVersions)).toEqual({ min: 0, max: 4 });
    expect(v.apis.get(API.metadata)).toEqual({ min: 0, max: 12 });
    expect(v.apis.get(API.describeQuorum)).toEqual({ min: 0, max: 2 });
    expect(v.apis.get(API.describeCluster)).toEqual({ min: 0, max: 1 });
    expect(v.supportedFeatures.get('metadata.version')).toEqual({ min: 1, max: 21 });
    expect(v.supportedFeatures.get('kraft.version')).toEqual({ min: 0, max: 1 });
    expect(v.finalizedFeatures.get('metadata.version')).toEqual({ min: 21, max: 21 }); // 3.9-IV0
    expect(v.finalizedFeaturesEpoch).toBeGreaterThan(0);
  });

  it('ApiVersions v4 from a 3.9.1 controller listener: controller APIs only (no Metadata)', () => {
    const v = decodeApiVersions(body(fixture('3.9.1-api-versions-v4-controller')), 4);
    expect(v.errorCode).toBe(0);
    expect(v.apis.has(API.metadata)).toBe(false);
    expect(v.apis.get(API.describeQuorum)).toEqual({ min: 0, max: 2 });
    expect(v.finalizedFeatures.get('metadata.version')?.max).toBe(21);
  });

  it('ApiVersions v4 to 2.4.1: UNSUPPORTED_VERSION, answered in v0 with the broker ranges (KIP-511)', () => {
    const f = fixture('2.4.1-api-versions-v4-unsupported');
    expect(f.meta.version).toBe(4);
    const v = decodeApiVersions(body(f), 4);
    expect(v).toMatchObject({ version: 0, errorCode: 35, error: 'UNSUPPORTED_VERSION' });
    expect(v.apis.get(API.apiVersions)).toEqual({ min: 0, max: 3 });
    expect(negotiate(API.apiVersions, v.apis.get(API.apiVersions))).toBe(3);
  });

  it('ApiVersions v3 from 2.4.1: no features, no KRaft APIs', () => {
    const v = decodeApiVersions(body(fixture('2.4.1-api-versions-v3-broker')), 3);
    expect(v).toMatchObject({ version: 3, errorCode: 0, finalizedFeaturesEpoch: -1, zkMigrationReady: false });
    expect(v.supportedFeatures.size).toBe(0);
    expect(v.finalizedFeatures.size).toBe(0);
    expect(v.apis.get(API.metadata)).toEqual({ min: 0, max: 9 });
    expect(negotiate(API.describeQuorum, v.apis.get(API.describeQuorum))).toBeUndefined();
    expect(negotiate(API.describeCluster, v.apis.get(API.describeCluster))).toBeUndefined();
  });

  it('DescribeQuorum v2 from the leader controller: leader, epoch, high watermark, 3 voters, their listeners', () => {
    const f = fixture('3.9.1-describe-quorum-v2-controller');
    const qr = decodeDescribeQuorum(body(f), 2);
    expect(qr).toMatchObject({ version: 2, errorCode: 0, topic: '__cluster_metadata', partition: 0, observers: [] });
    expect([1, 2, 3]).toContain(qr.leaderId);
    expect(qr.leaderEpoch).toBeGreaterThan(0);
    expect(qr.highWatermark).toBeGreaterThan(0);
    expect(qr.voters.map((v) => v.replicaId).sort()).toEqual([1, 2, 3]);
    for (const v of qr.voters) {
      expect(v.logEndOffset).toBe(qr.highWatermark); // recorded once every voter had caught up
      expect(v.directoryId).toMatch(/^[0-9a-f]{32}$/);
      expect(v.lastCaughtUpTimestamp).toBeGreaterThan(1_600_000_000_000);
    }
    expect(qr.nodes).toEqual(f.meta.voters!.map((host, i) => ({ nodeId: i + 1, listeners: [{ name: 'CONTROLLER', host, port: 9093 }] })));
  });

  it('DescribeQuorum v2 from a follower controller: NOT_LEADER_OR_FOLLOWER as a value', () => {
    const qr = decodeDescribeQuorum(body(fixture('3.9.1-describe-quorum-v2-not-leader')), 2);
    expect(qr.errorCode).toBe(6);
    expect(qr.error).toBe('NOT_LEADER_OR_FOLLOWER');
    expect(qr.voters).toEqual([]);
  });

  it('DescribeQuorum v2 forwarded by a broker, and after the leader was stopped: a new leader, a later epoch', () => {
    const first = decodeDescribeQuorum(body(fixture('3.9.1-describe-quorum-v2-controller')), 2);
    const viaBroker = decodeDescribeQuorum(body(fixture('3.9.1-describe-quorum-v2-broker')), 2);
    expect(viaBroker.leaderId).toBe(first.leaderId);
    const f = fixture('3.9.1-describe-quorum-v2-after-leader-stop');
    const after = decodeDescribeQuorum(body(f), 2);
    expect(after.errorCode).toBe(0);
    expect(after.leaderId).not.toBe(f.meta.stoppedNode);
    expect([1, 2, 3]).toContain(after.leaderId);
    expect(after.leaderEpoch).toBeGreaterThan(first.leaderEpoch);
    expect(after.voters.map((v) => v.replicaId).sort()).toEqual([1, 2, 3]);
  });

  it('DescribeCluster v1: brokers on a broker listener, controllers on a controller listener, a mismatch as an error value', () => {
    const b = fixture('3.9.1-describe-cluster-v1-brokers');
    const brokers = decodeDescribeCluster(body(b), 1);
    expect(brokers).toMatchObject({ version: 1, errorCode: 0, errorMessage: null, endpointType: 'brokers', clusterId: b.meta.clusterId });
    expect(brokers.nodes.map((n) => [n.id, n.port, n.rack])).toEqual([
      [1, 9092, null],
      [2, 9092, null],
      [3, 9092, null],
    ]);
    const c = fixture('3.9.1-describe-cluster-v1-controllers');
    const controllers = decodeDescribeCluster(body(c), 1);
    expect(controllers).toMatchObject({ errorCode: 0, endpointType: 'controllers', clusterId: c.meta.clusterId });
    expect([1, 2, 3]).toContain(controllers.controllerId);
    expect(controllers.nodes.map((n) => n.port)).toEqual([9093, 9093, 9093]);
    const wrong = decodeDescribeCluster(body(fixture('3.9.1-describe-cluster-v1-mismatched')), 1);
    expect(wrong).toMatchObject({ errorCode: 114, error: 'MISMATCHED_ENDPOINT_TYPE', nodes: [] });
    expect(wrong.errorMessage).toMatch(/endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER/);
  });

  it('Metadata v12 (3.9.1): brokers, cluster id, a topic with 3 partitions and 3 in-sync replicas each', () => {
    const f = fixture('3.9.1-metadata-v12-topic');
    const md = decodeMetadata(body(f), 12);
    expect(md.clusterId).toBe(f.meta.clusterId);
    expect(md.brokers.map((b) => b.id).sort()).toEqual([1, 2, 3]);
    expect([1, 2, 3]).toContain(md.controllerId);
    expect(md.topics).toHaveLength(1);
    const t = md.topics[0]!;
    expect(t).toMatchObject({ name: 'wire', errorCode: 0, internal: false });
    expect(t.topicId).toMatch(/^[0-9a-f]{32}$/);
    expect(t.topicId).not.toBe('0'.repeat(32));
    expect(t.partitions.map((p) => p.partition).sort()).toEqual([0, 1, 2]);
    for (const p of t.partitions) {
      expect(p.errorCode).toBe(0);
      expect(p.replicas).toContain(p.leaderId);
      expect([...p.isr].sort()).toEqual([1, 2, 3]);
      expect(p.offlineReplicas).toEqual([]);
    }
  });

  it('Metadata v9 (2.4.1, first flexible version): one broker, its controller and cluster id', () => {
    const md = decodeMetadata(body(fixture('2.4.1-metadata-v9-no-topics')), 9);
    expect(md.brokers).toHaveLength(1);
    expect(md.brokers[0]).toMatchObject({ id: 0, port: 9092, rack: null });
    expect(md.controllerId).toBe(0);
    expect(md.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(md.topics).toEqual([]);
  });
});

describe('encoding', () => {
  it('request header v1 (non-flexible) and v2 (flexible: tagged fields, ClientId still int16-sized)', () => {
    const v1 = encodeRequest(18, 0, 7, 'ab', Buffer.alloc(0));
    expect(v1.toString('hex')).toBe('0000000c' + '0012' + '0000' + '00000007' + '0002' + '6162');
    const v2 = encodeRequest(60, 1, 8, 'ab', encodeDescribeClusterRequest(1, 'controllers'));
    expect(v2.toString('hex')).toBe('00000010' + '003c' + '0001' + '00000008' + '0002' + '6162' + '00' + '00' + '02' + '00');
  });

  it('DescribeQuorum asks for __cluster_metadata partition 0 in compact form', () => {
    const r = new Reader(encodeDescribeQuorumRequest(2));
    expect(r.uvarint()).toBe(2); // one topic
    expect(r.str(true)).toBe('__cluster_metadata');
    expect(r.uvarint()).toBe(2); // one partition
    expect(r.int32()).toBe(0);
    expect([r.uvarint(), r.uvarint(), r.uvarint()]).toEqual([0, 0, 0]); // partition, topic, request tags
    r.end('request');
  });

  it('Metadata: null topics (all) per version, never auto-creating', () => {
    expect(encodeMetadataRequest(12, null).toString('hex')).toBe('00' + '00' + '00' + '00'); // null array, 2 bools, tags
    expect(encodeMetadataRequest(1, null).toString('hex')).toBe('ffffffff');
    expect(encodeMetadataRequest(0, null).toString('hex')).toBe('00000000'); // v0: empty means all
    expect(() => encodeMetadataRequest(0, [])).toThrow(KafkaWireError);
    expect(encodeMetadataRequest(4, ['t']).toString('hex')).toBe('00000001' + '0001' + '74' + '00');
  });

  it('unsigned varints round-trip', () => {
    for (const n of [0, 1, 127, 128, 300, 16_383, 16_384, 2 ** 31 - 1]) {
      const r = new Reader(new Writer().uvarint(n).bytes());
      expect(r.uvarint()).toBe(n);
      r.end('varint');
    }
    expect(new Writer().uvarint(300).bytes().toString('hex')).toBe('ac02');
  });

  it('a truncated body throws instead of reading garbage', () => {
    const b = body(fixture('3.9.1-describe-cluster-v1-brokers'));
    expect(() => decodeDescribeCluster(b.subarray(0, b.length - 3), 1)).toThrow(/truncated/);
    expect(() => decodeDescribeCluster(Buffer.concat([b, Buffer.alloc(1)]), 1)).toThrow(/left over/);
  });
});

/** An in-memory broker: `answer` gets each request frame and returns the frames to send back (or none). */
function fakeBroker(answer: (apiKey: number, version: number, correlationId: number) => Buffer[] | undefined): Duplex {
  const s = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      const apiKey = chunk.readInt16BE(4);
      const version = chunk.readInt16BE(6);
      const id = chunk.readInt32BE(8);
      for (const f of answer(apiKey, version, id) ?? []) s.push(f);
      cb();
    },
    // Closes back when the client ends, as a broker does.
    final(cb) {
      s.push(null);
      cb();
    },
  });
  return s;
}

/** A recorded frame with its correlation id rewritten. */
function replay(name: string, id: number): Buffer {
  const f = Buffer.from(fixture(name).frame);
  f.writeInt32BE(id, 4);
  return f;
}

describe('the client on a stream', () => {
  it('falls back from ApiVersions v4 to the broker version (2.4.1 recorded answers replayed)', async () => {
    const asked: number[] = [];
    const c = await KafkaWireClient.connect(
      fakeBroker((key, v, id) => {
        asked.push(v);
        return [replay(v === 4 ? '2.4.1-api-versions-v4-unsupported' : '2.4.1-api-versions-v3-broker', id)];
      }),
    );
    expect(asked).toEqual([4, 3]);
    await expect(c.describeQuorum()).rejects.toThrow(/DescribeQuorum: no version in common \(server none, zkafka v0..v2\)/);
    await c.close();
  });

  it('matches pipelined answers by correlation id, even out of order', async () => {
    let held: Buffer | undefined;
    const c = await KafkaWireClient.connect(
      fakeBroker((key, v, id) => {
        if (key === API.apiVersions) return [replay('3.9.1-api-versions-v4-broker', id)];
        if (key === API.describeQuorum) {
          held = replay('3.9.1-describe-quorum-v2-controller', id);
          return undefined; // answered after the next request
        }
        return [replay('3.9.1-describe-cluster-v1-brokers', id), held!];
      }),
    );
    const [qr, cl] = await Promise.all([c.describeQuorum(), c.describeCluster()]);
    expect(qr.voters).toHaveLength(3);
    expect(cl.nodes).toHaveLength(3);
    await c.close();
  });

  it('reassembles frames split across chunks and several frames in one chunk', async () => {
    const c = await KafkaWireClient.connect(
      fakeBroker((key, v, id) => {
        if (key === API.apiVersions) {
          const f = replay('3.9.1-api-versions-v4-broker', id);
          return [f.subarray(0, 3), f.subarray(3, 100), f.subarray(100)];
        }
        return undefined;
      }),
    );
    expect(c.versions?.get(API.describeQuorum)).toEqual({ min: 0, max: 2 });
    await c.close();
  });

  it('times out a request that gets no answer, and fails what is in flight when the stream closes', async () => {
    const stream = fakeBroker((key, v, id) => (key === API.apiVersions ? [replay('3.9.1-api-versions-v4-broker', id)] : undefined));
    const c = await KafkaWireClient.connect(stream, { timeoutMs: 100 });
    await expect(c.describeQuorum()).rejects.toThrow(/no answer to DescribeQuorum v2 within 0.1s/);
    const pending = c.describeCluster();
    stream.destroy();
    await expect(pending).rejects.toThrow(/closed the connection/);
    await expect(c.metadata()).rejects.toThrow(KafkaWireError);
  });

  it('refuses a stream that is not Kafka (an SSH banner) at once', async () => {
    const s = fakeBroker(() => [Buffer.from('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n')]);
    await expect(KafkaWireClient.connect(s, { timeoutMs: 2000 })).rejects.toThrow(/bad Kafka frame size/);
  });
});
