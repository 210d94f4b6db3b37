// A dynamic KRaft controller quorum (KIP-853, kafka.controllerQuorum: dynamic): validation through the
// real CLI (each problem at its YAML path), what is rendered (controller.quorum.bootstrap.servers instead
// of controller.quorum.voters), the directory ids derived for the controllers (Kafka's Uuid form, its
// reserved ids), the format argv, and genuine kafka-storage.sh (3.9.1 and 4.1.1, run locally on
// temporary log dirs: no network) formatting with it; the storage decision of `up` (the quorum being
// formed, and what it refuses); the quorum's kind and voters' directory ids as status reads them from
// frames recorded from genuine Kafka (test/e2e/kraft.test.ts with ZKAFKA_RECORD_KAFKA_WIRE=1).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, ensureBuilt, tempDir, zkafka } from './helpers.js';
import { parseInventory } from '../../src/inventory/load.js';
import { hostByName, type Inventory } from '../../src/inventory/model.js';
import { applyExtra, renderHost, Templates } from '../../src/render/files.js';
import { controllerDirectoryId, initialControllersArg, kafka, metadataLogProbeItems, metaPropertiesProbeItems, parseMetaProperties, reservedDirectoryId, type InitialController } from '../../src/services/kafka.js';
import { parseProbe, type HostFacts } from '../../src/services/probe.js';
import { quorumFromWire, storageDecision, type KraftQuorum } from '../../src/commands/kraft.js';
import { decodeApiVersions, decodeDescribeQuorum, decodeResponseHeader } from '../../src/services/kafka-wire.js';
import { preflightProblems } from '../../src/commands/preflight.js';
import type { ClusterState } from '../../src/commands/state.js';
import type { Session } from '../../src/commands/session.js';
import type { Plan } from '../../src/commands/plan.js';
import { planJson, printPlan } from '../../src/commands/plan-view.js';
import { Output } from '../../src/ui/output.js';
import { PassThrough } from 'node:stream';

beforeAll(() => ensureBuilt());

const ID = 'MkU3OEVBNTcwNTJENDM2Qg';
const B64URL = /^[A-Za-z0-9_-]{22}$/;

/** Three combined nodes (the third on IPv6 with its own controller port); `kafka` lines go into the cluster-wide block. */
function combinedYaml(kafkaLines = '  controllerQuorum: dynamic\n', version = '3.9.1', hostExtra = ['', '', '']): string {
  const addr = ['10.3.0.1', '10.3.0.2', '"fd00::3"'];
  const hosts = [0, 1, 2].map((i) => `  - { name: n${i + 1}, address: ${addr[i]}, kafka: { id: ${i + 1}, roles: [broker, controller]${i === 2 ? ', controllerPort: 19093' : ''}${hostExtra[i]} } }\n`).join('');
  return `kafka:\n  mode: kraft\n  version: ${version}\n  logDirs: [/data/kafka-logs]\n${kafkaLines}hosts:\n${hosts}`;
}
/** 3 controllers + 2 brokers. */
function splitYaml(kafkaLines = '  controllerQuorum: dynamic\n'): string {
  const hosts = [1, 2, 3].map((i) => `  - { name: c${i}, address: 10.0.0.${i}, kafka: { id: ${i}, roles: [controller] } }`).concat([101, 102].map((i) => `  - { name: b${i}, address: 10.0.1.${i - 100}, kafka: { id: ${i} } }`));
  return `cluster: k\nkafka:\n  mode: kraft\n  version: 3.9.1\n  logDirs: [/data/kafka-logs]\n${kafkaLines}  settings: { offsets.topic.replication.factor: 2, transaction.state.log.replication.factor: 2 }\nhosts:\n${hosts.join('\n')}\n`;
}
const parse = (yaml: string): Inventory => parseInventory(yaml, '/tmp/inventory.yaml');

// ---- validation --------------------------------------------------------------------------------------

