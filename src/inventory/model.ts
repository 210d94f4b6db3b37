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

/** zookeeper: brokers registered in ZooKeeper (Kafka below 4.0); kraft: a controller quorum (3.3 and later). */
export type KafkaMode = 'zookeeper' | 'kraft';
export type KafkaRole = 'broker' | 'controller';
/** KRaft: static (controller.quorum.voters) or dynamic (KIP-853: controller.quorum.bootstrap.servers, voters in the storage). */
export type ControllerQuorum = 'static' | 'dynamic';
/** The listener name of the controller quorum in KRaft. */
export const CONTROLLER_LISTENER = 'CONTROLLER';

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
  /** KRaft: the CONTROLLER listener's port on nodes with the controller role (default 9093). */
  controllerPort: number;
  chroot?: string;
  settings: Record<string, string>;
  env: Record<string, string>;
}

export interface ZookeeperMember extends ZookeeperSettings {
  id: number;
  host: string;
  address: string;
}

/** A Kafka node: a broker in ZooKeeper mode; in KRaft a broker, a controller, or both. */
export interface Broker extends KafkaSettings {
  /** broker.id in ZooKeeper mode, node.id in KRaft. */
  id: number;
  host: string;
  address: string;
  /** The cluster's mode (the same on every node). */
  mode: KafkaMode;
  /** process.roles in KRaft; always [broker] in ZooKeeper mode. */
  roles: KafkaRole[];
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
  /** zookeeper or kraft (cluster-wide). */
  kafkaMode: KafkaMode;
  /** kafka.clusterId when the inventory sets one (KRaft). */
  clusterId?: string;
  /** KRaft: how the controller quorum is configured (kafka.controllerQuorum, default static). */
  controllerQuorum: ControllerQuorum;
  /** Kafka nodes with the broker role (every Kafka node in ZooKeeper mode), in id order. */
  brokers: Broker[];
  /** KRaft: nodes with the controller role, in id order (empty in ZooKeeper mode). */
  controllers: Broker[];
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

/** KRaft's `controller.quorum.voters`: `ID@ADDRESS:CONTROLLERPORT` of every controller, in id order. */
export function controllerQuorumVoters(inv: Pick<Inventory, 'controllers'>): string {
  return inv.controllers.map((c) => `${c.id}@${hostPort(c.address, c.controllerPort)}`).join(',');
}

/** A dynamic quorum's `controller.quorum.bootstrap.servers`: `ADDRESS:CONTROLLERPORT` of every controller, in id order. */
export function controllerQuorumBootstrapServers(inv: Pick<Inventory, 'controllers'>): string {
  return inv.controllers.map((c) => hostPort(c.address, c.controllerPort)).join(',');
}

/** A KRaft inventory that still lists ZooKeeper members: the target of a ZooKeeper → KRaft migration. */
export function isMigration(inv: Pick<Inventory, 'kafkaMode' | 'members'>): boolean {
  return inv.kafkaMode === 'kraft' && inv.members.length > 0;
}

export const hasRole = (b: Pick<Broker, 'roles'>, role: KafkaRole): boolean => b.roles.includes(role);

export function hostByName(inv: Inventory, name: string): Host | undefined {
  return inv.hosts.find((h) => h.name === name);
}
