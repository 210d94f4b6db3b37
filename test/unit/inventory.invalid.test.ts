// Invalid inventories through the real CLI: `zkafka validate FILE` must exit 2 and print, for each
// problem, `FILE:LINE:COL  path.to.field  message` pointing at the exact place to edit.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, tempDir, zkafka } from './helpers.js';

/** Three hosts, each a ZooKeeper member and a broker; `pre` goes above them. Without `pre` or extras,
 * host i's lines are name 2+4i, address 3+4i, zookeeper 4+4i, kafka 5+4i. */
function three(pre = '', hostExtra: string[] = ['', '', '']): string {
  const host = (i: number) =>
    `  - name: h${i + 1}\n    address: 10.0.0.${i + 1}\n    zookeeper: { id: ${i + 1} }\n    kafka: { id: ${i} }\n${hostExtra[i] ?? ''}`;
  return `${pre}hosts:\n${host(0)}${host(1)}${host(2)}`;
}

/** One host with a member and a broker (Kafka's replication defaults then only warn). */
function one(pre = '', hostBlock = '    zookeeper: { id: 1 }\n    kafka: { id: 0 }\n'): string {
  return `${pre}hosts:\n  - name: a\n    address: 10.0.0.1\n${hostBlock}`;
}

interface Case {
  name: string;
  yaml: string;
  /** LINE:COL, or '' for a problem without a position. */
  at: string;
  /** The dotted path, or '(top level)'. */
  path: string;
  /** A part of the message. */
  message: string;
}

