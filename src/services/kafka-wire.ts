// A minimal, read-only Kafka client over any byte stream (here: a TCP connection that the SSH session
// carries, as zk-wire.ts does for ZooKeeper), so status can read a KRaft cluster without starting a JVM.
// It speaks just enough of Kafka's protocol: ApiVersions (18), DescribeQuorum (55), DescribeCluster (60)
// and a minimal Metadata (3). Message layouts follow Kafka's own JSON message definitions
// (clients/src/main/resources/common/message/*.json); kafkajs opens its own sockets and lacks these APIs.
//
// Errors the protocol reports as error codes come back as values (errorCode / error on the result);
// only a dead connection, a timeout, a malformed frame or a version neither side supports throw.
import type { Duplex } from 'node:stream';

export const API = { metadata: 3, apiVersions: 18, describeQuorum: 55, describeCluster: 60 } as const;

/** Versions this client can encode and decode, per API key. */
const KNOWN: Record<number, [number, number]> = {
  [API.metadata]: [0, 12],
  // v4 is v3 except that features whose minimum is 0 are no longer left out (KAFKA-17011).
  [API.apiVersions]: [0, 4],
  [API.describeQuorum]: [0, 2],
  [API.describeCluster]: [0, 2],
};

const API_NAME: Record<number, string> = { 3: 'Metadata', 18: 'ApiVersions', 55: 'DescribeQuorum', 60: 'DescribeCluster' };

/** First flexible version (compact strings/arrays, tagged fields) of each API. */
const FIRST_FLEXIBLE: Record<number, number> = { 3: 9, 18: 3, 55: 0, 60: 0 };

export function isFlexible(apiKey: number, version: number): boolean {
  return version >= (FIRST_FLEXIBLE[apiKey] ?? Infinity);
}

/** Response header version: v1 (tagged fields) when flexible, except ApiVersions, whose header stays v0
 *  so that a client that does not yet know the broker can always read it. */
export function responseHeaderVersion(apiKey: number, version: number): 0 | 1 {
  return apiKey !== API.apiVersions && isFlexible(apiKey, version) ? 1 : 0;
}

export const UNSUPPORTED_VERSION = 35;

// The codes status may meet; others are shown by number.
const ERROR_NAMES: Record<number, string> = {
  [-1]: 'UNKNOWN_SERVER_ERROR',
  0: 'NONE',
  3: 'UNKNOWN_TOPIC_OR_PARTITION',
  5: 'LEADER_NOT_AVAILABLE',
  6: 'NOT_LEADER_OR_FOLLOWER',
  7: 'REQUEST_TIMED_OUT',
  8: 'BROKER_NOT_AVAILABLE',
  9: 'REPLICA_NOT_AVAILABLE',
  29: 'TOPIC_AUTHORIZATION_FAILED',
  31: 'CLUSTER_AUTHORIZATION_FAILED',
  35: 'UNSUPPORTED_VERSION',
  41: 'NOT_CONTROLLER',
  42: 'INVALID_REQUEST',
  56: 'KAFKA_STORAGE_ERROR',
  114: 'MISMATCHED_ENDPOINT_TYPE',
  115: 'UNSUPPORTED_ENDPOINT_TYPE',
  116: 'UNKNOWN_CONTROLLER_ID',
};

export function errorName(code: number): string {
  return ERROR_NAMES[code] ?? `error ${code}`;
}

/** Transport-level failure: the connection, a timeout, a frame that does not parse, or no common version. */
export class KafkaWireError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'KafkaWireError';
  }
}

// ---- encoding ---------------------------------------------------------------------------------

