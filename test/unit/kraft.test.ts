// KRaft inventories and rendering: every rule as an exit-2 problem naming its YAML path (through the
// real CLI), the model's defaults, golden server.properties for 3 controllers + 3 brokers, 3 combined
// nodes and each migration form, `extra` on every form, meta.properties recorded from genuine Kafka
// 2.4.1 and 3.9.1, the cluster id helpers, and genuine Kafka 3.9.1's KafkaConfig reading each rendered
// KRaft form (kafka-storage.sh format, run locally on a temporary log dir: no network).
//
// To regenerate the golden files after an intended template change: UPDATE_GOLDEN=1 npx vitest run test/unit/kraft.test.ts
// (and `node bin/zkafka.js render FILE --out test/unit/golden/kraft-split|kraft-combined`), then review the diff.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, ensureBuilt, listFiles, tempDir, writeFiles, zkafka } from './helpers.js';
import { loadInventory, parseInventory } from '../../src/inventory/load.js';
import { controllerQuorumVoters, hostByName, type Inventory } from '../../src/inventory/model.js';
import { applyExtra, defaultKafkaForm, renderHost, Templates, type KafkaForm } from '../../src/render/files.js';
import { chooseClusterId, generateClusterId, kafka, metaPropertiesProbeItems, parseMetaProperties } from '../../src/services/kafka.js';
import { clusterIdProblem } from '../../src/inventory/schema.js';
import { InventoryError } from '../../src/errors.js';

const FIXTURES = join(ROOT, 'test/unit/fixtures');
const GOLDEN = join(ROOT, 'test/unit/golden');
const SPLIT = join(ROOT, 'inventory.kraft.example.yaml');
const COMBINED = join(FIXTURES, 'kraft-combined.yaml');
const MIGRATION = join(FIXTURES, 'kraft-migration.yaml');

beforeAll(() => ensureBuilt());

const settingLines = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

// ---- rules ---------------------------------------------------------------------------------------------

const K39 = 'kafka:\n  mode: kraft\n  version: 3.9.1\n';
/** Three combined nodes on 3.9.1 in KRaft; `kafkaExtra` goes into the cluster-wide kafka block. */
function combined(kafkaExtra = '', hostExtra = ['', '', ''], pre = ''): string {
  const host = (i: number) => `  - name: n${i + 1}\n    address: 10.0.0.${i + 1}\n    kafka: { id: ${i + 1}, roles: [broker, controller]${hostExtra[i] ?? ''} }\n`;
  return `${pre}${K39}${kafkaExtra}hosts:\n${host(0)}${host(1)}${host(2)}`;
}
/** A migration target: 3 ZooKeeper members, 3 brokers (ids 0-2), and `controllers`. */
function migration(version = '3.9.1', controllers = '  - { name: c1, address: 10.0.1.1, kafka: { id: 10, roles: [controller] } }\n'): string {
  const zk = [1, 2, 3].map((i) => `  - { name: h${i}, address: 10.0.0.${i}, zookeeper: { id: ${i} }, kafka: { id: ${i - 1} } }\n`).join('');
  return `kafka:\n  mode: kraft\n  version: ${version}\nhosts:\n${zk}${controllers}`;
}

interface Case {
  name: string;
  yaml: string;
  path: string;
  message: string;
  /** LINE:COL when checked. */
  at?: string;
}

