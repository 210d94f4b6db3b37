import type { Duplex } from 'node:stream';
import type { Command, ExecResult } from './command.js';

/** One way to reach one host: SSH for remote hosts, the local machine for hosts marked `local`. */
export interface Transport {
  readonly host: string;
  /** Runs a command; resolves with its exit code (a non-zero exit is not an exception). */
  exec(cmd: Command): Promise<ExecResult>;
  /** Copies a local file to the host. */
  upload(localPath: string, remotePath: string): Promise<void>;
  /** A TCP connection from the host to address:port (the SSH channel carries it). */
  connect(address: string, port: number): Promise<Duplex>;
  close(): Promise<void>;
  /** Set once the connection to the host is gone (SSH only): every later call fails at once with it. */
  readonly lost?: Error | undefined;
  /** Counts for the benchmark. */
  readonly stats: { connections: number; commands: number };
}

export interface TransportLog {
  debug(text: string): void;
}