const MIGRATION = `zookeeper: {}\nkafka:\n  mode: kraft\n  version: 3.9.1\n  controllerQuorum: dynamic\nhosts:\n${[1, 2, 3].map((i) => `  - { name: h${i}, address: 10.0.0.${i}, zookeeper: { id: ${i} }, kafka: { id: ${i - 1} } }\n`).join('')}  - { name: c1, address: 10.0.1.1, kafka: { id: 10, roles: [controller] } }\n`;

const INVALID: Array<{ name: string; yaml: string; path: string; message: string; at?: string }> = [
  { name: 'an unknown kind', yaml: combinedYaml('  controllerQuorum: raft\n'), path: 'kafka.controllerQuorum', message: 'kafka.controllerQuorum is static or dynamic', at: '5:21' },
  { name: 'a per-host kind', yaml: combinedYaml('', '3.9.1', [', controllerQuorum: dynamic', '', '']), path: 'hosts[0].kafka.controllerQuorum', message: 'unknown key "controllerQuorum"' },
  { name: 'dynamic in ZooKeeper mode', yaml: 'kafka: { controllerQuorum: dynamic }\nhosts:\n  - { name: a, address: 10.0.0.1, zookeeper: { id: 1 }, kafka: { id: 0 } }\n', path: 'kafka.controllerQuorum', message: 'a dynamic controller quorum is a KRaft one: this inventory is in ZooKeeper mode' },
  { name: 'dynamic on Kafka 3.8', yaml: combinedYaml(undefined, '3.8.1'), path: 'kafka.version', message: 'Kafka 3.8.1 has no dynamic controller quorum (KIP-853 came in 3.9)', at: '3:12' },
  { name: 'dynamic with one host on 3.7', yaml: combinedYaml(undefined, '3.9.1', ['', ', version: 3.7.2', '']), path: 'hosts[1].kafka.version', message: 'Kafka 3.7.2 has no dynamic controller quorum' },
  { name: 'dynamic during a ZooKeeper migration', yaml: MIGRATION, path: 'kafka.controllerQuorum', message: 'a ZooKeeper → KRaft migration needs a static controller quorum' },
  { name: 'controller.quorum.voters with a dynamic quorum', yaml: combinedYaml('  controllerQuorum: dynamic\n  settings: { controller.quorum.voters: "1@x:9093" }\n'), path: 'kafka.settings.controller.quorum.voters', message: "controller.quorum.voters is a static quorum's: with kafka.controllerQuorum: dynamic the voters are formatted into the controllers' storage" },
  { name: 'controller.quorum.bootstrap.servers with a static quorum', yaml: combinedYaml('', '3.9.1', ['', '', ', settings: { controller.quorum.bootstrap.servers: "x:9093" }']), path: 'hosts[2].kafka.settings.controller.quorum.bootstrap.servers', message: "controller.quorum.bootstrap.servers is a dynamic quorum's: zkafka writes controller.quorum.voters; for a dynamic quorum set kafka.controllerQuorum: dynamic" },
  { name: 'controller.quorum.bootstrap.servers with a dynamic quorum', yaml: combinedYaml('  controllerQuorum: dynamic\n  settings: { controller.quorum.bootstrap.servers: "x:9093" }\n'), path: 'kafka.settings.controller.quorum.bootstrap.servers', message: 'controller.quorum.bootstrap.servers is written by zkafka; set it through the hosts with the controller role (and kafka.controllerPort)' },
];