const CASES: Case[] = [
  // Shape.
  { name: 'an unknown mode', yaml: combined().replace('mode: kraft', 'mode: raft'), path: 'kafka.mode', message: 'kafka.mode is zookeeper or kraft', at: '2:9' },
  { name: 'an unknown role', yaml: combined('', [', roles: [broker, leader]', '', '']).replace('roles: [broker, controller], roles', 'roles'), path: 'hosts[0].kafka.roles[1]', message: 'a role is broker or controller' },
  { name: 'no roles', yaml: combined('', ['', '', '']).replace('id: 1, roles: [broker, controller]', 'id: 1, roles: []'), path: 'hosts[0].kafka.roles', message: 'list at least one role' },
  { name: 'a role twice', yaml: combined().replace('id: 2, roles: [broker, controller]', 'id: 2, roles: [broker, broker]'), path: 'hosts[1].kafka.roles', message: 'a role is listed twice' },
  { name: 'a cluster id too short', yaml: combined('  clusterId: abc\n'), path: 'kafka.clusterId', message: 'a cluster id is 22 characters of base64url', at: '4:14' },
  { name: 'a cluster id with +', yaml: combined('  clusterId: "MkU3OEVBNTcwNTJENDM2+g"\n'), path: 'kafka.clusterId', message: 'a cluster id is 22 characters of base64url' },
  { name: 'a cluster id that is not 16 bytes', yaml: combined('  clusterId: MkU3OEVBNTcwNTJENDM2Qh\n'), path: 'kafka.clusterId', message: 'does not end 16 bytes' },
  { name: 'a cluster id starting with -', yaml: combined('  clusterId: "-kU3OEVBNTcwNTJENDM2Qg"\n'), path: 'kafka.clusterId', message: 'must not start with "-"' },
  { name: 'the all-zero cluster id', yaml: combined('  clusterId: AAAAAAAAAAAAAAAAAAAAAA\n'), path: 'kafka.clusterId', message: 'one Kafka reserves' },
  { name: 'a controller port out of range', yaml: combined('  controllerPort: 0\n'), path: 'kafka.controllerPort', message: 'a port is 1-65535' },
  { name: 'clusterId only cluster-wide', yaml: combined('', [', clusterId: MkU3OEVBNTcwNTJENDM2Qg', '', '']), path: 'hosts[0].kafka.clusterId', message: 'unknown key "clusterId"' },

  // Versions and modes.
  { name: 'Kafka 4 with mode zookeeper', yaml: 'zookeeper: {}\nkafka:\n  mode: zookeeper\n  version: 4.0.0\nhosts:\n  - { name: a, address: 10.0.0.1, zookeeper: { id: 1 }, kafka: { id: 0 } }\n', path: 'kafka.version', message: 'Kafka 4.0.0 has no ZooKeeper mode (removed in 4.0); kafka.mode is zookeeper', at: '4:12' },
  { name: 'KRaft on Kafka 2.4.1', yaml: combined().replace('version: 3.9.1', 'version: 2.4.1'), path: 'kafka.version', message: 'Kafka 2.4.1 has no production KRaft mode (it came in 3.3)' },
  { name: 'a migration on Kafka 3.7', yaml: migration('3.7.1'), path: 'kafka.version', message: 'a KRaft cluster that still lists ZooKeeper members is a ZooKeeper → KRaft migration, which zkafka does on 3.9.x' },
  { name: 'a migration on Kafka 4.0', yaml: migration('4.0.0'), path: 'kafka.version', message: 'a migration, which needs 3.9.x' },

  // Roles and quorum.
  { name: 'roles in ZooKeeper mode', yaml: 'hosts:\n  - { name: a, address: 10.0.0.1, zookeeper: { id: 1 }, kafka: { id: 0, roles: [broker, controller] } }\n', path: 'hosts[0].kafka.roles', message: 'in ZooKeeper mode every Kafka node is a broker' },
  { name: 'KRaft without a controller', yaml: `${K39}hosts:\n  - { name: a, address: 10.0.0.1, kafka: { id: 1 } }\n`, path: 'hosts', message: 'a KRaft cluster needs at least one controller' },
  { name: 'Kafka 4 without mode and without a controller', yaml: 'kafka: { version: 4.0.0 }\nhosts:\n  - { name: a, address: 10.0.0.1, kafka: { id: 1 } }\n', path: 'hosts', message: 'a KRaft cluster needs at least one controller' },
  { name: 'a combined node during a migration', yaml: migration('3.9.1', '  - { name: c1, address: 10.0.1.1, kafka: { id: 10, roles: [broker, controller] } }\n'), path: 'hosts[3].kafka.roles', message: 'a migration from ZooKeeper needs dedicated controllers' },
  { name: 'a migration without brokers', yaml: 'kafka: { mode: kraft, version: 3.9.1 }\nhosts:\n  - { name: h1, address: 10.0.0.1, zookeeper: { id: 1 } }\n  - { name: c1, address: 10.0.1.1, kafka: { id: 10, roles: [controller] } }\n', path: 'hosts', message: 'a migration from ZooKeeper moves existing brokers' },
  { name: 'duplicate node ids', yaml: combined().replace('id: 2,', 'id: 1,'), path: 'hosts[1].kafka.id', message: 'duplicate node id (node.id) 1: hosts[0] has it too' },
  { name: 'a controller id equal to a broker id (migration)', yaml: migration('3.9.1', '  - { name: c1, address: 10.0.1.1, kafka: { id: 2, roles: [controller] } }\n'), path: 'hosts[3].kafka.id', message: 'duplicate node id (node.id) 2: hosts[2] has it too' },
  { name: 'a migrating broker above 1000 (it keeps its ZooKeeper-mode broker.id)', yaml: migration().replace('kafka: { id: 2 } }', 'kafka: { id: 1001 } }'), path: 'hosts[2].kafka.id', message: 'a broker id is 0-1000 in ZooKeeper mode (and a migrating broker keeps its ZooKeeper-mode id)' },
  { name: 'clusterId in ZooKeeper mode', yaml: 'kafka: { clusterId: MkU3OEVBNTcwNTJENDM2Qg }\nhosts:\n  - { name: a, address: 10.0.0.1, zookeeper: { id: 1 }, kafka: { id: 0 } }\n', path: 'kafka.clusterId', message: 'kafka.clusterId is for KRaft' },

  // Ports.
  { name: 'controllerPort = port on a combined node', yaml: combined('  controllerPort: 9092\n'), path: 'kafka.controllerPort', message: 'port 9092 on hosts n1, n2, n3 is taken twice: kafka.port (listener) and kafka.controllerPort (CONTROLLER listener)' },
  { name: 'controllerPort = port on one host', yaml: combined('', ['', '', ', port: 9093']), path: 'hosts[2].kafka.port', message: 'port 9093 on host n3 is taken twice' },
  { name: 'controllerPort = sshd port', yaml: combined('  controllerPort: 22\n'), path: 'kafka.controllerPort', message: 'ssh.port (sshd) and kafka.controllerPort' },

  // ZooKeeper settings in a new KRaft cluster.
  { name: 'a zookeeper section without members', yaml: combined('', undefined, 'zookeeper: { clientPort: 2181 }\n'), path: 'zookeeper', message: 'a zookeeper section in a KRaft cluster without ZooKeeper members', at: '1:1' },
  { name: 'a chroot in a new KRaft cluster', yaml: combined('  chroot: /kafka\n'), path: 'kafka.chroot', message: 'kafka.chroot is a ZooKeeper path', at: '4:3' },
  { name: 'a per-host chroot in a new KRaft cluster', yaml: combined('', ['', ', chroot: /kafka', '']), path: 'hosts[1].kafka.chroot', message: 'kafka.chroot is a ZooKeeper path' },
  { name: 'zookeeper.connect in a new KRaft cluster', yaml: combined('  settings:\n    zookeeper.connect: "x:2181"\n'), path: 'kafka.settings.zookeeper.connect', message: 'zookeeper.connect is a ZooKeeper-mode setting; there is no ZooKeeper', at: '5:5' },
  { name: 'broker.id in a new KRaft cluster', yaml: combined('', ['', '', ', settings: { broker.id: 3 }']), path: 'hosts[2].kafka.settings.broker.id', message: 'broker.id is a ZooKeeper-mode setting' },
  { name: 'zookeeper.session.timeout.ms in a new KRaft cluster', yaml: combined('  settings:\n    zookeeper.session.timeout.ms: 18000\n'), path: 'kafka.settings.zookeeper.session.timeout.ms', message: 'is a ZooKeeper-mode setting' },
  { name: 'the migration flag by hand', yaml: migration().replace('  version: 3.9.1\n', '  version: 3.9.1\n  settings: { zookeeper.metadata.migration.enable: true }\n'), path: 'kafka.settings.zookeeper.metadata.migration.enable', message: 'zookeeper.metadata.migration.enable is written by zkafka' },

  // What zkafka writes itself in KRaft.
  { name: 'process.roles in KRaft', yaml: combined('  settings:\n    process.roles: broker\n'), path: 'kafka.settings.process.roles', message: 'process.roles is written by zkafka; set it through hosts[].kafka.roles' },
  { name: 'controller.quorum.voters by hand', yaml: combined('  settings:\n    controller.quorum.voters: "1@x:9093"\n'), path: 'kafka.settings.controller.quorum.voters', message: 'controller.quorum.voters is written by zkafka' },
  { name: 'process.roles in ZooKeeper mode', yaml: 'kafka: { settings: { process.roles: broker } }\nhosts:\n  - { name: a, address: 10.0.0.1, zookeeper: { id: 1 }, kafka: { id: 0 } }\n', path: 'kafka.settings.process.roles', message: 'set it through kafka.mode: kraft and hosts[].kafka.roles' },
  { name: 'advertised.listeners on a controller-only node', yaml: `${K39}hosts:\n  - { name: c, address: 10.0.0.1, kafka: { id: 1, roles: [controller], settings: { advertised.listeners: "PLAINTEXT://c:9092" } } }\n  - { name: b, address: 10.0.0.2, kafka: { id: 2 } }\n`, path: 'hosts[0].kafka.settings.advertised.listeners', message: 'is a controller only: advertised.listeners is for brokers' },
];

