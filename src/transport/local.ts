// The local transport: for hosts marked `local: true` (the control machine itself), the same interface
// as SSH, through execa and the local file system.
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { connect as tcpConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { execa } from 'execa';
import { describeResult, shellString, type Command, type ExecResult } from './command.js';
import type { Transport, TransportLog } from './types.js';

export class LocalTransport implements Transport {
  readonly stats = { connections: 0, commands: 0 };
  constructor(
    readonly host: string,
    private readonly commandTimeoutMs: number,
    private readonly log: TransportLog,
  ) {}

  async exec(cmd: Command): Promise<ExecResult> {
    this.stats.commands++;
    this.log.debug(`[${this.host}] $ ${shellString(cmd, true)}`);
    // The same shell string as over SSH, so both transports run commands identically.
    const r = await execa('sh', ['-c', shellString(cmd)], {
      reject: false,
      input: cmd.stdin ?? '',
      timeout: cmd.timeoutMs ?? this.commandTimeoutMs,
      // Services started here must outlive zkafka, as they do over SSH.
      detached: false,
    });
    const result = { code: r.exitCode ?? 128, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
    this.log.debug(`[${this.host}] ${describeResult(cmd, result)}`);
    return result;
  }

  async upload(localPath: string, remotePath: string): Promise<void> {
    this.log.debug(`[${this.host}] copy ${localPath} -> ${remotePath}`);
    await mkdir(dirname(remotePath), { recursive: true });
    await copyFile(localPath, remotePath);
  }

  connect(address: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const s = tcpConnect({ host: address, port });
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
  }

  async close(): Promise<void> {}
}