const CASES: Case[] = [
  // YAML syntax (positions are the YAML parser's).
  { name: 'YAML syntax: bad indentation', yaml: 'hosts:\n  - name: a\n   address: 10.0.0.1\n', at: '3:1', path: '(top level)', message: 'YAML syntax: Sequence item without - indicator' },
  { name: 'YAML syntax: tab indentation', yaml: 'hosts:\n  - name: a\n\taddress: 10.0.0.1\n', at: '3:1', path: '(top level)', message: 'YAML syntax: Tabs are not allowed as indentation' },
  { name: 'YAML syntax: a key twice', yaml: `cluster: a\ncluster: b\n${one()}`, at: '2:1', path: '(top level)', message: 'Map keys must be unique' },
  { name: 'empty file', yaml: '', at: '1:1', path: '(top level)', message: 'an inventory is a YAML mapping with at least a `hosts:` list' },
  { name: 'a top-level list', yaml: '- name: a\n  address: 10.0.0.1\n', at: '1:1', path: '(top level)', message: 'an inventory is a YAML mapping' },
  { name: 'a top-level scalar', yaml: '# just text\nhello\n', at: '2:1', path: '(top level)', message: 'an inventory is a YAML mapping' },

  // Unknown keys.
  { name: 'typo clientport', yaml: three('zookeeper:\n  clientport: 2181\n'), at: '2:3', path: 'zookeeper.clientport', message: 'unknown key "clientport"; did you mean "clientPort"?' },
  { name: 'unknown top-level key', yaml: three('clusterr: x\n'), at: '1:1', path: 'clusterr', message: 'unknown key "clusterr"; did you mean "cluster"?' },
  { name: 'unknown key with no close match', yaml: three('flavour: vanilla\n'), at: '1:1', path: 'flavour', message: 'unknown key "flavour"' },
  { name: 'unknown key in a host', yaml: three('', ['', '    colour: red\n', '']), at: '10:5', path: 'hosts[1].colour', message: 'unknown key "colour"' },
  { name: 'unknown key in a host kafka block', yaml: one('', '    zookeeper: { id: 1 }\n    kafka: { id: 0, logdir: /x }\n'), at: '5:21', path: 'hosts[0].kafka.logdir', message: 'did you mean "logDir"?' },

  // Types.
  { name: 'string for a port', yaml: three('zookeeper:\n  clientPort: "2181"\n'), at: '2:15', path: 'zookeeper.clientPort', message: 'expected a number, got the string "2181"' },
  { name: 'number for a name', yaml: 'hosts:\n  - name: 5\n    address: 10.0.0.1\n', at: '2:11', path: 'hosts[0].name', message: 'expected a string, got number 5' },
  { name: 'list for a mapping', yaml: three('ssh: [root]\n'), at: '1:6', path: 'ssh', message: 'expected a mapping, got a list' },
  { name: 'mapping for a list', yaml: 'hosts:\n  name: a\n', at: '2:3', path: 'hosts', message: 'expected a list, got a mapping' },
  { name: 'fractional port', yaml: three('kafka:\n  port: 9092.5\n'), at: '2:9', path: 'kafka.port', message: 'expected a whole number' },
  { name: 'string for a boolean', yaml: three('zookeeper:\n  metrics: { enabled: "no" }\n'), at: '2:23', path: 'zookeeper.metrics.enabled', message: 'expected true or false, got the string "no"' },
  { name: 'unquoted Scala version (a number)', yaml: three('kafka:\n  scalaVersion: 2.13\n'), at: '2:17', path: 'kafka.scalaVersion', message: 'expected a string, got number 2.13' },

  // Missing required fields.
  { name: 'no hosts', yaml: 'cluster: lonely\n', at: '1:1', path: 'hosts', message: 'is required (a list)' },
  { name: 'empty hosts list', yaml: 'hosts: []\n', at: '1:8', path: 'hosts', message: 'list at least one host' },
  { name: 'host without a name', yaml: 'hosts:\n  - address: 10.0.0.1\n', at: '2:5', path: 'hosts[0].name', message: 'is required (a string)' },
  { name: 'host without an address', yaml: 'hosts:\n  - name: a\n', at: '2:5', path: 'hosts[0].address', message: 'is required (a string)' },
  { name: 'zookeeper block without id', yaml: one('', '    zookeeper: { clientPort: 2181 }\n'), at: '4:16', path: 'hosts[0].zookeeper.id', message: 'is required' },
  { name: 'kafka block without id', yaml: one('', '    zookeeper: { id: 1 }\n    kafka:\n      port: 9092\n'), at: '6:7', path: 'hosts[0].kafka.id', message: 'is required' },

  // Uniqueness.
  { name: 'duplicate host name', yaml: three().replace('name: h3', 'name: h1'), at: '10:11', path: 'hosts[2].name', message: 'duplicate host name "h1": hosts[0] has it too' },
  { name: 'duplicate address', yaml: three().replace('10.0.0.2', '10.0.0.1'), at: '7:14', path: 'hosts[1].address', message: 'duplicate address "10.0.0.1": hosts[0] has it too' },
  { name: 'duplicate ZooKeeper id', yaml: three().replace('zookeeper: { id: 3 }', 'zookeeper: { id: 2 }'), at: '12:22', path: 'hosts[2].zookeeper.id', message: 'duplicate ZooKeeper id (myid) 2: hosts[1] has it too' },
  { name: 'duplicate broker id', yaml: three().replace('kafka: { id: 1 }', 'kafka: { id: 0 }'), at: '9:18', path: 'hosts[1].kafka.id', message: 'duplicate broker id 0: hosts[0] has it too' },

  // Ranges.
  { name: 'ZooKeeper id 0', yaml: three().replace('zookeeper: { id: 1 }', 'zookeeper: { id: 0 }'), at: '4:22', path: 'hosts[0].zookeeper.id', message: 'a ZooKeeper id (myid) is 1-255 (got 0)' },
  { name: 'ZooKeeper id 256', yaml: three().replace('zookeeper: { id: 3 }', 'zookeeper: { id: 256 }'), at: '12:22', path: 'hosts[2].zookeeper.id', message: 'a ZooKeeper id (myid) is 1-255 (got 256)' },
  { name: 'broker id 1001', yaml: three().replace('kafka: { id: 2 }', 'kafka: { id: 1001 }'), at: '13:18', path: 'hosts[2].kafka.id', message: 'a broker id is 0-1000 (Kafka reserves higher ids) (got 1001)' },
  { name: 'broker id -1', yaml: three().replace('kafka: { id: 0 }', 'kafka: { id: -1 }'), at: '5:18', path: 'hosts[0].kafka.id', message: 'a broker id is 0-1000' },
  { name: 'port 0', yaml: three('kafka:\n  port: 0\n'), at: '2:9', path: 'kafka.port', message: 'a port is 1-65535 (got 0)' },
  { name: 'port 70000', yaml: three('ssh:\n  port: 70000\n'), at: '2:9', path: 'ssh.port', message: 'a port is 1-65535 (got 70000)' },
  { name: 'snapRetainCount below 3', yaml: three('zookeeper:\n  autopurge: { snapRetainCount: 2 }\n'), at: '2:33', path: 'zookeeper.autopurge.snapRetainCount', message: 'ZooKeeper keeps at least 3 snapshots (got 2)' },
  { name: 'bad cluster name', yaml: three('cluster: "my cluster"\n'), at: '1:10', path: 'cluster', message: 'a cluster name is letters, digits' },
  { name: 'bad address', yaml: three().replace('10.0.0.2', 'not an address!'), at: '7:14', path: 'hosts[1].address', message: 'expected an IP address or DNS name' },

  // Two services on one port of a host.
  { name: 'clientPort collides with the Kafka port', yaml: three('zookeeper:\n  clientPort: 9092\n'), at: '2:15', path: 'zookeeper.clientPort', message: 'port 9092 on host h1 is taken twice: zookeeper.clientPort and kafka.port (listener)' },
  { name: 'Kafka port collides with metrics port 7000', yaml: three('kafka:\n  port: 7000\n'), at: '2:9', path: 'kafka.port', message: 'port 7000 on host h1 is taken twice: zookeeper.metrics.port and kafka.port (listener)' },
  { name: 'metrics port collides with the default Kafka port', yaml: three('zookeeper:\n  metrics: { port: 9092 }\n'), at: '2:20', path: 'zookeeper.metrics.port', message: 'port 9092 on host h1 is taken twice: zookeeper.metrics.port and kafka.port (listener)' },
  { name: 'Kafka port collides with AdminServer 8080', yaml: one('', '    zookeeper: { id: 1 }\n    kafka: { id: 0, port: 8080 }\n'), at: '5:27', path: 'hosts[0].kafka.port', message: 'port 8080 on host a is taken twice: zookeeper.adminServer.port (AdminServer) and kafka.port (listener)' },
  { name: 'a per-host override collides', yaml: three('', ['', '    zookeeper: { id: 2, clientPort: 9092 }\n', '']).replace('    zookeeper: { id: 2 }\n', ''), at: '9:37', path: 'hosts[1].zookeeper.clientPort', message: 'port 9092 on host h2 is taken twice' },
  { name: 'quorum and election ports equal', yaml: three('zookeeper:\n  electionPort: 2888\n'), at: '2:17', path: 'zookeeper.electionPort', message: 'zookeeper.quorumPort and zookeeper.electionPort' },

  // Remote paths.
  { name: 'relative dataDir', yaml: three('zookeeper:\n  dataDir: data/zookeeper\n'), at: '2:12', path: 'zookeeper.dataDir', message: 'must be an absolute path on the host (starting with /) (got "data/zookeeper")' },
  { name: 'relative logDirs entry', yaml: three('kafka:\n  logDirs: [/data/kafka, kafka-logs]\n'), at: '2:26', path: 'kafka.logDirs[1]', message: 'must be an absolute path on the host' },
  { name: 'relative home', yaml: three('kafka:\n  home: kafka\n'), at: '2:9', path: 'kafka.home', message: 'must be an absolute path on the host' },
  { name: 'relative per-host java.home', yaml: three('', ['    java: { home: usr/lib/jvm }\n', '', '']), at: '6:19', path: 'hosts[0].java.home', message: 'must be an absolute path on the host' },
  { name: '".." in a path', yaml: three('zookeeper:\n  dataDir: /data/../etc\n'), at: '2:12', path: 'zookeeper.dataDir', message: 'must not contain ".." segments (got "/data/../etc")' },

  // Cross-field rules.
  { name: 'brokers but no ZooKeeper member', yaml: one('', '    kafka: { id: 0 }\n'), at: '2:3', path: 'hosts', message: 'brokers need a ZooKeeper ensemble' },
  { name: 'offsets.topic.replication.factor above the broker count', yaml: three('kafka:\n  settings:\n    offsets.topic.replication.factor: 4\n'), at: '3:39', path: 'kafka.settings.offsets.topic.replication.factor', message: 'offsets.topic.replication.factor=4 is more than the 3 broker(s) in the inventory' },
  { name: 'default.replication.factor above the broker count', yaml: three('kafka:\n  settings:\n    default.replication.factor: 5\n'), at: '3:33', path: 'kafka.settings.default.replication.factor', message: 'default.replication.factor=5 is more than the 3 broker(s)' },
  { name: 'transaction.state.log.replication.factor above the broker count', yaml: three('kafka:\n  settings:\n    transaction.state.log.replication.factor: 4\n'), at: '3:47', path: 'kafka.settings.transaction.state.log.replication.factor', message: 'transaction.state.log.replication.factor=4 is more than the 3 broker(s)' },
  { name: 'min.insync.replicas above default.replication.factor', yaml: three('kafka:\n  settings:\n    default.replication.factor: 2\n    min.insync.replicas: 3\n'), at: '4:26', path: 'kafka.settings.min.insync.replicas', message: 'min.insync.replicas=3 is larger than default.replication.factor=2' },
  { name: 'min.insync.replicas above the default default.replication.factor', yaml: three('kafka:\n  settings:\n    min.insync.replicas: 2\n'), at: '3:26', path: 'kafka.settings.min.insync.replicas', message: 'min.insync.replicas=2 is larger than default.replication.factor=1 (Kafka default)' },
  { name: 'transaction.state.log.min.isr above its replication factor', yaml: three('kafka:\n  settings:\n    transaction.state.log.replication.factor: 2\n    transaction.state.log.min.isr: 3\n'), at: '4:36', path: 'kafka.settings.transaction.state.log.min.isr', message: 'transaction.state.log.min.isr=3 is larger than transaction.state.log.replication.factor=2' },
  { name: 'a replication setting that is not a number', yaml: three('kafka:\n  settings:\n    default.replication.factor: two\n'), at: '3:33', path: 'kafka.settings.default.replication.factor', message: 'default.replication.factor must be a whole number, got "two"' },
  { name: 'Kafka 4.0', yaml: three('kafka:\n  version: 4.0.0\n'), at: '2:12', path: 'kafka.version', message: 'Kafka 4.0.0 has no ZooKeeper mode (removed in 4.0)' },
  { name: 'Kafka 4.1 on one host only', yaml: three('', ['', '', '    ssh: { port: 2222 }\n']).replace('kafka: { id: 2 }', 'kafka: { id: 2, version: 4.1.0 }'), at: '13:30', path: 'hosts[2].kafka.version', message: 'Kafka 4.1.0 has no ZooKeeper mode' },

  // Settings and env.
  { name: 'a setting value with a newline', yaml: three('kafka:\n  settings:\n    ssl.principal.mapping.rules: "a\\nb"\n'), at: '3:34', path: 'kafka.settings.ssl.principal.mapping.rules', message: 'must not contain newlines or other control characters (got "a\\nb")' },
  { name: 'a setting key with =', yaml: three('kafka:\n  settings:\n    "a=b": 1\n'), at: '3:5', path: 'kafka.settings.a=b', message: 'a setting name holds only letters, digits, ".", "_" and "-"' },
  { name: 'a setting key with a space', yaml: three('zookeeper:\n  settings:\n    "snap count": 1\n'), at: '3:5', path: 'zookeeper.settings.snap count', message: 'a setting name holds only letters, digits' },
  { name: 'a setting value that is a list', yaml: three('kafka:\n  settings:\n    log.dirs.extra: [a, b]\n'), at: '3:21', path: 'kafka.settings.log.dirs.extra', message: 'a setting value is a string, number or boolean' },
  { name: 'an env name with -', yaml: three('kafka:\n  env:\n    KAFKA-HEAP-OPTS: -Xmx1G\n'), at: '3:5', path: 'kafka.env.KAFKA-HEAP-OPTS', message: 'an environment variable name is letters, digits and _' },
  { name: 'managed key broker.id', yaml: three('kafka:\n  settings:\n    broker.id: 7\n'), at: '3:5', path: 'kafka.settings.broker.id', message: 'broker.id is written by zkafka; set it through hosts[].kafka.id' },
  { name: 'managed key zookeeper.connect (per host)', yaml: three('', ['', '', '    kafka: { id: 2, settings: { zookeeper.connect: "x:2181" } }\n']).replace('    kafka: { id: 2 }\n', ''), at: '13:33', path: 'hosts[2].kafka.settings.zookeeper.connect', message: 'zookeeper.connect is written by zkafka' },
  { name: 'managed key server.1', yaml: three('zookeeper:\n  settings:\n    server.1: 10.0.0.9:2888:3888\n'), at: '3:5', path: 'zookeeper.settings.server.1', message: 'server.1 is written by zkafka; set it through the hosts with a zookeeper block' },
  { name: 'a 4lw whitelist without srvr', yaml: three('zookeeper:\n  settings:\n    4lw.commands.whitelist: "mntr, ruok"\n'), at: '3:29', path: 'zookeeper.settings.4lw.commands.whitelist', message: '4lw.commands.whitelist must include srvr' },
  { name: 'managed key dataDir', yaml: three('zookeeper:\n  settings:\n    dataDir: /data\n'), at: '3:5', path: 'zookeeper.settings.dataDir', message: 'dataDir is written by zkafka; set it through zookeeper.dataDir' },

  // Local paths.
  { name: 'a templates folder that does not exist', yaml: three('templates: ./no-such-templates\n'), at: '1:12', path: 'templates', message: 'no-such-templates not found' },

  // SSH and sources.
  { name: 'a bad jumpHost', yaml: three('ssh:\n  jumpHost: "admin@bastion host"\n'), at: '2:13', path: 'ssh.jumpHost', message: 'expected [user@]host[:port]' },
  { name: 'a source with an ftp URL', yaml: three('zookeeper:\n  source: ftp://mirror/zk.tgz\n'), at: '2:11', path: 'zookeeper.source', message: 'a source is a local tarball path or an http(s):// URL' },
  { name: 'a bad ZooKeeper version', yaml: three('zookeeper:\n  version: 3.8-rc1\n'), at: '2:12', path: 'zookeeper.version', message: 'expected a version such as 3.8.0' },
];