describe('zkafka validate on an invalid KRaft inventory', () => {
  it.each(CASES)('$name', ({ yaml, path, message, at }) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'inv.yaml'), yaml);
    const r = zkafka(['validate', 'inv.yaml'], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('  inv.yaml:'));
    const line = lines.find((l) => l.includes(`  ${path}  `) && l.includes(message));
    expect(line, `no problem at ${path} with "${message}" in:\n${r.stderr}`).toBeDefined();
    if (at) expect(line).toContain(`inv.yaml:${at}  ${path}  `);
  });

  it('an even number of controllers is only a warning', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'inv.yaml'), combined().replace(/  - name: n3\n.*\n.*\n/, ''));
    const r = zkafka(['validate', 'inv.yaml'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('the KRaft quorum has 2 controllers: an even number tolerates no more failures than 1');
  });

  it('KRaft node ids above 1000: new clusters and a migration\'s controllers (the docs\' 3000s)', () => {
    expect(parseInventory(combined().replace('id: 1,', 'id: 3000,'), '/tmp/i.yaml').hosts[0]!.kafka!.id).toBe(3000);
    const m = parseInventory(migration('3.9.1', '  - { name: c1, address: 10.0.1.1, kafka: { id: 3000, roles: [controller] } }\n'), '/tmp/i.yaml');
    expect(m.controllers.map((c) => c.id)).toEqual([3000]);
  });

  it('Kafka 4 in a ZooKeeper-style inventory is one problem, not a quorum lecture too', () => {
    expect(() => parseInventory(migration('4.0.0').replace('  mode: kraft\n', ''), '/tmp/i.yaml')).toThrow(InventoryError);
    let problems: string[] = [];
    try {
      parseInventory('kafka: { version: 4.0.0 }\nhosts:\n  - { name: a, address: 10.0.0.1, zookeeper: { id: 1 }, kafka: { id: 0 } }\n', '/tmp/i.yaml');
    } catch (e) {
      problems = (e as InventoryError).problems.filter((p) => p.severity === 'error').map((p) => p.path);
    }
    expect(problems).toEqual(['kafka.version']);
  });
});