describe('zkafka validate: kafka.controllerQuorum', () => {
  it.each(INVALID)('$name', ({ yaml, path, message, at }) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'inv.yaml'), yaml);
    const r = zkafka(['validate', 'inv.yaml'], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    const line = r.stderr.split('\n').find((l) => l.startsWith('  inv.yaml:') && l.includes(`  ${path}  `) && l.includes(message));
    expect(line, `no problem at ${path} with "${message}" in:\n${r.stderr}`).toBeDefined();
    if (at) expect(line).toContain(`inv.yaml:${at}  ${path}  `);
  });

  it('dynamic on 3.9 and 4.x is valid; the default is static', () => {
    for (const yaml of [combinedYaml(), combinedYaml(undefined, '4.1.1'), splitYaml()]) {
      const dir = tempDir();
      writeFileSync(join(dir, 'inv.yaml'), yaml);
      const r = zkafka(['validate', 'inv.yaml'], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
    }
    expect(parse(combinedYaml()).controllerQuorum).toBe('dynamic');
    expect(parse(combinedYaml('')).controllerQuorum).toBe('static');
    expect(parse(combinedYaml('  controllerQuorum: static\n')).controllerQuorum).toBe('static');
  });
});

// ---- render --------------------------------------------------------------------------------------------

const kafkaFile = (inv: Inventory, host: string, templates = new Templates()) => renderHost(inv, hostByName(inv, host)!, templates).find((f) => f.service === 'kafka')!.content;
const keyLines = (text: string, key: string) => text.split('\n').filter((l) => l.startsWith(`${key}=`));

describe('rendering a dynamic quorum', () => {
  it('every node (controllers, brokers, combined) gets controller.quorum.bootstrap.servers of every controller in id order, IPv6 bracketed; no controller.quorum.voters', () => {
    const comb = parse(combinedYaml());
    for (const h of ['n1', 'n2', 'n3']) {
      const text = kafkaFile(comb, h);
      expect(keyLines(text, 'controller.quorum.bootstrap.servers'), h).toEqual(['controller.quorum.bootstrap.servers=10.3.0.1:9093,10.3.0.2:9093,[fd00::3]:19093']);
      expect(keyLines(text, 'controller.quorum.voters'), h).toEqual([]);
    }
    const split = parse(splitYaml());
    for (const h of ['c1', 'c2', 'c3', 'b101', 'b102']) {
      const text = kafkaFile(split, h);
      expect(keyLines(text, 'controller.quorum.bootstrap.servers'), h).toEqual(['controller.quorum.bootstrap.servers=10.0.0.1:9093,10.0.0.2:9093,10.0.0.3:9093']);
      expect(keyLines(text, 'controller.quorum.voters'), h).toEqual([]);
    }
  });

  it('a static quorum keeps controller.quorum.voters and has no bootstrap servers; the rest of the file is the same for both kinds', () => {
    const dynamic = kafkaFile(parse(combinedYaml()), 'n2');
    const fixed = kafkaFile(parse(combinedYaml('')), 'n2');
    expect(keyLines(fixed, 'controller.quorum.voters')).toEqual(['controller.quorum.voters=1@10.3.0.1:9093,2@10.3.0.2:9093,3@[fd00::3]:19093']);
    expect(keyLines(fixed, 'controller.quorum.bootstrap.servers')).toEqual([]);
    const without = (text: string) => text.split('\n').filter((l) => !l.startsWith('controller.quorum.'));
    expect(without(dynamic)).toEqual(without(fixed));
  });

  it('the quorumBootstrapServers placeholder in an operator template', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'server.kraft.properties'), 'node.id={{id}}\ncontroller.quorum.voters={{quorumVoters}}\ncontroller.quorum.bootstrap.servers={{quorumBootstrapServers}}\n');
    expect(kafkaFile(parse(combinedYaml()), 'n1', new Templates(dir))).toBe('node.id=1\ncontroller.quorum.bootstrap.servers=10.3.0.1:9093,10.3.0.2:9093,[fd00::3]:19093\n');
    expect(kafkaFile(parse(combinedYaml('')), 'n1', new Templates(dir))).toBe('node.id=1\ncontroller.quorum.voters=1@10.3.0.1:9093,2@10.3.0.2:9093,3@[fd00::3]:19093\n');
  });
});

// ---- directory ids -------------------------------------------------------------------------------------

/** The derivation as the README states it, written out here on its own: sha256 of the text, first 16 bytes. */
const sha16 = (text: string) => createHash('sha256').update(text).digest().subarray(0, 16);