export class Writer {
  private parts: Buffer[] = [];
  private fixed(n: number, put: (b: Buffer) => void) {
    const b = Buffer.alloc(n);
    put(b);
    this.parts.push(b);
    return this;
  }
  int8(n: number) {
    return this.fixed(1, (b) => b.writeInt8(n));
  }
  bool(v: boolean) {
    return this.int8(v ? 1 : 0);
  }
  int16(n: number) {
    return this.fixed(2, (b) => b.writeInt16BE(n));
  }
  int32(n: number) {
    return this.fixed(4, (b) => b.writeInt32BE(n));
  }
  uvarint(n: number) {
    const out: number[] = [];
    let v = n >>> 0;
    while (v >= 0x80) {
      out.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.push(v);
    this.parts.push(Buffer.from(out));
    return this;
  }
  raw(b: Buffer) {
    this.parts.push(b);
    return this;
  }
  /** int16 length; null is -1. */
  string(s: string | null) {
    if (s === null) return this.int16(-1);
    const b = Buffer.from(s, 'utf8');
    return this.int16(b.length).raw(b);
  }
  /** Unsigned varint length + 1; null is 0. */
  compactString(s: string | null) {
    if (s === null) return this.uvarint(0);
    const b = Buffer.from(s, 'utf8');
    return this.uvarint(b.length + 1).raw(b);
  }
  str(flexible: boolean, s: string | null) {
    return flexible ? this.compactString(s) : this.string(s);
  }
  /** Array length in the version's encoding (null: -1, or 0 when compact). */
  arrayLength(flexible: boolean, n: number | null) {
    if (flexible) return this.uvarint(n === null ? 0 : n + 1);
    return this.int32(n === null ? -1 : n);
  }
  /** No tagged fields. */
  tags() {
    return this.uvarint(0);
  }
  uuid(hex = '00000000000000000000000000000000') {
    return this.raw(Buffer.from(hex, 'hex'));
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** A request frame: int32 size, header (v1, or v2 with tagged fields when the API version is flexible), body. */
export function encodeRequest(apiKey: number, version: number, correlationId: number, clientId: string | null, body: Buffer): Buffer {
  // ClientId keeps its int16 length even in header v2, so any broker can read an ApiVersions header.
  const h = new Writer().int16(apiKey).int16(version).int32(correlationId).string(clientId);
  if (isFlexible(apiKey, version)) h.tags();
  const payload = Buffer.concat([h.bytes(), body]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

// ---- decoding ---------------------------------------------------------------------------------

export class Reader {
  pos = 0;
  constructor(readonly b: Buffer) {}
  private need(n: number) {
    if (this.pos + n > this.b.length) throw new KafkaWireError(`truncated Kafka response (need ${n} bytes at ${this.pos} of ${this.b.length})`);
  }
  int8() {
    this.need(1);
    return this.b.readInt8(this.pos++);
  }
  bool() {
    return this.int8() !== 0;
  }
  int16() {
    this.need(2);
    const v = this.b.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  uint16() {
    this.need(2);
    const v = this.b.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32() {
    this.need(4);
    const v = this.b.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  /** int64 as a number: offsets and millisecond timestamps stay far below 2^53. */
  int64() {
    this.need(8);
    const v = this.b.readBigInt64BE(this.pos);
    this.pos += 8;
    return Number(v);
  }
  uvarint() {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      if (shift > 28) throw new KafkaWireError('unsigned varint longer than 5 bytes');
      const byte = this.int8() & 0xff;
      v += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return v;
    }
  }
  raw(n: number) {
    this.need(n);
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  uuid() {
    return this.raw(16).toString('hex');
  }
  /** A (nullable) string in the version's encoding. */
  str(flexible: boolean): string | null {
    const n = flexible ? this.uvarint() - 1 : this.int16();
    if (n < 0) return null;
    return this.raw(n).toString('utf8');
  }
  /** An array's elements in the version's encoding; null stays null. */
  array<T>(flexible: boolean, item: () => T): T[] | null {
    const n = flexible ? this.uvarint() - 1 : this.int32();
    if (n < 0) return null;
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item());
    return out;
  }
  /** Tagged fields (flexible versions only): tag -> raw value. Unknown tags are skipped by their size. */
  tags(): Map<number, Buffer> {
    const out = new Map<number, Buffer>();
    const n = this.uvarint();
    for (let i = 0; i < n; i++) {
      const tag = this.uvarint();
      out.set(tag, this.raw(this.uvarint()));
    }
    return out;
  }
  get remaining() {
    return this.b.length - this.pos;
  }
  /** Every byte read: bytes left over mean the layout assumed for this version is wrong. */
  end(what: string) {
    if (this.remaining !== 0) throw new KafkaWireError(`${what}: ${this.remaining} bytes left over after decoding`);
  }
}

/** Splits a response frame (without its int32 size) into correlation id and body. */
export function decodeResponseHeader(frame: Buffer, apiKey: number, version: number): { correlationId: number; body: Buffer } {
  const r = new Reader(frame);
  const correlationId = r.int32();
  if (responseHeaderVersion(apiKey, version) === 1) r.tags();
  return { correlationId, body: frame.subarray(r.pos) };
}

// ---- ApiVersions (18) -------------------------------------------------------------------------

export interface VersionRange {
  min: number;
  max: number;
}

export interface ApiVersionsResult {
  /** The version the body was decoded as (0 when the broker answered UNSUPPORTED_VERSION). */
  version: number;
  errorCode: number;
  error?: string;
  /** API key -> supported versions. */
  apis: Map<number, VersionRange>;
  throttleTimeMs: number;
  /** v3+ tagged fields; empty / -1 / false when absent. */
  supportedFeatures: Map<string, VersionRange>;
  finalizedFeaturesEpoch: number;
  /** Feature name -> finalized level range (e.g. metadata.version's max level). */
  finalizedFeatures: Map<string, VersionRange>;
  zkMigrationReady: boolean;
}

export function decodeApiVersions(body: Buffer, version: number): ApiVersionsResult {
  // A broker that does not know the request's version answers in v0 with UNSUPPORTED_VERSION and, since
  // 2.4 (KIP-511), its own ApiVersions range; the error code comes first in every version.
  const errorCode = body.length >= 2 ? body.readInt16BE(0) : 0;
  if (errorCode === UNSUPPORTED_VERSION) version = 0;
  const flex = isFlexible(API.apiVersions, version);
  const r = new Reader(body);
  r.int16();
  const apis = new Map<number, VersionRange>();
  r.array(flex, () => {
    const key = r.int16();
    apis.set(key, { min: r.int16(), max: r.int16() });
    if (flex) r.tags();
  });
  const throttleTimeMs = version >= 1 ? r.int32() : 0;
  const out: ApiVersionsResult = {
    version,
    errorCode,
    ...(errorCode !== 0 ? { error: errorName(errorCode) } : {}),
    apis,
    throttleTimeMs,
    supportedFeatures: new Map(),
    finalizedFeaturesEpoch: -1,
    finalizedFeatures: new Map(),
    zkMigrationReady: false,
  };
  if (!flex) {
    r.end('ApiVersions');
    return out;
  }
  for (const [tag, value] of r.tags()) {
    const t = new Reader(value);
    if (tag === 0) {
      t.array(true, () => {
        const name = t.str(true) ?? '';
        out.supportedFeatures.set(name, { min: t.int16(), max: t.int16() });
        t.tags();
      });
    } else if (tag === 1) {
      out.finalizedFeaturesEpoch = t.int64();
    } else if (tag === 2) {
      t.array(true, () => {
        const name = t.str(true) ?? '';
        const max = t.int16(); // MaxVersionLevel comes before MinVersionLevel in this struct
        out.finalizedFeatures.set(name, { min: t.int16(), max });
        t.tags();
      });
    } else if (tag === 3) {
      out.zkMigrationReady = t.bool();
    }
  }
  r.end('ApiVersions');
  return out;
}

export function encodeApiVersionsRequest(version: number, softwareName = 'zkafka', softwareVersion = '0.1.0'): Buffer {
  if (!isFlexible(API.apiVersions, version)) return Buffer.alloc(0);
  return new Writer().compactString(softwareName).compactString(softwareVersion).tags().bytes();
}

// ---- DescribeQuorum (55) ----------------------------------------------------------------------

export interface QuorumReplica {
  replicaId: number;
  /** v2+: the replica's metadata log directory id (hex); all zeros when unknown. */
  directoryId?: string;
  /** -1 when unknown. */
  logEndOffset: number;
  /** v1+, leader wall-clock ms; -1 for the leader itself or when unknown. */
  lastFetchTimestamp?: number;
  /** v1+, leader wall-clock ms; -1 when unknown. */
  lastCaughtUpTimestamp?: number;
}

export interface QuorumNode {
  nodeId: number;
  listeners: Array<{ name: string; host: string; port: number }>;
}

export interface QuorumResult {
  version: number;
  /** Top-level error, then the partition's (the first non-zero wins). */
  errorCode: number;
  error?: string;
  errorMessage: string | null;
  topic: string;
  partition: number;
  /** -1 when there is no leader. */
  leaderId: number;
  leaderEpoch: number;
  highWatermark: number;
  voters: QuorumReplica[];
  observers: QuorumReplica[];
  /** v2+: each voter's and observer's listeners. */
  nodes: QuorumNode[];
}

export const METADATA_TOPIC = '__cluster_metadata';

export function encodeDescribeQuorumRequest(_version: number, topic = METADATA_TOPIC, partition = 0): Buffer {
  // Flexible in every version; the request is the same in v0..v2.
  const w = new Writer().uvarint(2).compactString(topic);
  w.uvarint(2).int32(partition).tags();
  return w.tags().tags().bytes();
}

export function decodeDescribeQuorum(body: Buffer, version: number): QuorumResult {
  const r = new Reader(body);
  const topError = r.int16();
  const topMessage = version >= 2 ? r.str(true) : null;
  const replica = (): QuorumReplica => {
    const rep: QuorumReplica = { replicaId: r.int32(), logEndOffset: 0 };
    if (version >= 2) rep.directoryId = r.uuid();
    rep.logEndOffset = r.int64();
    if (version >= 1) {
      rep.lastFetchTimestamp = r.int64();
      rep.lastCaughtUpTimestamp = r.int64();
    }
    r.tags();
    return rep;
  };
  type Part = Omit<QuorumResult, 'version' | 'errorCode' | 'error' | 'errorMessage' | 'topic' | 'nodes'> & { errorCode: number; errorMessage: string | null };
  const found: Array<Part & { topic: string }> = [];
  r.array(true, () => {
    const topic = r.str(true) ?? '';
    r.array(true, () => {
      const partition = r.int32();
      const errorCode = r.int16();
      const errorMessage = version >= 2 ? r.str(true) : null;
      const p: Part & { topic: string } = {
        topic,
        partition,
        errorCode,
        errorMessage,
        leaderId: r.int32(),
        leaderEpoch: r.int32(),
        highWatermark: r.int64(),
        voters: r.array(true, replica) ?? [],
        observers: r.array(true, replica) ?? [],
      };
      r.tags();
      found.push(p);
    });
    r.tags();
  });
  const nodes: QuorumNode[] = [];
  if (version >= 2) {
    r.array(true, () => {
      const nodeId = r.int32();
      const listeners =
        r.array(true, () => {
          const l = { name: r.str(true) ?? '', host: r.str(true) ?? '', port: r.uint16() };
          r.tags();
          return l;
        }) ?? [];
      r.tags();
      nodes.push({ nodeId, listeners });
    });
  }
  r.tags();
  r.end('DescribeQuorum');
  const p = found[0];
  const errorCode = topError !== 0 ? topError : (p?.errorCode ?? 0);
  return {
    version,
    errorCode,
    ...(errorCode !== 0 ? { error: errorName(errorCode) } : {}),
    errorMessage: topMessage ?? p?.errorMessage ?? null,
    topic: p?.topic ?? METADATA_TOPIC,
    partition: p?.partition ?? 0,
    leaderId: p?.leaderId ?? -1,
    leaderEpoch: p?.leaderEpoch ?? -1,
    highWatermark: p?.highWatermark ?? -1,
    voters: p?.voters ?? [],
    observers: p?.observers ?? [],
    nodes,
  };
}

// ---- DescribeCluster (60) ---------------------------------------------------------------------

export type EndpointType = 'brokers' | 'controllers';
const ENDPOINT_CODE: Record<EndpointType, number> = { brokers: 1, controllers: 2 };

export interface ClusterNode {
  id: number;
  host: string;
  port: number;
  rack: string | null;
  /** v2+ (Kafka 4.0, KIP-1073), only listed when asked for; undefined before. */
  fenced?: boolean;
}

export interface ClusterResult {
  version: number;
  errorCode: number;
  error?: string;
  errorMessage: string | null;
  /** What the nodes are (v1+ says; v0 always describes brokers). */
  endpointType: EndpointType;
  clusterId: string;
  /** The active controller (or, asked on a broker, the controller it knows); -1 when unknown. */
  controllerId: number;
  nodes: ClusterNode[];
}

export function encodeDescribeClusterRequest(version: number, endpoint: EndpointType = 'brokers', includeFenced = false): Buffer {
  const w = new Writer().bool(false); // IncludeClusterAuthorizedOperations
  if (version >= 1) w.int8(ENDPOINT_CODE[endpoint]);
  if (version >= 2) w.bool(includeFenced);
  return w.tags().bytes();
}

export function decodeDescribeCluster(body: Buffer, version: number): ClusterResult {
  const r = new Reader(body);
  r.int32(); // throttle time
  const errorCode = r.int16();
  const errorMessage = r.str(true);
  const endpointType: EndpointType = version >= 1 && r.int8() === 2 ? 'controllers' : 'brokers';
  const clusterId = r.str(true) ?? '';
  const controllerId = r.int32();
  const nodes =
    r.array(true, () => {
      const n: ClusterNode = { id: r.int32(), host: r.str(true) ?? '', port: r.int32(), rack: r.str(true) };
      if (version >= 2) n.fenced = r.bool();
      r.tags();
      return n;
    }) ?? [];
  r.int32(); // cluster authorized operations
  r.tags();
  r.end('DescribeCluster');
  return { version, errorCode, ...(errorCode !== 0 ? { error: errorName(errorCode) } : {}), errorMessage, endpointType, clusterId, controllerId, nodes };
}

// ---- Metadata (3), minimal -------------------------------------------------------------------

export interface MetadataPartition {
  partition: number;
  errorCode: number;
  error?: string;
  leaderId: number;
  /** v7+, else -1. */
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  /** v5+, else []. */
  offlineReplicas: number[];
}

export interface MetadataTopic {
  name: string;
  errorCode: number;
  error?: string;
  /** v10+, hex; all zeros before. */
  topicId: string;
  internal: boolean;
  partitions: MetadataPartition[];
}

export interface MetadataResult {
  version: number;
  brokers: Array<{ id: number; host: string; port: number; rack: string | null }>;
  /** v2+, else null. */
  clusterId: string | null;
  /** v1+, else -1. */
  controllerId: number;
  topics: MetadataTopic[];
}

/** `topics` null: every topic; []: none (only brokers and controller). */
export function encodeMetadataRequest(version: number, topics: string[] | null): Buffer {
  const flex = isFlexible(API.metadata, version);
  const w = new Writer();
  // v0 has no null array: an empty one means every topic there.
  if (version === 0) {
    if (topics !== null && topics.length === 0) throw new KafkaWireError('Metadata v0 cannot ask for no topics');
    topics ??= [];
  }
  w.arrayLength(flex, topics === null ? null : topics.length);
  for (const t of topics ?? []) {
    if (version >= 10) w.uuid();
    w.str(flex, t);
    if (flex) w.tags();
  }
  if (version >= 4) w.bool(false); // AllowAutoTopicCreation: reading must not create topics
  if (version >= 8 && version <= 10) w.bool(false); // IncludeClusterAuthorizedOperations
  if (version >= 8) w.bool(false); // IncludeTopicAuthorizedOperations
  if (flex) w.tags();
  return w.bytes();
}

export function decodeMetadata(body: Buffer, version: number): MetadataResult {
  const flex = isFlexible(API.metadata, version);
  const r = new Reader(body);
  if (version >= 3) r.int32(); // throttle time
  const ints = () => r.array(flex, () => r.int32()) ?? [];
  const brokers =
    r.array(flex, () => {
      const b = { id: r.int32(), host: r.str(flex) ?? '', port: r.int32(), rack: version >= 1 ? r.str(flex) : null };
      if (flex) r.tags();
      return b;
    }) ?? [];
  const clusterId = version >= 2 ? r.str(flex) : null;
  const controllerId = version >= 1 ? r.int32() : -1;
  const topics =
    r.array(flex, () => {
      const errorCode = r.int16();
      const name = r.str(flex) ?? '';
      const topicId = version >= 10 ? r.uuid() : '0'.repeat(32);
      const internal = version >= 1 ? r.bool() : false;
      const partitions =
        r.array(flex, () => {
          const pErr = r.int16();
          const p: MetadataPartition = {
            partition: r.int32(),
            errorCode: pErr,
            ...(pErr !== 0 ? { error: errorName(pErr) } : {}),
            leaderId: r.int32(),
            leaderEpoch: version >= 7 ? r.int32() : -1,
            replicas: ints(),
            isr: ints(),
            offlineReplicas: version >= 5 ? ints() : [],
          };
          if (flex) r.tags();
          return p;
        }) ?? [];
      if (version >= 8) r.int32(); // topic authorized operations
      if (flex) r.tags();
      return { name, errorCode, ...(errorCode !== 0 ? { error: errorName(errorCode) } : {}), topicId, internal, partitions };
    }) ?? [];
  if (version >= 8 && version <= 10) r.int32(); // cluster authorized operations
  if (flex) r.tags();
  r.end('Metadata');
  return { version, brokers, clusterId, controllerId, topics };
}

// ---- the client -------------------------------------------------------------------------------

/** Highest version both sides know, or undefined. */
export function negotiate(apiKey: number, server: VersionRange | undefined): number | undefined {
  const ours = KNOWN[apiKey];
  if (!ours || !server) return undefined;
  const v = Math.min(ours[1], server.max);
  return v >= Math.max(ours[0], server.min) ? v : undefined;
}

/** One exchange as it went over the wire; how test fixtures are recorded. */
export interface WireExchange {
  apiKey: number;
  version: number;
  correlationId: number;
  request: Buffer;
  /** The whole response frame, its int32 size included. */
  response: Buffer;
}

export interface KafkaWireOptions {
  clientId?: string;
  /** Per request, milliseconds (default 5000). */
  timeoutMs?: number;
  /** Sees every completed exchange (recording fixtures, debugging). */
  tap?: (x: WireExchange) => void;
}

interface Pending {
  apiKey: number;
  version: number;
  request: Buffer;
  resolve: (frame: Buffer) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

// Kafka's own cap for a response a client accepts is far larger; status answers are a few KB.
const MAX_FRAME = 64 * 1024 * 1024;

export class KafkaWireClient {
  private buf: Buffer = Buffer.alloc(0);
  private pending = new Map<number, Pending>();
  private failed: Error | undefined;
  private nextId = 1;
  private readonly clientId: string;
  private readonly timeoutMs: number;
  /** The broker's API ranges, from the first apiVersions() (connect does one). */
  versions: Map<number, VersionRange> | undefined;

  private constructor(
    private readonly stream: Duplex,
    private readonly opts: KafkaWireOptions,
  ) {
    this.clientId = opts.clientId ?? 'zkafka';
    this.timeoutMs = opts.timeoutMs ?? 5000;
    stream.on('data', (d: Buffer) => this.onData(d));
    stream.on('error', (e: Error) => this.fail(new KafkaWireError(`Kafka connection failed: ${e.message}`)));
    stream.on('close', () => this.fail(new KafkaWireError('Kafka closed the connection')));
    // The server half-closing means no more answers; end our side too so the channel closes.
    stream.on('end', () => stream.end());
  }

  /** Wraps the stream and asks ApiVersions, so later calls can pick their versions. */
  static async connect(stream: Duplex, opts: KafkaWireOptions = {}): Promise<KafkaWireClient> {
    const c = new KafkaWireClient(stream, opts);
    try {
      const v = await c.apiVersions();
      if (v.errorCode !== 0) throw new KafkaWireError(`ApiVersions failed: ${v.error}`, v.errorCode);
    } catch (e) {
      stream.destroy();
      throw e;
    }
    return c;
  }

  private fail(e: Error) {
    this.failed ??= e;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(this.failed);
    }
  }

  private onData(d: Buffer) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    while (this.buf.length >= 4) {
      const len = this.buf.readInt32BE(0);
      if (len < 4 || len > MAX_FRAME) {
        this.fail(new KafkaWireError(`bad Kafka frame size ${len} (not a Kafka listener, or TLS/SASL expected?)`));
        this.stream.destroy();
        return;
      }
      if (this.buf.length < 4 + len) break;
      const whole = this.buf.subarray(0, 4 + len);
      this.buf = this.buf.subarray(4 + len);
      const id = whole.readInt32BE(4);
      const p = this.pending.get(id);
      if (!p) continue; // the answer to a request that already timed out
      this.pending.delete(id);
      clearTimeout(p.timer);
      this.opts.tap?.({ apiKey: p.apiKey, version: p.version, correlationId: id, request: p.request, response: Buffer.from(whole) });
      p.resolve(whole.subarray(4));
    }
  }

  /** Sends one request and resolves with the response body (header removed). Requests may overlap. */
  request(apiKey: number, version: number, body: Buffer, timeoutMs = this.timeoutMs): Promise<Buffer> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId;
    this.nextId = this.nextId >= 0x7fffffff ? 1 : this.nextId + 1;
    const frame = encodeRequest(apiKey, version, id, this.clientId, body);
    const what = `${API_NAME[apiKey] ?? `API ${apiKey}`} v${version}`;
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new KafkaWireError(`no answer to ${what} within ${timeoutMs / 1000}s`));
      }, timeoutMs);
      this.pending.set(id, { apiKey, version, request: frame, resolve, reject, timer });
      this.stream.write(frame);
    }).then((f) => decodeResponseHeader(f, apiKey, version).body);
  }