// ---- model ---------------------------------------------------------------------------------------------

describe('the KRaft model', () => {
  const parse = (yaml: string) => parseInventory(yaml, '/tmp/inventory.yaml');

  it('mode: zookeeper below 4.0, kraft from 4.0, and what kafka.mode says', () => {
    const zk = 'hosts:\n  - { name: a, address: 10.0.0.1, zookeeper: { id: 1 }, kafka: { id: 0, settings: { offsets.topic.replication.factor: 1, transaction.state.log.replication.factor: 1, transaction.state.log.min.isr: 1 } } }\n';
    expect(parse(zk).kafkaMode).toBe('zookeeper');
    const k4 = 'kafka: { version: 4.1.0, settings: { offsets.topic.replication.factor: 1, transaction.state.log.replication.factor: 1, transaction.state.log.min.isr: 1 } }\nhosts:\n  - { name: a, address: 10.0.0.1, kafka: { id: 1, roles: [broker, controller] } }\n';
    const inv = parse(k4);
    expect(inv.kafkaMode).toBe('kraft');
    expect(inv.hosts[0]!.kafka!.mode).toBe('kraft');
    expect(inv.controllers.map((c) => c.id)).toEqual([1]);
  });

  it('3 controllers + 3 brokers: roles, controllerPort, brokers and controllers in id order, the voters', () => {
    const inv = loadInventory(SPLIT);
    expect(inv.kafkaMode).toBe('kraft');
    expect(inv.members).toEqual([]);
    expect(inv.brokers.map((b) => [b.host, b.id, b.roles])).toEqual([
      ['broker1', 101, ['broker']],
      ['broker2', 102, ['broker']],
      ['broker3', 103, ['broker']],
    ]);
    expect(inv.controllers.map((c) => [c.host, c.id, c.roles, c.controllerPort])).toEqual([
      ['controller1', 1, ['controller'], 9093],
      ['controller2', 2, ['controller'], 9093],
      ['controller3', 3, ['controller'], 9093],
    ]);
    expect(controllerQuorumVoters(inv)).toBe('1@192.168.154.141:9093,2@192.168.154.142:9093,3@192.168.154.143:9093');
    expect(inv.clusterId).toBeUndefined();
    expect(defaultKafkaForm(inv)).toBe('kraft');
  });

  it('combined nodes are brokers and controllers; roles in Kafka order; IPv6 voters in brackets', () => {
    const inv = loadInventory(COMBINED);
    expect(inv.brokers.map((b) => b.id)).toEqual([1, 2, 3]);
    expect(inv.controllers.map((b) => b.id)).toEqual([1, 2, 3]);
    expect(hostByName(inv, 'n3')!.kafka!.roles).toEqual(['broker', 'controller']);
    expect(controllerQuorumVoters(inv)).toBe('1@10.3.0.1:9093,2@10.3.0.2:9093,3@[fd00::3]:19093');
    expect(inv.clusterId).toBe('MkU3OEVBNTcwNTJENDM2Qg');
  });

  it('the ZooKeeper-mode model is what it was: every Kafka node a broker, no controllers', () => {
    const inv = loadInventory(join(ROOT, 'inventory.example.yaml'));
    expect(inv.kafkaMode).toBe('zookeeper');
    expect(inv.brokers.map((b) => [b.id, b.roles])).toEqual([
      [0, ['broker']],
      [1, ['broker']],
      [2, ['broker']],
    ]);
    expect(inv.controllers).toEqual([]);
    expect(defaultKafkaForm(inv)).toBe('zookeeper');
  });

  it('the ports a node listens on (preflight checks them): broker listener, CONTROLLER listener, or both', () => {
    const split = loadInventory(SPLIT);
    expect(kafka.ports(hostByName(split, 'controller1')!.kafka!)).toEqual([{ port: 9093, what: 'controller listener port' }]);
    expect(kafka.ports(hostByName(split, 'broker1')!.kafka!)).toEqual([{ port: 9092, what: 'listener port' }]);
    expect(kafka.ports(hostByName(loadInventory(COMBINED), 'n3')!.kafka!)).toEqual([
      { port: 9092, what: 'listener port' },
      { port: 19093, what: 'controller listener port' },
    ]);
    expect(kafka.ports(loadInventory(join(ROOT, 'inventory.example.yaml')).brokers[0]!)).toEqual([{ port: 9092, what: 'listener port' }]);
  });

  it('a KRaft inventory with ZooKeeper members is the migration target', () => {
    const inv = loadInventory(MIGRATION);
    expect(defaultKafkaForm(inv)).toBe('migration');
    expect(inv.members).toHaveLength(3);
    expect(inv.brokers.map((b) => b.id)).toEqual([101, 102, 103]);
    expect(inv.controllers.map((b) => b.id)).toEqual([1, 2, 3]);
  });
});

