// The normalised inventory: every default applied, per-host overrides merged, paths resolved.
// Everything downstream (render, plan, up, status, down) reads only this.
import type { Problem } from '../errors.js';

export interface JumpHost {
  user?: string;
  host: string;
  port: number;
}

export interface SshSettings {
  user: string;
  port: number;
  /** Absolute path on the control machine, or undefined: ssh-agent, then the usual ~/.ssh keys. */
  identityFile?: string;
  /** Absolute path on the control machine. */
  knownHosts: string;
  /** Seconds. */
  connectTimeout: number;
  /** Seconds. */
  commandTimeout: number;
  jumpHost?: JumpHost;
}

export interface ZookeeperSettings {
  version: string;
  /** Absolute local path or http(s) URL of the distribution tarball. */
  source?: string;
  installDir: string;
  home: string;
  dataDir: string;
  dataLogDir?: string;
  logDir: string;
  clientPort: number;
  quorumPort: number;
  electionPort: number;
  tickTime: number;
  initLimit: number;
  syncLimit: number;
  maxClientCnxns: number;
  autopurge: { snapRetainCount: number; purgeInterval: number };
  metrics: { enabled: boolean; host: string; port: number; exportJvmInfo: boolean };
  adminServer: { enabled: boolean; port: number };
  settings: Record<string, string>;
  env: Record<string, string>;
}

export interface KafkaSettings {
  version: string;
  scalaVersion: string;
  source?: string;
  installDir: string;
  home: string;
  logDirs: string[];
  /** LOG_DIR: where server.log goes. */
  logDir: string;
  port: number;
  chroot?: string;
  settings: Record<string, string>;
  env: Record<string, string>;
}

export interface ZookeeperMember extends ZookeeperSettings {
  id: number;
  host: string;
  address: string;
}

export interface Broker extends KafkaSettings {
  id: number;
  host: string;
  address: string;
}

export interface Host {
  name: string;
  address: string;
  local: boolean;
  ssh: SshSettings;
  javaHome?: string;
  zookeeper?: ZookeeperMember;
  kafka?: Broker;
  /** Position in the inventory's hosts list. */
  index: number;
}

export interface Inventory {
  /** Absolute path of the inventory file. */
  file: string;
  cluster: string;
  /** Operator's template folder (absolute), overriding built-in templates file by file. */
  templatesDir?: string;
  hosts: Host[];
  /** ZooKeeper members in myid order. */
  members: ZookeeperMember[];
  /** Brokers in broker-id order. */
  brokers: Broker[];
  warnings: Problem[];
}

/** host:port with IPv6 addresses bracketed, as both services expect. */
export function hostPort(address: string, port: number | string): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The `server.N=host:quorum:election` lines every member's zoo.cfg carries. */
export function ensembleServers(inv: Pick<Inventory, 'members'>): Array<[string, string]> {
  return inv.members.map((m) => [`server.${m.id}`, `${hostPort(m.address, m.quorumPort)}:${m.electionPort}`]);
}

/** The ensemble's client connect string, as brokers and clients use it. */
export function zookeeperConnect(inv: Pick<Inventory, 'members'>, chroot?: string): string {
  return inv.members.map((m) => hostPort(m.address, m.clientPort)).join(',') + (chroot ?? '');
}

export function hostByName(inv: Inventory, name: string): Host | undefined {
  return inv.hosts.find((h) => h.name === name);
}