let dir: string;

function validate(name: string, yaml: string, extra: string[] = []) {
  const file = `${name}.yaml`;
  writeFileSync(join(dir, file), yaml);
  return { file, ...zkafka(['validate', ...extra, file], { cwd: dir }) };
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase();

beforeAll(() => {
  ensureBuilt();
  dir = tempDir('zkafka-invalid-');
});

describe('zkafka validate on an invalid inventory', () => {
  it('covers at least 30 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(CASES.map((c) => slug(c.name))).size).toBe(CASES.length);
  });

  it.each(CASES)('$name', ({ name, yaml, at, path, message }) => {
    const r = validate(slug(name), yaml);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: invalid inventory: \d+ problems?$/m);
    const where = at ? `${r.file}:${at}` : r.file;
    const lines = r.stderr.split('\n').filter((l) => !l.trimStart().startsWith('warning:'));
    const expected = `  ${where}  ${path}  `;
    const hit = lines.find((l) => l.startsWith(expected) && l.includes(message));
    expect(hit, `no line "${expected}...${message}..." in:\n${r.stderr}`).toBeDefined();
  });
});

describe('reporting', () => {
  it('reports every problem of a file at once', () => {
    const yaml = [
      'zookeeper:',
      '  clientport: 2181', // unknown key
      '  tickTime: "2000"', // wrong type
      'kafka:',
      '  port: 70000', // out of range
      '  logDirs: [kafka-logs]', // relative
      'hosts:',
      '  - name: a',
      '    address: 10.0.0.1',
      '    zookeeper: { id: 0 }', // out of range
      '    kafka: { id: 0 }',
      '  - name: b', // no address
      '    zookeeper: { id: 2 }',
      '',
    ].join('\n');
    const r = validate('many', yaml);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: invalid inventory: 6 problems');
    const problems = r.stderr.split('\n').filter((l) => l.startsWith('  many.yaml:'));
    expect(problems).toHaveLength(6);
    for (const [at, path] of [
      ['2:3', 'zookeeper.clientport'],
      ['3:13', 'zookeeper.tickTime'],
      ['5:9', 'kafka.port'],
      ['6:13', 'kafka.logDirs[0]'],
      ['10:22', 'hosts[0].zookeeper.id'],
      ['12:5', 'hosts[1].address'],
    ]) {
      expect(problems.some((l) => l.startsWith(`  many.yaml:${at}  ${path}  `)), `${at} ${path}`).toBe(true);
    }
  });

  it('reports every rule problem at once too (after the schema passed)', () => {
    const yaml = three('kafka:\n  settings:\n    broker.id: 1\n    default.replication.factor: 9\n')
      .replace('name: h2', 'name: h1')
      .replace('zookeeper: { id: 3 }', 'zookeeper: { id: 1 }');
    const r = validate('many-rules', yaml);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: invalid inventory: 4 problems');
    expect(r.stderr).toContain('many-rules.yaml:3:5  kafka.settings.broker.id  ');
    expect(r.stderr).toContain('many-rules.yaml:4:33  kafka.settings.default.replication.factor  ');
    expect(r.stderr).toContain('many-rules.yaml:10:11  hosts[1].name  duplicate host name "h1"');
    expect(r.stderr).toContain('many-rules.yaml:16:22  hosts[2].zookeeper.id  duplicate ZooKeeper id (myid) 1');
  });

  it('an even-sized ensemble is only a warning', () => {
    const yaml = 'hosts:\n  - { name: a, address: 10.0.0.1, zookeeper: { id: 1 } }\n  - { name: b, address: 10.0.0.2, zookeeper: { id: 2 } }\n';
    const r = validate('even', yaml);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: even\.yaml:2:3 {2}hosts {2}the ensemble has 2 members/m);
    expect(r.stdout).toContain('valid');
  });

  it('a warning alongside errors is labelled and not counted as a problem', () => {
    const yaml = 'hosts:\n  - { name: a, address: 10.0.0.1, zookeeper: { id: 1 } }\n  - { name: b, address: 10.0.0.2, zookeeper: { id: 0 } }\n';
    const r = validate('even-bad', yaml);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: invalid inventory: 1 problem\n');
  });

  it('--json prints {valid: false, problems: [...]} with where, path and message', () => {
    for (const args of [['--json', 'validate'], ['validate', '--json']]) {
      writeFileSync(join(dir, 'json.yaml'), three('zookeeper:\n  clientport: 2181\nkafka:\n  port: 0\n'));
      const r = zkafka([...args, 'json.yaml'], { cwd: dir });
      expect(r.code).toBe(2);
      const doc = JSON.parse(r.stdout) as { valid: boolean; problems: Array<Record<string, string>> };
      expect(doc.valid).toBe(false);
      expect(doc.problems).toEqual([
        { where: 'json.yaml:2:3', path: 'zookeeper.clientport', message: 'unknown key "clientport"; did you mean "clientPort"?', severity: 'error' },
        { where: 'json.yaml:4:9', path: 'kafka.port', message: 'a port is 1-65535 (got 0)', severity: 'error' },
      ]);
    }
  });

  it('--json on a valid inventory with a warning says valid: true and lists it', () => {
    writeFileSync(join(dir, 'json-even.yaml'), 'hosts:\n  - { name: a, address: 10.0.0.1, zookeeper: { id: 1 } }\n  - { name: b, address: 10.0.0.2, zookeeper: { id: 2 } }\n');
    const r = zkafka(['--json', 'validate', 'json-even.yaml'], { cwd: dir });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { valid: boolean; warnings: string[] };
    expect(doc.valid).toBe(true);
    expect(doc.warnings).toEqual([expect.stringContaining('json-even.yaml:2:3  hosts  the ensemble has 2 members')]);
  });

  it('a missing inventory file is exit 2, naming it', () => {
    const r = zkafka(['validate', 'no-such-inventory.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('inventory no-such-inventory.yaml not found');
  });

  it('the default inventory name is used, and named, when none is given', () => {
    const r = zkafka(['validate'], { cwd: tempDir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('inventory.yaml not found');
  });

  it('the example inventory is valid', () => {
    const ok = zkafka(['validate', 'inventory.example.yaml']);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toBe('');
  });
});