// ---- render --------------------------------------------------------------------------------------------

function renderToDir(inventory: string): string {
  const out = tempDir('zkafka-render-');
  const r = zkafka(['render', inventory, '--out', out]);
  expect(r.stderr).not.toMatch(/error|warning/i);
  expect(r.code).toBe(0);
  return out;
}

function expectSameTree(actualDir: string, goldenDir: string): void {
  const golden = listFiles(goldenDir);
  expect(golden.length).toBeGreaterThan(0);
  expect(listFiles(actualDir)).toEqual(golden);
  for (const rel of golden) expect(readFileSync(join(actualDir, rel), 'utf8'), rel).toBe(readFileSync(join(goldenDir, rel), 'utf8'));
}

const HOME39 = 'home/software/kafka_2.13-3.9.1/config/server.properties';

describe('KRaft server.properties', () => {
  it('3 controllers + 3 brokers (inventory.kraft.example.yaml) render as the golden files', () => {
    expectSameTree(renderToDir(SPLIT), join(GOLDEN, 'kraft-split'));
  });

  it('3 combined nodes render as the golden files', () => {
    expectSameTree(renderToDir(COMBINED), join(GOLDEN, 'kraft-combined'));
  });

  it('a controller: its roles, the quorum, the CONTROLLER listener only; no broker or ZooKeeper keys', () => {
    const lines = settingLines(readFileSync(join(GOLDEN, 'kraft-split/controller2', HOME39), 'utf8'));
    expect(lines.slice(0, 6)).toEqual([
      'process.roles=controller',
      'node.id=2',
      'controller.quorum.voters=1@192.168.154.141:9093,2@192.168.154.142:9093,3@192.168.154.143:9093',
      'controller.listener.names=CONTROLLER',
      'listeners=CONTROLLER://192.168.154.142:9093',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    ]);
    for (const absent of ['broker.id', 'zookeeper.connect', 'advertised.listeners', 'inter.broker.listener.name']) {
      expect(lines.filter((l) => l.startsWith(`${absent}=`)), absent).toEqual([]);
    }
  });

  it('a broker: PLAINTEXT listener, advertised, inter-broker listener; a combined node both listeners', () => {
    const broker = settingLines(readFileSync(join(GOLDEN, 'kraft-split/broker3', HOME39), 'utf8'));
    expect(broker).toContain('process.roles=broker');
    expect(broker).toContain('node.id=103');
    expect(broker).toContain('listeners=PLAINTEXT://192.168.154.148:9092');
    expect(broker).toContain('advertised.listeners=PLAINTEXT://192.168.154.148:9092');
    expect(broker).toContain('inter.broker.listener.name=PLAINTEXT');
    expect(broker).toContain('log.dirs=/usr/local/data/kafka-logs');
    expect(broker.filter((l) => /^(broker\.id|zookeeper\.)/.test(l))).toEqual([]);
    const n2 = settingLines(readFileSync(join(GOLDEN, 'kraft-combined/n2', HOME39), 'utf8'));
    expect(n2).toContain('process.roles=broker,controller');
    expect(n2).toContain('listeners=PLAINTEXT://10.3.0.2:9092,CONTROLLER://10.3.0.2:9093');
    // The operator's advertised.listeners, written once.
    expect(n2.filter((l) => l.startsWith('advertised.listeners='))).toEqual(['advertised.listeners=PLAINTEXT://n2.example.com:9092']);
  });

  it('a user template server.kraft.properties replaces the built-in one; server.properties overrides stay for ZooKeeper mode', () => {
    const dir = tempDir();
    writeFiles(dir, { 'server.kraft.properties': 'process.roles={{processRoles}}\nnode.id={{id}}\ncontroller.quorum.voters={{quorumVoters}}\nlisteners={{listeners}}\n{{settings}}\n' });
    const inv = loadInventory(COMBINED);
    const [f] = renderHost(inv, hostByName(inv, 'n1')!, new Templates(dir));
    expect(f!.template).toBe('server.kraft.properties');
    expect(f!.content).toBe('process.roles=broker,controller\nnode.id=1\ncontroller.quorum.voters=1@10.3.0.1:9093,2@10.3.0.2:9093,3@[fd00::3]:19093\nlisteners=PLAINTEXT://10.3.0.1:9092,CONTROLLER://10.3.0.1:9093\noffsets.topic.replication.factor=3\n');
  });
});