describe('directory ids of the controllers', () => {
  it("Kafka's Uuid form: 22 characters of unpadded base64url of 16 bytes, never starting with -", () => {
    for (let node = 0; node <= 1000; node++) {
      const id = controllerDirectoryId(ID, node);
      expect(id).toMatch(B64URL);
      expect(id.startsWith('-')).toBe(false);
      const bytes = Buffer.from(id, 'base64url');
      expect(bytes).toHaveLength(16);
      expect(bytes.toString('base64url')).toBe(id);
      expect(reservedDirectoryId(bytes)).toBe(false);
    }
  });

  it('the first 16 bytes of sha256("zkafka-directory-id:CLUSTER:NODE"); the same on every call, different per node and per cluster', () => {
    expect(controllerDirectoryId(ID, 1)).toBe(sha16(`zkafka-directory-id:${ID}:1`).toString('base64url'));
    expect(controllerDirectoryId(ID, 1)).toBe(controllerDirectoryId(ID, 1));
    const ids = [1, 2, 3, 101].map((n) => controllerDirectoryId(ID, n));
    expect(new Set(ids).size).toBe(4);
    expect(controllerDirectoryId('3prEFvtCTDuAJWc2f16Hig', 1)).not.toBe(ids[0]);
  });

  it('hashed again with a counter when the first result starts with "-"', () => {
    // About 1 in 64 results start with "-": find such node ids for this cluster id.
    const dashed = Array.from({ length: 1001 }, (_, n) => n).filter((n) => sha16(`zkafka-directory-id:${ID}:${n}`).toString('base64url').startsWith('-'));
    expect(dashed.length).toBeGreaterThan(0);
    for (const n of dashed) {
      const next = sha16(`zkafka-directory-id:${ID}:${n}:1`).toString('base64url');
      expect(controllerDirectoryId(ID, n)).toBe(next.startsWith('-') ? sha16(`zkafka-directory-id:${ID}:${n}:2`).toString('base64url') : next);
    }
  });

  it("Kafka's reserved directory ids (DirectoryId.reserved: high 64 bits 0 and the signed low 64 bits below 100)", () => {
    const uuid = (hi: bigint, lo: bigint) => {
      const b = Buffer.alloc(16);
      b.writeBigInt64BE(hi, 0);
      b.writeBigInt64BE(lo, 8);
      return b;
    };
    expect(reservedDirectoryId(uuid(0n, 0n))).toBe(true); // UNASSIGNED, AAAAAAAAAAAAAAAAAAAAAA
    expect(reservedDirectoryId(uuid(0n, 1n))).toBe(true); // LOST (AAAAAAAAAAAAAAAAAAAAAQ: genuine 3.9.1 formats it, then refuses to load it)
    expect(reservedDirectoryId(uuid(0n, 2n))).toBe(true); // MIGRATING
    expect(reservedDirectoryId(uuid(0n, 99n))).toBe(true);
    expect(reservedDirectoryId(uuid(0n, -5n))).toBe(true); // a signed comparison
    expect(reservedDirectoryId(uuid(0n, 100n))).toBe(false);
    expect(reservedDirectoryId(uuid(1n, 0n))).toBe(false);
    expect(uuid(0n, 1n).toString('base64url')).toBe('AAAAAAAAAAAAAAAAAAAAAQ');
  });
});

// ---- format --------------------------------------------------------------------------------------------

const voters = (inv: Inventory, clusterId = ID): InitialController[] => inv.controllers.map((c) => ({ id: c.id, address: c.address, port: c.controllerPort, directoryId: controllerDirectoryId(clusterId, c.id) }));

