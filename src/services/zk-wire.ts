// A minimal, read-only ZooKeeper client over any byte stream (here: a TCP connection that the SSH
// session carries, so no port has to be open to the control machine and no JVM is started).
// It speaks just enough of ZooKeeper's jute protocol for zkafka's checks: connect, getChildren, getData,
// close. ZooKeeper's npm clients either need a native library or open their own sockets, which cannot
// ride an SSH channel; this is ~150 lines instead.
import type { Duplex } from 'node:stream';

const OP = { delete: 2, getData: 4, getChildren: 8, closeSession: -11 } as const;
const ERR_NONODE = -101;

/** Four-letter word, e.g. `srvr`: the server writes its answer and closes the connection. */
export function fourLetterWord(stream: Duplex, word: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      stream.destroy();
      reject(new Error(`no answer to ${word} within ${timeoutMs / 1000}s`));
    }, timeoutMs);
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    stream.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    stream.on('end', () => stream.end());
    stream.write(word);
  });
}

class Writer {
  private parts: Buffer[] = [];
  int(n: number) {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    this.parts.push(b);
    return this;
  }
  long(n: bigint) {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(n);
    this.parts.push(b);
    return this;
  }
  bool(v: boolean) {
    this.parts.push(Buffer.from([v ? 1 : 0]));
    return this;
  }
  buffer(b: Buffer) {
    this.int(b.length);
    this.parts.push(b);
    return this;
  }
  string(s: string) {
    return this.buffer(Buffer.from(s, 'utf8'));
  }
  /** The frame: a 4-byte length, then the record. */
  frame(): Buffer {
    const body = Buffer.concat(this.parts);
    const len = Buffer.alloc(4);
    len.writeInt32BE(body.length);
    return Buffer.concat([len, body]);
  }
}

class Reader {
  private pos = 0;
  constructor(private readonly b: Buffer) {}
  int() {
    const v = this.b.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  long() {
    const v = this.b.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  buffer(): Buffer | null {
    const n = this.int();
    if (n < 0) return null;
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  string() {
    return this.buffer()?.toString('utf8') ?? '';
  }
}

export interface ZnodeStat {
  /** Session that owns an ephemeral node, 0 for a persistent one. */
  ephemeralOwner: bigint;
  version: number;
}

export class ZkWireClient {
  private buf = Buffer.alloc(0);
  private waiting: Array<{ answer: (frame: Buffer) => void; fail: (e: Error) => void }> = [];
  private failed: Error | undefined;
  private xid = 1;

  private constructor(private readonly stream: Duplex) {
    stream.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      while (this.buf.length >= 4) {
        const len = this.buf.readInt32BE(0);
        if (this.buf.length < 4 + len) break;
        const frame = this.buf.subarray(4, 4 + len);
        this.buf = this.buf.subarray(4 + len);
        this.waiting.shift()?.answer(frame);
      }
    });
    const fail = (e: Error) => {
      this.failed ??= e;
    };
    stream.on('error', fail);
    // One close listener for every call in flight (a partition scan asks many at once).
    stream.on('close', () => {
      fail(new Error('ZooKeeper closed the connection'));
      for (const w of this.waiting.splice(0)) w.fail(this.failed!);
    });
  }

  private next(timeoutMs: number): Promise<Buffer> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        // Answers come in request order: after one is lost, later ones cannot be matched; the session is done.
        this.failed ??= new Error(`no answer from ZooKeeper within ${timeoutMs / 1000}s`);
        this.stream.destroy();
        reject(this.failed);
      }, timeoutMs);
      this.waiting.push({
        answer: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
        fail: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  /** Opens a session; fails if the server is not serving (e.g. not in a quorum). */
  static async connect(stream: Duplex, timeoutMs = 5000): Promise<ZkWireClient> {
    const c = new ZkWireClient(stream);
    const answer = c.next(timeoutMs);
    stream.write(
      new Writer().int(0).long(0n).int(Math.max(timeoutMs, 4000)).long(0n).buffer(Buffer.alloc(16)).bool(false).frame(),
    );
    const r = new Reader(await answer);
    r.int(); // protocol version
    const negotiatedTimeout = r.int();
    if (negotiatedTimeout <= 0) throw new Error('ZooKeeper refused the session');
    return c;
  }

  private async call(op: number, body: (w: Writer) => Writer, timeoutMs = 5000): Promise<Reader | null> {
    const xid = this.xid++;
    const answer = this.next(timeoutMs);
    this.stream.write(body(new Writer().int(xid).int(op)).frame());
    const r = new Reader(await answer);
    r.int(); // xid
    r.long(); // zxid
    const err = r.int();
    if (err === ERR_NONODE) return null;
    if (err !== 0) throw new Error(`ZooKeeper error ${err}`);
    return r;
  }

  /** Children of `path`, sorted; null when the node does not exist. */
  async getChildren(path: string): Promise<string[] | null> {
    const r = await this.call(OP.getChildren, (w) => w.string(path).bool(false));
    if (!r) return null;
    const n = r.int();
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(r.string());
    return out.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  }

  /** Data and stat of `path`; null when the node does not exist. */
  async getData(path: string): Promise<{ data: string; stat: ZnodeStat } | null> {
    const r = await this.call(OP.getData, (w) => w.string(path).bool(false));
    if (!r) return null;
    const data = r.buffer()?.toString('utf8') ?? '';
    r.long(); // czxid
    r.long(); // mzxid
    r.long(); // ctime
    r.long(); // mtime
    const version = r.int();
    r.int(); // cversion
    r.int(); // aversion
    const ephemeralOwner = r.long();
    return { data, stat: { ephemeralOwner, version } };
  }

  /** Deletes `path` (a node without children) at any version; false when it did not exist. */
  async delete(path: string): Promise<boolean> {
    return (await this.call(OP.delete, (w) => w.string(path).int(-1))) !== null;
  }

  async close(): Promise<void> {
    try {
      if (!this.failed) await this.call(OP.closeSession, (w) => w, 2000);
    } catch {
      // Closing is best effort: the session expires on its own.
    } finally {
      this.stream.destroy();
    }
  }
}