/** The migration's phases, per host: [phase, host, form]. */
const PHASES: Array<[string, string, KafkaForm]> = [
  ['a-zookeeper', 'kafka1', 'zookeeper'],
  ['b-controller-migration', 'c1', 'migration'],
  ['b-broker-migration', 'kafka1', 'migration'],
  ['c-broker-kraft', 'kafka1', 'kraft'],
  ['d-controller-kraft', 'c1', 'kraft'],
];

describe('the migration forms', () => {
  const inv = loadInventory(MIGRATION);
  const render = (host: string, form: KafkaForm, extra?: Record<string, string | null>) =>
    renderHost(inv, hostByName(inv, host)!, new Templates(), { kafka: { form, ...(extra ? { extra } : {}) } }).find((f) => f.service === 'kafka')!;

  it.each(PHASES)('%s (%s) renders as its golden file', (phase, host, form) => {
    const golden = join(GOLDEN, 'kraft-migration', `${phase}.${host}.properties`);
    const content = render(host, form).content;
    if (process.env.UPDATE_GOLDEN) {
      mkdirSync(join(GOLDEN, 'kraft-migration'), { recursive: true });
      writeFileSync(golden, content);
    }
    expect(content).toBe(readFileSync(golden, 'utf8'));
  });

  it('a controller in migration: the KRaft controller settings, the flag, zookeeper.connect with the chroot, the inter-broker listener', () => {
    const lines = settingLines(render('c2', 'migration').content);
    for (const l of [
      'process.roles=controller',
      'node.id=2',
      'controller.quorum.voters=1@10.4.0.1:9093,2@10.4.0.2:9093,3@10.4.0.3:9093',
      'controller.listener.names=CONTROLLER',
      'listeners=CONTROLLER://10.4.0.2:9093',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      'zookeeper.metadata.migration.enable=true',
      'zookeeper.connect=10.1.0.1:2181,10.1.0.2:2181,10.1.0.3:2181/kafka',
    ]) expect(lines).toContain(l);
    expect(lines.filter((l) => l.startsWith('broker.id'))).toEqual([]);
  });

  it('a broker in migration: its ZooKeeper-mode file plus the migration keys; in KRaft: node.id = broker.id, no ZooKeeper', () => {
    const zk = settingLines(render('kafka2', 'zookeeper').content);
    const mig = settingLines(render('kafka2', 'migration').content);
    expect(mig.slice(0, zk.length)).toEqual(zk);
    expect(mig.slice(zk.length)).toEqual([
      'zookeeper.metadata.migration.enable=true',
      'controller.quorum.voters=1@10.4.0.1:9093,2@10.4.0.2:9093,3@10.4.0.3:9093',
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      'inter.broker.protocol.version=3.9',
    ]);
    const kraft = settingLines(render('kafka2', 'kraft').content);
    expect(kraft).toContain('process.roles=broker');
    expect(kraft).toContain('node.id=102');
    expect(kraft.filter((l) => /^(broker\.id|zookeeper\.|inter\.broker\.protocol)/.test(l))).toEqual([]);
    const ctrl = settingLines(render('c1', 'kraft').content);
    expect(ctrl.filter((l) => l.startsWith('zookeeper.'))).toEqual([]);
  });

  it('refuses forms a node does not have', () => {
    expect(() => render('c1', 'zookeeper')).toThrow(/a controller has no ZooKeeper-mode form/);
    const k = loadInventory(SPLIT);
    expect(() => renderHost(k, hostByName(k, 'broker1')!, new Templates(), { kafka: { form: 'migration' } })).toThrow(/no ZooKeeper members/);
    const z = loadInventory(join(ROOT, 'inventory.example.yaml'));
    expect(() => renderHost(z, hostByName(z, 'node1')!, new Templates(), { kafka: { form: 'kraft' } })).toThrow(/ZooKeeper mode/);
  });

  it('extra sets, adds and removes keys in every form', () => {
    const extra = { 'inter.broker.protocol.version': '3.8', 'log.dirs': null, 'num.io.threads': '16' };
    for (const [, host, form] of PHASES) {
      const lines = settingLines(render(host, form, extra).content);
      expect(lines.filter((l) => l.startsWith('inter.broker.protocol.version=')), `${host} ${form}`).toEqual(['inter.broker.protocol.version=3.8']);
      expect(lines.filter((l) => l.startsWith('log.dirs='))).toEqual([]);
      expect(lines.at(-1)).toBe('num.io.threads=16');
    }
    // and on a ZooKeeper-mode inventory's own form
    const z = loadInventory(join(ROOT, 'inventory.example.yaml'));
    const f = renderHost(z, hostByName(z, 'node1')!, new Templates(), { kafka: { extra: { 'inter.broker.protocol.version': '2.4' } } }).find((x) => x.service === 'kafka')!;
    expect(settingLines(f.content).at(-1)).toBe('inter.broker.protocol.version=2.4');
  });

  it('applyExtra matches escaped keys and keeps comments; without extra ZooKeeper-mode output is unchanged', () => {
    expect(applyExtra('# c\na=1\nb\\ c=2\nd: 3\n', { 'b c': 'x', d: null, e: 'é' })).toBe('# c\na=1\nb\\ c=x\ne=\\u00e9\n');
    const z = loadInventory(join(ROOT, 'inventory.example.yaml'));
    const f = renderHost(z, hostByName(z, 'node2')!, new Templates(), { kafka: { extra: {} } }).find((x) => x.service === 'kafka')!;
    expect(f.content).toBe(readFileSync(join(GOLDEN, 'example/node2/home/software/kafka_2.11-2.4.1/config/server.properties'), 'utf8'));
  });
});