describe('kafka.format with a dynamic quorum', () => {
  it('a controller: --initial-controllers ID@ADDRESS:PORT:DIRECTORYID of every controller (IPv6 bracketed); a broker: --no-initial-controllers; static: neither', () => {
    const comb = parse(combinedYaml());
    const v = voters(comb);
    const n3 = kafka.format(hostByName(comb, 'n3')!.kafka!, ID, undefined, v).argv;
    expect(n3.slice(1)).toEqual(['format', '-t', ID, '-c', kafka.config(hostByName(comb, 'n3')!.kafka!), '--ignore-formatted', '--initial-controllers', `1@10.3.0.1:9093:${v[0]!.directoryId},2@10.3.0.2:9093:${v[1]!.directoryId},3@[fd00::3]:19093:${v[2]!.directoryId}`]);
    expect(initialControllersArg(v)).toBe(n3.at(-1));
    const split = parse(splitYaml());
    const b = kafka.format(hostByName(split, 'b101')!.kafka!, ID, undefined, voters(split)).argv;
    expect(b.slice(-2)).toEqual(['--ignore-formatted', '--no-initial-controllers']);
    const c2 = kafka.format(hostByName(split, 'c2')!.kafka!, ID, undefined, voters(split)).argv;
    expect(c2.filter((a) => a.startsWith('--'))).toEqual(['--ignore-formatted', '--initial-controllers']);
    expect(kafka.format(hostByName(split, 'c2')!.kafka!, ID).argv.at(-1)).toBe('--ignore-formatted');
  });

  it("the probe reads each KRaft log dir's directory.id (and metadata.log.dir's when it is elsewhere), and whether a controller's metadata log has segments", () => {
    const split = parse(splitYaml());
    expect(metaPropertiesProbeItems(split.controllers[0]!).map((i) => i.key)).toContain('directory.id');
    expect(metadataLogProbeItems(split.controllers[0]!)).toEqual([{ kind: 'glob', dir: '/data/kafka-logs/__cluster_metadata-0', pattern: '*.log' }]);
    expect(metadataLogProbeItems(split.brokers[0]!)).toEqual([]);
    const own = parse(splitYaml().replace('logDirs: [/data/kafka-logs]', 'logDirs: [/data/a, /data/b]').replace('settings: {', 'settings: { metadata.log.dir: /meta,'));
    expect(kafka.metadataLogDir(own.controllers[0]!)).toBe('/meta');
    expect([...new Set(metaPropertiesProbeItems(own.controllers[0]!).map((i) => i.path))]).toEqual(['/data/a/meta.properties', '/data/b/meta.properties', '/meta/meta.properties']);
    expect(metadataLogProbeItems(own.controllers[0]!)[0]!.dir).toBe('/meta/__cluster_metadata-0');
  });
});

// Genuine kafka-storage.sh, locally, with the argv kafka.format builds (paths swapped for local ones).
const RELEASES = ['3.9.1', '4.1.1'].map((v) => ({ v, tgz: join(ROOT, `build/dist/kafka_2.13-${v}.tgz`) })).filter((r) => existsSync(r.tgz));
const HAVE_JAVA = spawnSync('java', ['-version']).status === 0;

