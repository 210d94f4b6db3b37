// A run's connections: one transport per host, opened in parallel, reused for everything on that host.
import type { Host, Inventory } from '../inventory/model.js';
import type { Output } from '../ui/output.js';
import { UserError } from '../errors.js';
import type { Command, ExecResult } from '../transport/command.js';
import type { Transport } from '../transport/types.js';
import { SshTransport } from '../transport/ssh.js';
import { LocalTransport } from '../transport/local.js';

export class Session {
  private constructor(
    readonly inv: Inventory,
    readonly out: Output,
    private readonly transports: Map<string, Transport>,
    private readonly failed: Map<string, UserError>,
  ) {}

  /** Hosts that could not be reached, or whose connection was lost during the run, with the reason. */
  get unreachable(): Map<string, UserError> {
    const all = new Map(this.failed);
    for (const [h, t] of this.transports) if (t.lost) all.set(h, t.lost instanceof UserError ? t.lost : new UserError(`${h}: ${t.lost.message}`));
    return all;
  }

  static async open(inv: Inventory, out: Output, hosts: Host[] = inv.hosts): Promise<Session> {
    const log = { debug: (t: string) => out.debug(t) };
    const transports = new Map<string, Transport>();
    const unreachable = new Map<string, UserError>();
    await Promise.all(
      hosts.map(async (h) => {
        try {
          transports.set(h.name, h.local ? new LocalTransport(h.name, h.ssh.commandTimeout * 1000, log) : await SshTransport.open(h, log));
        } catch (e) {
          if (!(e instanceof UserError)) throw e;
          unreachable.set(h.name, e);
        }
      }),
    );
    return new Session(inv, out, transports, unreachable);
  }

  reachable(host: string): boolean {
    const t = this.transports.get(host);
    return !!t && !t.lost;
  }

  transport(host: string): Transport {
    const t = this.transports.get(host);
    if (!t) throw this.failed.get(host) ?? new UserError(`${host}: not connected`);
    return t;
  }

  exec(host: string, cmd: Command): Promise<ExecResult> {
    return this.transport(host).exec(cmd);
  }

  /** Runs a command that must succeed; a failure names the host and what it was doing. */
  async run(host: string, what: string, cmd: Command): Promise<ExecResult> {
    const r = await this.exec(host, cmd);
    if (r.code !== 0) {
      const detail = (r.stderr || r.stdout).trim().split('\n').slice(-10);
      throw new UserError(`${host}: ${what} failed (exit ${r.code})`, undefined, detail);
    }
    return r;
  }

  stats(): { connections: number; commands: number; hosts: number } {
    let connections = 0;
    let commands = 0;
    for (const t of this.transports.values()) {
      connections += t.stats.connections;
      commands += t.stats.commands;
    }
    return { connections, commands, hosts: this.transports.size };
  }

  async close(): Promise<void> {
    await Promise.all([...this.transports.values()].map((t) => t.close()));
  }
}

/** Opens a session, runs `fn`, and always closes the connections. */
export async function withSession<T>(inv: Inventory, out: Output, fn: (s: Session) => Promise<T>): Promise<T> {
  const s = await Session.open(inv, out);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}