// ---- cluster ids and meta.properties ------------------------------------------------------------------

const meta = (name: string) => readFileSync(join(FIXTURES, 'meta-properties', name), 'utf8');

describe('meta.properties (recorded from genuine Kafka)', () => {
  it('2.4.1 in ZooKeeper mode: version 0, broker.id, cluster.id', () => {
    expect(parseMetaProperties(meta('zookeeper-2.4.1.properties'))).toEqual({ version: 0, brokerId: 7, id: 7, clusterId: 'e6Dr5MptTBee7HlpsAX8yg' });
  });
  it('3.9.1 in ZooKeeper mode: the same form', () => {
    expect(parseMetaProperties(meta('zookeeper-3.9.1.properties'))).toEqual({ version: 0, brokerId: 8, id: 8, clusterId: 'e6Dr5MptTBee7HlpsAX8yg' });
  });
  it('3.9.1 KRaft (kafka-storage.sh format): version 1, node.id, cluster.id, directory.id', () => {
    expect(parseMetaProperties(meta('kraft-3.9.1-combined.properties'))).toEqual({
      version: 1,
      nodeId: 1,
      id: 1,
      clusterId: 'swEGTTMBTp-y00D3dTVRCA',
      directoryId: 'UVoyNb4SDi12qcQP8Ktivw',
    });
  });
  it('not a meta.properties: undefined', () => {
    expect(parseMetaProperties('')).toBeUndefined();
    expect(parseMetaProperties('broker.id=1\n')).toBeUndefined();
  });
  it('the probe reads node.id, cluster.id and directory.id in every KRaft log dir, broker.id only in ZooKeeper mode', () => {
    const k = loadInventory(SPLIT);
    expect(metaPropertiesProbeItems(k.brokers[0]!).map((i) => i.key)).toEqual(['broker.id', 'node.id', 'cluster.id', 'version', 'directory.id']);
    const z = loadInventory(join(ROOT, 'inventory.example.yaml'));
    expect(metaPropertiesProbeItems(z.brokers[0]!)).toEqual([{ kind: 'prop', path: '/usr/local/data/kafka-logs/meta.properties', key: 'broker.id' }]);
  });
});