describe.skipIf(!HAVE_JAVA || RELEASES.length === 0).each(RELEASES)('genuine Kafka $v formats a dynamic quorum with the argv of kafka.format', ({ v, tgz }) => {
  let home = '';
  beforeAll(() => {
    const dir = tempDir(`zkafka-kafka-${v}-`);
    expect(spawnSync('tar', ['xzf', tgz, '-C', dir]).status).toBe(0);
    home = join(dir, `kafka_2.13-${v}`);
  }, 60_000);

  const formatLocally = (inv: Inventory, host: string, clusterId: string, initial: InitialController[] | undefined) => {
    const b = hostByName(inv, host)!.kafka!;
    const dir = tempDir('zkafka-format-');
    const config = join(dir, 'server.properties');
    writeFileSync(config, applyExtra(kafkaFile(inv, host), { 'log.dirs': join(dir, 'logs') }));
    const argv = kafka.format(b, clusterId, undefined, initial).argv.map((a) => (a === kafka.config(b) ? config : a));
    const r = spawnSync(join(home, 'bin/kafka-storage.sh'), argv.slice(1), { encoding: 'utf8', env: { ...process.env, LOG_DIR: join(dir, 'applogs') } });
    return { r, meta: existsSync(join(dir, 'logs/meta.properties')) ? parseMetaProperties(readFileSync(join(dir, 'logs/meta.properties'), 'utf8')) : undefined, out: `${r.stdout}\n${r.stderr}` };
  };

  it.each([
    ['a combined node (IPv6 voter in the list)', 'n3'],
    ['a combined node', 'n1'],
  ])('%s: a dynamic metadata voter directory holding its derived directory id', (_what, host) => {
    const inv = parse(combinedYaml(undefined, v));
    const { r, meta, out } = formatLocally(inv, host, ID, voters(inv));
    expect(r.status, out).toBe(0);
    expect(out).toMatch(/Formatting dynamic metadata voter directory/);
    expect(meta).toMatchObject({ version: 1, clusterId: ID, nodeId: hostByName(inv, host)!.kafka!.id, directoryId: controllerDirectoryId(ID, hostByName(inv, host)!.kafka!.id) });
  }, 60_000);

  it('a broker: --no-initial-controllers, a random directory id', () => {
    const inv = parse(splitYaml().replace('version: 3.9.1', `version: ${v}`));
    const { r, meta, out } = formatLocally(inv, 'b101', ID, voters(inv));
    expect(r.status, out).toBe(0);
    expect(meta?.directoryId).toMatch(B64URL);
    expect(meta?.directoryId).not.toBe(controllerDirectoryId(ID, 101));
  }, 60_000);

  it('without the voters a controller of a dynamic quorum is refused (what --initial-controllers is for)', () => {
    const inv = parse(combinedYaml(undefined, v));
    const { r, out } = formatLocally(inv, 'n1', ID, undefined);
    expect(r.status).not.toBe(0);
    expect(out).toContain('controller.quorum.voters is not set on this controller');
  }, 60_000);
});

// ---- the storage decision ------------------------------------------------------------------------------

const META = '/data/kafka-logs/meta.properties';
/** Probe facts per host: meta.properties of /data/kafka-logs (undefined: none), and whether the metadata log has segments. */
function facts(hosts: Record<string, { props?: Record<string, string>; ran?: boolean } | undefined>): Map<string, HostFacts> {
  const out = new Map<string, HostFacts>();
  for (const [host, h] of Object.entries(hosts)) {
    const f = parseProbe('');
    if (h?.props) for (const [k, val] of Object.entries({ version: '1', ...h.props })) f.props.set(`${META} ${k}`, val);
    f.globs.set('/data/kafka-logs/__cluster_metadata-0 *.log', !!h?.ran);
    out.set(host, f);
  }
  return out;
}
const formatted = (id: number, directoryId = controllerDirectoryId(ID, id), ran = false) => ({ props: { 'cluster.id': ID, 'node.id': String(id), 'directory.id': directoryId }, ran });
const quorumOf = (ids: number[], dirs: Record<number, string> = {}): KraftQuorum => ({
  leader: ids[0]!,
  epoch: 3,
  highWatermark: 40,
  observers: [],
  voters: ids.map((id) => ({ id, logEndOffset: 40, lag: 0, lastFetchTimestamp: 1, lastCaughtUpTimestamp: 1, caughtUp: true, directoryId: dirs[id] ?? controllerDirectoryId(ID, id) })),
});

