// Helpers for vitest tests that use the zkafka test lab (test/lab/lab).
// The lab needs root: it creates network/PID/mount/UTS namespaces.
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeSSH } from 'node-ssh';
// @ts-expect-error: a plain .mjs module shared with lab-inventory.mjs
import { LAB_KAFKA_SCALA, labKafka as labKafkaJs } from './kafka-dist.mjs';

export interface LabHost {
  name: string; // lab1..labN (also the host's UTS hostname)
  address: string; // 198.18.0.(10+i)
  initPid: number; // PID (in the root PID namespace) of the host's init (tini)
}

export interface Lab {
  hosts: LabHost[];
  user: string; // "root"
  port: number; // 22
  identityFile: string; // private ed25519 client key
  knownHosts: string; // "ADDRESS ssh-ed25519 KEY" for each host
  bridge: string; // "zklabbr0"
  hostsFile?: string; // /etc/hosts-style name mapping (bind-mounted as each host's /etc/hosts)
  stateDir?: string;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export const LAB_LIB_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(LAB_LIB_DIR, '..', '..');
export const LAB_SCRIPT = join(LAB_LIB_DIR, 'lab');
export const DIST_DIR = join(REPO_ROOT, 'build', 'dist');
export const ZOOKEEPER_TGZ_NAME = 'apache-zookeeper-3.8.0-bin.tar.gz';
/** The ZooKeeper versions test/lab/build-zookeeper.sh builds: 3.8.0 (the runbook's, the default) and newer ones. */
export const LAB_ZOOKEEPER_VERSIONS = ['3.8.0', '3.8.3', '3.9.3', '3.9.4'] as const;
/** The newest 3.9.x the lab builds (test/e2e/lab-versions.test.ts runs an ensemble of it). */
export const LAB_ZOOKEEPER_39 = '3.9.4';

export interface LabKafka {
  version: string; // e.g. 2.4.1
  scalaVersion: string; // e.g. 2.11
  tgz: string; // the kafka_SCALA-VERSION.tgz the lab installs
  operator: boolean; // true: $ZKAFKA_KAFKA_TGZ, an operator's own tarball (never built here)
}

/** The lab's Kafka ($ZKAFKA_LAB_KAFKA, default 2.4.1, or $ZKAFKA_KAFKA_TGZ); the same answer lab-inventory.mjs uses. */
export function labKafka(): LabKafka {
  return labKafkaJs() as LabKafka;
}

/** The lab's state dir: $ZKAFKA_LAB_DIR, else the default of lab number $ZKAFKA_LAB_INDEX (see test/lab/lab). */
export function labDir(): string {
  const index = process.env.ZKAFKA_LAB_INDEX ?? '0';
  return process.env.ZKAFKA_LAB_DIR || `/var/tmp/zkafka-lab${index === '0' ? '' : index}`;
}

/** Reads $ZKAFKA_LAB_DIR/lab.json of the lab that is up. */
export function readLab(): Lab {
  return JSON.parse(readFileSync(join(labDir(), 'lab.json'), 'utf8')) as Lab;
}

/** `lab up N` (removes any earlier lab first); resolves once every sshd answers. */
export async function labUp(n: number): Promise<Lab> {
  await execa(LAB_SCRIPT, ['up', String(n)], { stdin: 'ignore' });
  return readLab();
}

/** `lab down`: no namespace, bridge, process or mount of the lab remains. */
export async function labDown(): Promise<void> {
  await execa(LAB_SCRIPT, ['down'], { stdin: 'ignore' });
}

/** Runs argv inside a host's namespaces (net, pid, mount, uts) without SSH. Never throws on a non-zero exit. */
export async function labExec(host: string, argv: string[], opts: { timeoutMs?: number } = {}): Promise<ExecResult> {
  const r = await execa(LAB_SCRIPT, ['exec', host, '--', ...argv], {
    reject: false,
    stdin: 'ignore',
    timeout: opts.timeoutMs ?? 60_000,
  });
  return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), exitCode: r.exitCode ?? -1 };
}

/** Builds (if missing) the ZooKeeper 3.8.0 tarball, the runbook's; returns its path. */
export async function buildZookeeperDist(outDir = DIST_DIR): Promise<string> {
  return zookeeperTgz('3.8.0', outDir);
}

/**
 * The ZooKeeper tarball of a version build-zookeeper.sh supports (LAB_ZOOKEEPER_VERSIONS), built into
 * outDir if missing: outDir/apache-zookeeper-VERSION-bin.tar.gz, top folder apache-zookeeper-VERSION-bin.
 */