describe('cluster ids', () => {
  it('generateClusterId: 22 base64url characters of a version-4 UUID, never starting with -', () => {
    const ids = Array.from({ length: 2000 }, generateClusterId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
      const bytes = Buffer.from(id, 'base64url');
      expect(bytes).toHaveLength(16);
      expect(bytes[6]! >> 4).toBe(4);
      expect(clusterIdProblem(id)).toBeUndefined();
    }
    // Ids genuine Kafka generated are valid too.
    for (const real of ['swEGTTMBTp-y00D3dTVRCA', 'e6Dr5MptTBee7HlpsAX8yg', 'dQEEgJzqRD2RYZJV4Sn37w', 'MkU3OEVBNTcwNTJENDM2Qg']) expect(clusterIdProblem(real)).toBeUndefined();
  });

  it('chooseClusterId: inventory, else the hosts, else new; a problem when they disagree', () => {
    const seen = (host: string, clusterId: string) => ({ host, path: '/d/meta.properties', clusterId });
    const gen = () => 'NEWNEWNEWNEWNEWNEWNEWw';
    expect(chooseClusterId(undefined, [], gen)).toEqual({ ok: true, clusterId: 'NEWNEWNEWNEWNEWNEWNEWw', source: 'new' });
    expect(chooseClusterId('MkU3OEVBNTcwNTJENDM2Qg', [], gen)).toEqual({ ok: true, clusterId: 'MkU3OEVBNTcwNTJENDM2Qg', source: 'inventory' });
    expect(chooseClusterId(undefined, [seen('a', 'swEGTTMBTp-y00D3dTVRCA'), seen('b', 'swEGTTMBTp-y00D3dTVRCA')], gen)).toEqual({ ok: true, clusterId: 'swEGTTMBTp-y00D3dTVRCA', source: 'hosts' });
    expect(chooseClusterId('swEGTTMBTp-y00D3dTVRCA', [seen('a', 'swEGTTMBTp-y00D3dTVRCA')], gen)).toEqual({ ok: true, clusterId: 'swEGTTMBTp-y00D3dTVRCA', source: 'inventory' });
    const split = chooseClusterId(undefined, [seen('a', 'swEGTTMBTp-y00D3dTVRCA'), seen('b', 'e6Dr5MptTBee7HlpsAX8yg')], gen);
    expect(split).toEqual({ ok: false, problem: expect.stringContaining('different clusters: swEGTTMBTp-y00D3dTVRCA (a:/d/meta.properties) vs e6Dr5MptTBee7HlpsAX8yg (b:/d/meta.properties)') });
    const other = chooseClusterId('MkU3OEVBNTcwNTJENDM2Qg', [seen('a', 'swEGTTMBTp-y00D3dTVRCA')], gen);
    expect(other).toEqual({ ok: false, problem: expect.stringContaining('kafka.clusterId is MkU3OEVBNTcwNTJENDM2Qg but a:/d/meta.properties already hold cluster.id swEGTTMBTp-y00D3dTVRCA') });
  });

  it('kafka.format: kafka-storage.sh format -t ID -c CONFIG --ignore-formatted, with the broker environment', () => {
    const inv = loadInventory(SPLIT);
    const c = kafka.format(inv.controllers[0]!, 'MkU3OEVBNTcwNTJENDM2Qg', '/usr/lib/jvm/java-17');
    expect(c.argv).toEqual([
      '/home/software/kafka_2.13-3.9.1/bin/kafka-storage.sh',
      'format',
      '-t',
      'MkU3OEVBNTcwNTJENDM2Qg',
      '-c',
      '/home/software/kafka_2.13-3.9.1/config/server.properties',
      '--ignore-formatted',
    ]);
    expect(c.env).toMatchObject({ JAVA_HOME: '/usr/lib/jvm/java-17', LOG_DIR: '/home/software/kafka_2.13-3.9.1/logs' });
    expect(() => kafka.format(inv.controllers[0]!, '-t', undefined)).toThrow(/cluster id/);
  });
});

// ---- genuine Kafka 3.9.1 reads every KRaft form ---------------------------------------------------------

const TGZ = join(ROOT, 'build/dist/kafka_2.13-3.9.1.tgz');
const HAVE_KAFKA = existsSync(TGZ) && spawnSync('java', ['-version']).status === 0;

describe.skipIf(!HAVE_KAFKA)('genuine Kafka 3.9.1 formats a log dir with each rendered KRaft form', () => {
  let home = '';
  beforeAll(() => {
    const dir = tempDir('zkafka-kafka39-');
    expect(spawnSync('tar', ['xzf', TGZ, '-C', dir]).status).toBe(0);
    home = join(dir, 'kafka_2.13-3.9.1');
  }, 60_000);

  const forms: Array<[string, () => Inventory, string, KafkaForm]> = [
    ['a controller', () => loadInventory(SPLIT), 'controller1', 'kraft'],
    ['a broker', () => loadInventory(SPLIT), 'broker1', 'kraft'],
    ['a combined node', () => loadInventory(COMBINED), 'n1', 'kraft'],
    ['a combined node (IPv6, own controller port)', () => loadInventory(COMBINED), 'n3', 'kraft'],
    ['a controller in migration', () => loadInventory(MIGRATION), 'c1', 'migration'],
    ['a migrated broker', () => loadInventory(MIGRATION), 'kafka1', 'kraft'],
  ];
  it.each(forms)('%s', (_what, load, host, form) => {
    const inv = load();
    const f = renderHost(inv, hostByName(inv, host)!, new Templates(), { kafka: { form } }).find((x) => x.service === 'kafka')!;
    const dir = tempDir('zkafka-format-');
    const config = join(dir, 'server.properties');
    writeFileSync(config, applyExtra(f.content, { 'log.dirs': join(dir, 'logs') }));
    const id = generateClusterId();
    const r = spawnSync(join(home, 'bin/kafka-storage.sh'), ['format', '-t', id, '-c', config, '--ignore-formatted'], { encoding: 'utf8', env: { ...process.env, LOG_DIR: join(dir, 'applogs') } });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const m = parseMetaProperties(readFileSync(join(dir, 'logs/meta.properties'), 'utf8'));
    expect(m).toMatchObject({ version: 1, clusterId: id, nodeId: hostByName(inv, host)!.kafka!.id });
    expect(m!.directoryId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  }, 60_000);
});