describe('storage decision of a dynamic quorum', () => {
  const inv = parse(splitYaml());
  const none = { c1: undefined, c2: undefined, c3: undefined, b101: undefined, b102: undefined };

  it('nothing formatted: every controller with the initial voters (derived directory ids), every broker too (--no-initial-controllers)', () => {
    const d = storageDecision(inv, facts(none), () => ID);
    expect(d.problems).toEqual([]);
    expect(d.refused).toEqual([]);
    expect(d.formats.map((f) => f.id)).toEqual([1, 2, 3, 101, 102]);
    for (const f of d.formats) expect(f.initialControllers).toEqual(voters(inv));
    expect(storageDecision(parse(splitYaml('')), facts(none), () => ID).formats.every((f) => f.initialControllers === undefined)).toBe(true);
  });

  it('an up interrupted after formatting some controllers (none has run): the rest with the same voters', () => {
    const d = storageDecision(inv, facts({ ...none, c1: formatted(1), c3: formatted(3) }));
    expect(d.refused).toEqual([]);
    expect(d.formats.map((f) => [f.id, f.clusterId])).toEqual([[2, ID], [101, ID], [102, ID]]);
    expect(d.formats[0]!.initialControllers).toEqual(voters(inv));
  });

  it('a running quorum that lists the unformatted controller with its derived id (left out of the first up): formatted', () => {
    const d = storageDecision(inv, facts({ ...none, c1: formatted(1, undefined, true), c2: formatted(2, undefined, true) }), undefined, quorumOf([1, 2, 3]));
    expect(d.refused).toEqual([]);
    expect(d.formats.map((f) => f.id)).toEqual([3, 101, 102]);
  });

  it('a running quorum that does not list it: refused (no add-controller), naming the host, why and what to do; the brokers are still formatted', () => {
    const d = storageDecision(inv, facts({ ...none, c1: formatted(1, undefined, true), c2: formatted(2, undefined, true) }), undefined, quorumOf([1, 2]));
    expect(d.refused).toEqual([{ host: 'c3', problem: expect.stringMatching(/^c3: controller 3 has no storage yet \(no \/data\/kafka-logs\/meta\.properties\), and the running dynamic quorum \(voters 1,2\) does not list it: zkafka does not add controllers/) }]);
    expect(d.refused[0]!.problem).toContain('kafka-metadata-quorum.sh --command-config /home/software/kafka_2.11-3.9.1/config/server.properties --bootstrap-controller 10.0.0.1:9093 add-controller');
    expect(d.formats.map((f) => f.id)).toEqual([101, 102]);
  });

  it('a quorum that has run, none of it answering now: refused, since its voters cannot be read', () => {
    const d = storageDecision(inv, facts({ ...none, c1: formatted(1, undefined, true), c2: formatted(2, undefined, true) }));
    expect(d.refused.map((r) => r.host)).toEqual(['c3']);
    expect(d.refused[0]!.problem).toMatch(/controller\(s\) 1,2 already ran a dynamic quorum and none of them answers now.*zkafka up --hosts c1,c2/);
  });

  it('a formatted controller holding another directory id: every controller still to format is refused, the message naming host and dir', () => {
    const d = storageDecision(inv, facts({ ...none, c1: formatted(1, 'UVoyNb4SDi12qcQP8Ktivw') }));
    expect(d.refused.map((r) => r.host)).toEqual(['c2', 'c3']);
    expect(d.refused[0]!.problem).toMatch(new RegExp(`^c1: ${META} holds directory.id UVoyNb4SDi12qcQP8Ktivw, but zkafka derives ${controllerDirectoryId(ID, 1)} for controller 1 of cluster ${ID}`));
    expect(d.formats.map((f) => f.id)).toEqual([101, 102]);
  });

  it('every controller formatted (whatever their ids): nothing to form, nothing refused', () => {
    const all = { ...none, c1: formatted(1, 'UVoyNb4SDi12qcQP8Ktivw', true), c2: formatted(2, undefined, true), c3: formatted(3, undefined, true) };
    expect(storageDecision(inv, facts(all), undefined, quorumOf([1, 2, 3]))).toMatchObject({ refused: [], problems: [] });
  });

  it('preflight counts a refusal only when its host is in the run (up --hosts without it starts the others)', () => {
    const d = storageDecision(inv, facts({ ...none, c1: formatted(1, undefined, true), c2: formatted(2, undefined, true) }));
    const state = { facts: new Map(), members: [], brokers: [], versionProblems: [], kraft: { storage: d } } as unknown as ClusterState;
    const s = { unreachable: new Map() } as unknown as Session;
    const plan = { installs: [] } as unknown as Plan;
    const scope = (hosts: string[]) => ({ hosts: new Set(hosts), leftOut: [] });
    expect(preflightProblems(s, inv, state, plan, scope(['c1', 'c2', 'c3']))).toEqual([d.refused[0]!.problem]);
    expect(preflightProblems(s, inv, state, plan, scope(['c1', 'c2']))).toEqual([]);
  });
});