export async function zookeeperTgz(version: string, outDir = DIST_DIR): Promise<string> {
  if (!(LAB_ZOOKEEPER_VERSIONS as readonly string[]).includes(version)) {
    throw new Error(`ZooKeeper ${version}: test/lab/build-zookeeper.sh builds ${LAB_ZOOKEEPER_VERSIONS.join(', ')}`);
  }
  const tgz = join(outDir, `apache-zookeeper-${version}-bin.tar.gz`);
  if (!existsSync(tgz)) {
    await execa(join(LAB_LIB_DIR, 'build-zookeeper.sh'), ['--version', version, outDir], { stdin: 'ignore' });
  }
  return tgz;
}

/**
 * The Kafka tarball of a version build-kafka.sh supports (kafka-dist.mjs LAB_KAFKA_SCALA: 2.4.1, 3.9.1,
 * 4.1.1), whatever ZKAFKA_LAB_KAFKA says, built into outDir if missing: outDir/kafka_SCALA-VERSION.tgz.
 */
export async function kafkaTgz(version: string, outDir = DIST_DIR): Promise<string> {
  const scala = (LAB_KAFKA_SCALA as Record<string, string>)[version];
  if (!scala) throw new Error(`Kafka ${version}: test/lab/build-kafka.sh builds ${Object.keys(LAB_KAFKA_SCALA).join(', ')}`);
  const tgz = join(outDir, `kafka_${scala}-${version}.tgz`);
  if (!existsSync(tgz)) {
    await execa(join(LAB_LIB_DIR, 'build-kafka.sh'), [version, scala, outDir], { stdin: 'ignore' });
  }
  return tgz;
}

/**
 * The Kafka tarball (see labKafka): $ZKAFKA_KAFKA_TGZ as is, else genuine Apache Kafka built from
 * Maven Central jars by test/lab/build-kafka.sh into outDir (built if missing).
 */
export async function buildKafkaDist(outDir = DIST_DIR): Promise<string> {
  const k = labKafka();
  if (k.operator) {
    if (!existsSync(k.tgz)) throw new Error(`ZKAFKA_KAFKA_TGZ=${k.tgz} does not exist`);
    return k.tgz;
  }
  const tgz = join(outDir, `kafka_${k.scalaVersion}-${k.version}.tgz`);
  if (!existsSync(tgz)) {
    await execa(join(LAB_LIB_DIR, 'build-kafka.sh'), [k.version, k.scalaVersion, outDir], { stdin: 'ignore' });
  }
  return tgz;
}

/** Both distributions (see buildZookeeperDist / buildKafkaDist). */
export async function buildDists(): Promise<{ zookeeperTgz: string; kafkaTgz: string }> {
  const zookeeperTgz = await buildZookeeperDist();
  const kafkaTgz = await buildKafkaDist();
  return { zookeeperTgz, kafkaTgz };
}

// ---- host key verification -------------------------------------------------

export interface KnownHostKey {
  type: string;
  key: Buffer; // the SSH wire-format public key blob (base64-decoded field)
}

/** Parses plain (unhashed) known_hosts text: "host[,host...] type base64 [comment]". */
export function parseKnownHosts(text: string): Map<string, KnownHostKey[]> {
  const map = new Map<string, KnownHostKey[]>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('|') || line.startsWith('@')) continue;
    const [hosts, type, b64] = line.split(/\s+/);
    if (!hosts || !type || !b64) continue;
    for (let h of hosts.split(',')) {
      const m = /^\[(.+)\]:(\d+)$/.exec(h);
      if (m && m[2] === '22') h = m[1]!;
      const list = map.get(h) ?? [];
      list.push({ type, key: Buffer.from(b64, 'base64') });
      map.set(h, list);
    }
  }
  return map;
}

/** An ssh2 hostVerifier accepting exactly the keys known_hosts lists for `host`. */
export function knownHostsVerifier(knownHostsPath: string, host: string): (key: Buffer) => boolean {
  const keys = parseKnownHosts(readFileSync(knownHostsPath, 'utf8')).get(host) ?? [];
  return (key: Buffer) => keys.some((k) => Buffer.isBuffer(key) && k.key.equals(key));
}

/** Opens an SSH session to a lab host as the lab user, verifying its host key against the lab's known_hosts. */
export async function sshConnect(
  lab: Lab,
  host: LabHost | string,
  opts: { knownHosts?: string } = {},
): Promise<NodeSSH> {
  const h = typeof host === 'string' ? lab.hosts.find((x) => x.name === host || x.address === host) : host;
  if (!h) throw new Error(`no lab host ${String(host)}`);
  const ssh = new NodeSSH();
  await ssh.connect({
    host: h.address,
    port: lab.port,
    username: lab.user,
    privateKey: readFileSync(lab.identityFile, 'utf8'),
    hostVerifier: knownHostsVerifier(opts.knownHosts ?? lab.knownHosts, h.address),
    readyTimeout: 20_000,
  });
  return ssh;
}

/** Polls `fn` until it returns a value (errors count as "not yet"), or fails naming `what`. */
export async function waitUntil<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
