// The SSH transport: one connection per host per run (node-ssh over ssh2), reused for every command,
// upload and tunnelled TCP connection. Host keys are checked against known_hosts before authenticating.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { NodeSSH, type Config } from 'node-ssh';
import { UserError } from '../errors.js';
import type { Host } from '../inventory/model.js';
import { describeResult, shellString, type Command, type ExecResult } from './command.js';
import { fingerprint, knownHostsName, parseKnownHosts, verifyHostKey, type HostKeyVerdict } from './known-hosts.js';
import type { Transport, TransportLog } from './types.js';

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];
const KEEPALIVE_MS = 3_000;

// Prints K once connected, then copies bytes both ways; when the peer closes, so does the relay.
const RELAY = 'exec 3<>"/dev/tcp/$1/$2" || exit 111; printf K; cat <&0 >&3 & w=$!; cat <&3; kill $w 2>/dev/null; exit 0';

function refused(address: string, port: number, why: string): Error {
  return Object.assign(new Error(`${address}:${port}: ${why}`), { code: 'ECONNREFUSED' });
}

function authConfig(host: Host): Partial<Config> {
  const auth: Partial<Config> = {};
  if (process.env.SSH_AUTH_SOCK) auth.agent = process.env.SSH_AUTH_SOCK;
  const key = host.ssh.identityFile ?? DEFAULT_KEYS.map((k) => join(homedir(), '.ssh', k)).find((p) => existsSync(p));
  if (key) {
    try {
      auth.privateKey = readFileSync(key, 'utf8');
    } catch (e) {
      throw new UserError(`${host.name}: cannot read SSH identity file ${key}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (process.env.ZKAFKA_SSH_PASSPHRASE) auth.passphrase = process.env.ZKAFKA_SSH_PASSPHRASE;
  if (!auth.agent && !auth.privateKey) {
    throw new UserError(`${host.name}: no SSH key: set ssh.identityFile in the inventory, or run an ssh-agent (SSH_AUTH_SOCK)`);
  }
  return auth;
}

function readKnownHosts(host: Host) {
  try {
    return parseKnownHosts(readFileSync(host.ssh.knownHosts, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new UserError(`${host.name}: cannot read known_hosts file ${host.ssh.knownHosts}: ${(e as Error).message}`);
  }
}

function connectionError(host: Host, target: string, e: unknown, verdict?: { v: HostKeyVerdict; fp: string }): UserError {
  const name = knownHostsName(host.address, host.ssh.port);
  if (verdict && verdict.v !== 'trusted') {
    const file = host.ssh.knownHosts;
    const how = `check the key's fingerprint ${verdict.fp} out of band, then: ssh-keyscan -p ${host.ssh.port} ${host.address} >> ${file}`;
    if (verdict.v === 'unknown') return new UserError(`${host.name}: host key of ${name} is unknown (not in ${file}); to trust it, ${how}`);
    if (verdict.v === 'revoked') return new UserError(`${host.name}: host key of ${name} (${verdict.fp}) is marked @revoked in ${file}`);
    return new UserError(
      `${host.name}: HOST KEY CHANGED for ${name}: it presented ${verdict.fp}, which does not match ${file}. ` +
        `This may be an attack or a reinstalled host; if you are sure it is the latter, remove the old line and ${how}`,
    );
  }
  const err = e as NodeJS.ErrnoException & { level?: string };
  const msg = err.message ?? String(e);
  if (err.code === 'ECONNREFUSED') return new UserError(`${host.name}: ${target} refused the SSH connection (is sshd running on port ${host.ssh.port}?)`);
  if (err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH') return new UserError(`${host.name}: ${target} is unreachable (${err.code})`);
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return new UserError(`${host.name}: cannot resolve ${target}`);
  if (/timed out|ETIMEDOUT/i.test(msg)) return new UserError(`${host.name}: no SSH answer from ${target} within ${host.ssh.connectTimeout}s (unreachable or filtered)`);
  if (err.level === 'client-authentication' || /authentication methods failed/i.test(msg)) {
    return new UserError(`${host.name}: SSH authentication failed for ${host.ssh.user}@${target} (check ssh.user and ssh.identityFile)`);
  }
  return new UserError(`${host.name}: SSH connection to ${target} failed: ${msg}`);
}

export class SshTransport implements Transport {
  readonly stats = { connections: 0, commands: 0 };
  private constructor(
    readonly host: string,
    private readonly ssh: NodeSSH,
    private readonly jump: NodeSSH | undefined,
    private readonly commandTimeoutMs: number,
    private readonly log: TransportLog,
  ) {}

  static async open(host: Host, log: TransportLog): Promise<SshTransport> {
    const entries = readKnownHosts(host);
    const auth = authConfig(host);
    const timeout = host.ssh.connectTimeout * 1000;
    let jump: NodeSSH | undefined;
    let sock: Duplex | undefined;
    let connections = 0;
    if (host.ssh.jumpHost) {
      const j = host.ssh.jumpHost;
      const jumpTarget = `jump host ${j.host}:${j.port}`;
      const jv: { v: HostKeyVerdict; fp: string } = { v: 'unknown', fp: '' };
      jump = new NodeSSH();
      try {
        await jump.connect({
          host: j.host,
          port: j.port,
          username: j.user ?? host.ssh.user,
          readyTimeout: timeout,
          ...auth,
          hostVerifier: (key: Buffer) => {
            jv.v = verifyHostKey(entries, knownHostsName(j.host, j.port), key);
            jv.fp = fingerprint(key);
            return jv.v === 'trusted';
          },
        });
        connections++;
      } catch (e) {
        throw connectionError({ ...host, address: j.host, ssh: { ...host.ssh, port: j.port } }, jumpTarget, e, jv.fp ? jv : undefined);
      }
      sock = await new Promise<Duplex>((resolve, reject) =>
        jump!.connection!.forwardOut('127.0.0.1', 0, host.address, host.ssh.port, (err, ch) => (err ? reject(connectionError(host, `${host.address}:${host.ssh.port} via ${jumpTarget}`, err)) : resolve(ch))),
      );
    }
    const ssh = new NodeSSH();
    const verdict: { v: HostKeyVerdict; fp: string } = { v: 'unknown', fp: '' };
    const target = `${host.address}:${host.ssh.port}`;
    try {
      await ssh.connect({
        host: host.address,
        port: host.ssh.port,
        username: host.ssh.user,
        readyTimeout: timeout,
        // A host that goes silent (its link cut) is noticed within about 10 s, not after a command's timeout.
        keepaliveInterval: KEEPALIVE_MS,
        keepaliveCountMax: 3,
        ...(sock ? { sock } : {}),
        ...auth,
        hostVerifier: (key: Buffer) => {
          verdict.v = verifyHostKey(entries, knownHostsName(host.address, host.ssh.port), key);
          verdict.fp = fingerprint(key);
          return verdict.v === 'trusted';
        },
      });
      connections++;
    } catch (e) {
      ssh.dispose();
      jump?.dispose();
      throw connectionError(host, target, e, verdict.fp ? verdict : undefined);
    }
    const t = new SshTransport(host.name, ssh, jump, host.ssh.commandTimeout * 1000, log);
    t.stats.connections = connections;
    t.watch(ssh.connection!, target);
    return t;
  }

  /** Why the connection is gone, once it is; every later call fails at once with it. */
  lost: UserError | undefined;
  private readonly onLost = new Set<() => void>();

  /** A connection that ends (sshd killed, the host rebooted, keepalives unanswered) fails what is in flight. */
  private watch(conn: NonNullable<NodeSSH['connection']>, target: string): void {
    let why = 'the connection closed';
    conn.on('error', (e: Error & { level?: string }) => {
      why = e.level === 'client-timeout' ? `no answer to SSH keepalives from ${target} for ${(3 * KEEPALIVE_MS) / 1000}s` : e.message;
    });
    const lose = () => {
      if (this.lost) return;
      this.lost = new UserError(`${this.host}: SSH connection lost (${why})`);
      this.log.debug(`[${this.host}] ${this.lost.message}`);
      for (const f of [...this.onLost]) f();
    };
    conn.on('end', lose);
    conn.on('close', lose);
  }

  /** `op`, failed as soon as the connection is lost, with the host and what was going on named. */
  private async guarded<T>(what: string, op: () => Promise<T>): Promise<T> {
    const lostError = () => new UserError(`${this.lost!.message} while ${what}`);
    if (this.lost) throw lostError();
    let off = () => {};
    const lost = new Promise<never>((_, reject) => {
      const f = () => reject(lostError());
      this.onLost.add(f);
      off = () => this.onLost.delete(f);
    });
    try {
      return await Promise.race([op(), lost]);
    } finally {
      off();
    }
  }

  exec(cmd: Command): Promise<ExecResult> {
    return this.guarded(`running ${shellString(cmd, true).slice(0, 120)}`, () => this.execOnce(cmd));
  }

  private execOnce(cmd: Command): Promise<ExecResult> {
    const conn = this.ssh.connection;
    if (!conn) return Promise.reject(this.lost ?? new UserError(`${this.host}: SSH connection is closed`));
    this.stats.commands++;
    this.log.debug(`[${this.host}] $ ${shellString(cmd, true)}`);
    const timeoutMs = cmd.timeoutMs ?? this.commandTimeoutMs;
    return new Promise((resolve, reject) => {
      conn.exec(shellString(cmd), (err, channel) => {
        if (err) return reject(new UserError(`${this.host}: cannot run a command over SSH: ${err.message}`));
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        const timer = setTimeout(() => {
          channel.signal('KILL');
          channel.close();
          reject(new UserError(`${this.host}: command timed out after ${timeoutMs / 1000}s: ${shellString(cmd, true)}`));
        }, timeoutMs);
        channel.on('data', (d: Buffer) => out.push(d));
        channel.stderr.on('data', (d: Buffer) => errOut.push(d));
        channel.on('close', (code: number | null, signal?: string) => {
          clearTimeout(timer);
          const result = {
            code: code ?? (signal ? 128 : 255),
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(errOut).toString('utf8'),
          };
          this.log.debug(`[${this.host}] ${describeResult(cmd, result)}`);
          resolve(result);
        });
        if (cmd.stdin !== undefined) channel.end(cmd.stdin);
        else channel.end();
      });
    });
  }

  async upload(localPath: string, remotePath: string): Promise<void> {
    this.log.debug(`[${this.host}] upload ${localPath} -> ${remotePath}`);
    try {
      await this.guarded(`uploading ${localPath} to ${remotePath}`, () => this.ssh.putFile(localPath, remotePath));
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError(`${this.host}: upload of ${localPath} to ${remotePath} failed: ${(e as Error).message}`);
    }
  }

  /** Unknown until tried; false when the server refuses TCP forwarding (AllowTcpForwarding no). */
  private forwarding: boolean | undefined;

  connect(address: string, port: number): Promise<Duplex> {
    return this.guarded(`connecting to ${address}:${port}`, () => this.connectOnce(address, port));
  }

  private async connectOnce(address: string, port: number): Promise<Duplex> {
    const conn = this.ssh.connection;
    if (!conn) throw this.lost ?? new UserError(`${this.host}: SSH connection is closed`);
    if (this.forwarding !== false) {
      try {
        const ch = await new Promise<Duplex>((resolve, reject) =>
          conn.forwardOut('127.0.0.1', 0, address, port, (err, channel) => (err ? reject(err) : resolve(channel))),
        );
        this.forwarding = true;
        return ch;
      } catch (e) {
        // Reason 1 is "administratively prohibited": sshd forbids forwarding; relay through a command.
        if ((e as { reason?: number }).reason !== 1 || this.forwarding) throw refused(address, port, (e as Error).message);
        this.forwarding = false;
        this.log.debug(`[${this.host}] TCP forwarding is disabled by sshd; relaying through bash /dev/tcp`);
      }
    }
    return this.relay(address, port);
  }

  /** A TCP connection made by bash on the host, its bytes carried over the command's stdin/stdout. */
  private relay(address: string, port: number): Promise<Duplex> {
    const conn = this.ssh.connection!;
    this.stats.commands++;
    const cmd = shellString({ argv: ['bash', '-c', RELAY, 'zkafka', address, String(port)] });
    return new Promise((resolve, reject) => {
      conn.exec(cmd, (err, ch) => {
        if (err) return reject(refused(address, port, err.message));
        const onClose = () => reject(refused(address, port, 'connection refused'));
        const onReadable = () => {
          const first = ch.read(1) as Buffer | null;
          if (first === null) return;
          ch.off('readable', onReadable);
          ch.off('close', onClose);
          if (first.toString() === 'K') resolve(ch);
          else reject(refused(address, port, 'unexpected relay output'));
        };
        ch.on('readable', onReadable);
        ch.once('close', onClose);
      });
    });
  }

  async close(): Promise<void> {
    this.ssh.dispose();
    this.jump?.dispose();
  }
}