describe('the plan of a dynamic quorum', () => {
  it("plan --json: a controller's --initial-controllers value, null for a broker; the text says which", () => {
    const inv = parse(splitYaml());
    const d = storageDecision(inv, facts({ c1: undefined, c2: undefined, c3: undefined, b101: undefined, b102: undefined }), () => ID);
    const plan = { installs: [], files: [], zookeeper: [], kafka: [], unchanged: [], formats: d.formats } as Plan;
    const formats = planJson(plan).formats as Array<{ id: number; initialControllers: string | null }>;
    expect(formats.map((f) => [f.id, f.initialControllers])).toEqual([
      ...[1, 2, 3].map((id) => [id, initialControllersArg(voters(inv))]),
      [101, null],
      [102, null],
    ]);
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (b: Buffer) => (text += b.toString()));
    printPlan(plan, new Output({ tty: false, stdout, stderr: new PassThrough() }), { diffs: false, toStdout: true });
    expect(text).toContain(`format   kafka 2 storage /data/kafka-logs (cluster id ${ID}, generated; dynamic quorum, initial voters 1,2,3)`);
    expect(text).toContain(`format   kafka 101 storage /data/kafka-logs (cluster id ${ID}, generated; dynamic quorum, --no-initial-controllers)`);
  });
});

// ---- status: frames recorded from a genuine dynamic quorum ---------------------------------------------

const WIRE = join(ROOT, 'test/unit/fixtures/kafka-wire');
const recorded = ['3.9.1', '4.1.1'].filter((v) => existsSync(join(WIRE, `${v}-describe-quorum-v2-dynamic.bin`)));
function frame(name: string) {
  const meta = JSON.parse(readFileSync(join(WIRE, `${name}.json`), 'utf8')) as { apiKey: number; version: number; directoryIds?: Record<string, string> };
  const f = readFileSync(join(WIRE, `${name}.bin`));
  return { meta, body: decodeResponseHeader(f.subarray(4), meta.apiKey, meta.version).body };
}

describe('the quorum kind and the voters as status reads them', () => {
  it('recorded from both releases', () => expect(recorded).toEqual(['3.9.1', '4.1.1']));

  it.each(recorded)('%s, dynamic: each voter with the directory id its meta.properties holds; kraft.version 1 finalized', (v) => {
    const q = frame(`${v}-describe-quorum-v2-dynamic`);
    const quorum = quorumFromWire(decodeDescribeQuorum(q.body, q.meta.version))!;
    expect(quorum.voters.map((x) => x.id).sort()).toEqual([1, 2, 3]);
    for (const x of quorum.voters) expect(x.directoryId, `voter ${x.id}`).toBe(q.meta.directoryIds![String(x.id)]);
    const a = frame(`${v}-api-versions-v4-dynamic`);
    expect(decodeApiVersions(a.body, a.meta.version).finalizedFeatures.get('kraft.version')).toEqual({ min: 1, max: 1 });
  });

  it('3.9.1, static: no directory ids (all zero on the wire), no kraft.version finalized', () => {
    const q = frame('3.9.1-describe-quorum-v2-controller');
    expect(quorumFromWire(decodeDescribeQuorum(q.body, q.meta.version))!.voters.map((x) => x.directoryId)).toEqual([undefined, undefined, undefined]);
    const a = frame('3.9.1-api-versions-v4-controller');
    expect(decodeApiVersions(a.body, a.meta.version).finalizedFeatures.has('kraft.version')).toBe(false);
  });
});