  private version(apiKey: number): number {
    const range = this.versions?.get(apiKey);
    const v = negotiate(apiKey, range);
    if (v === undefined) {
      const theirs = range ? `v${range.min}..v${range.max}` : 'none';
      throw new KafkaWireError(`${API_NAME[apiKey]}: no version in common (server ${theirs}, zkafka v${KNOWN[apiKey]![0]}..v${KNOWN[apiKey]![1]})`, UNSUPPORTED_VERSION);
    }
    return v;
  }

  /**
   * ApiVersions at the highest version zkafka knows; on UNSUPPORTED_VERSION, again at the highest the
   * broker named (or v0 when it named none), as Kafka's clients do.
   */
  async apiVersions(): Promise<ApiVersionsResult> {
    let version = this.versions ? (negotiate(API.apiVersions, this.versions.get(API.apiVersions)) ?? 0) : KNOWN[API.apiVersions]![1];
    for (let attempt = 0; ; attempt++) {
      const res = decodeApiVersions(await this.request(API.apiVersions, version, encodeApiVersionsRequest(version)), version);
      if (res.errorCode === UNSUPPORTED_VERSION && attempt === 0) {
        const next = negotiate(API.apiVersions, res.apis.get(API.apiVersions)) ?? 0;
        if (next < version) {
          version = next;
          continue;
        }
      }
      if (res.errorCode === 0) this.versions = res.apis;
      return res;
    }
  }

  /**
   * The KRaft quorum of `__cluster_metadata`. Only the active controller answers it: another controller
   * says NOT_LEADER_OR_FOLLOWER (find the leader with describeCluster({ endpoint: 'controllers' })), and a
   * broker forwards it to the active controller.
   */
  async describeQuorum(): Promise<QuorumResult> {
    const v = this.version(API.describeQuorum);
    return decodeDescribeQuorum(await this.request(API.describeQuorum, v, encodeDescribeQuorumRequest(v)), v);
  }

  /**
   * Cluster id, controller and nodes. `controllers` (v1+, Kafka 3.7+) is for a controller listener, which
   * answers `brokers` with MISMATCHED_ENDPOINT_TYPE (and a broker answers `controllers` the same way).
   */
  async describeCluster(opts: { endpoint?: EndpointType; includeFenced?: boolean } = {}): Promise<ClusterResult> {
    const endpoint = opts.endpoint ?? 'brokers';
    const v = this.version(API.describeCluster);
    if (endpoint === 'controllers' && v < 1) throw new KafkaWireError('DescribeCluster of controllers needs v1 (Kafka 3.7+)', UNSUPPORTED_VERSION);
    return decodeDescribeCluster(await this.request(API.describeCluster, v, encodeDescribeClusterRequest(v, endpoint, opts.includeFenced)), v);
  }

  /** Brokers, controller, cluster id and the partitions of `topics` (null: all), from a broker listener. */
  async metadata(topics: string[] | null = null): Promise<MetadataResult> {
    const v = this.version(API.metadata);
    return decodeMetadata(await this.request(API.metadata, v, encodeMetadataRequest(v, topics)), v);
  }

  /** Kafka has no goodbye message: fail what is in flight and close the stream. */
  async close(): Promise<void> {
    this.fail(new KafkaWireError('Kafka client closed'));
    await new Promise<void>((resolve) => {
      if (this.stream.destroyed) return resolve();
      this.stream.once('close', () => resolve());
      this.stream.end();
      // A channel whose peer does not close back must not keep us waiting.
      setTimeout(() => {
        this.stream.destroy();
        resolve();
      }, 1000).unref();
    });
  }
}
