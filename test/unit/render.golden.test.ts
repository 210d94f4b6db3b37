// `zkafka render` against golden files, plus explicit checks of the runbook's settings (so a golden file
// regenerated from a broken renderer still fails), determinism, the output layout, --json, a split
// cluster, template overrides and template errors.
//
// The golden files are the CLI's own output, checked by hand against shared/runbook.md. To regenerate
// after an intended template change: node bin/zkafka.js render inventory.example.yaml --out test/unit/golden/example
// (and the same for test/unit/fixtures/split.yaml → test/unit/golden/split), then review the diff.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, ensureBuilt, listFiles, tempDir, writeFiles, zkafka } from './helpers.js';
import { loadInventory } from '../../src/inventory/load.js';
import { renderInventory } from '../../src/render/files.js';

const EXAMPLE = join(ROOT, 'inventory.example.yaml');
const SPLIT = join(ROOT, 'test/unit/fixtures/split.yaml');
const GOLDEN = join(ROOT, 'test/unit/golden');

const ZK_HOME = '/home/software/apache-zookeeper-3.8.0-bin';
const KAFKA_HOME = '/home/software/kafka_2.11-2.4.1';
const RUNBOOK_HOSTS = [
  { host: 'node1', address: '192.168.154.146', myid: 1, brokerId: 0 },
  { host: 'node2', address: '192.168.154.147', myid: 2, brokerId: 1 },
  { host: 'node3', address: '192.168.154.148', myid: 3, brokerId: 2 },
];

/** Renders `inventory` with the CLI into a fresh folder and returns it. */
function renderToDir(inventory: string, extra: string[] = []): string {
  const out = tempDir('zkafka-render-');
  const r = zkafka(['render', inventory, '--out', out, ...extra]);
  // stderr lists the files written; it must carry no error or warning.
  expect(r.stderr).not.toMatch(/error|warning/i);
  expect(r.code).toBe(0);
  return out;
}

/** Setting lines (no comments, no blank lines) of a properties file. */
function settingLines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

function expectSameTree(actualDir: string, goldenDir: string): void {
  const golden = listFiles(goldenDir);
  expect(golden.length).toBeGreaterThan(0);
  expect(listFiles(actualDir)).toEqual(golden);
  for (const rel of golden) {
    const actual = readFileSync(join(actualDir, rel));
    const expected = readFileSync(join(goldenDir, rel));
    expect(actual.equals(expected), `${rel} differs from its golden file`).toBe(true);
  }
}

beforeAll(() => ensureBuilt());

describe('inventory.example.yaml (the runbook cluster)', () => {
  it('renders every file byte for byte as the golden files', () => {
    expectSameTree(renderToDir(EXAMPLE), join(GOLDEN, 'example'));
  });

  it('writes DIR/<host>/<absolute remote path> for each host, and nothing else', () => {
    const out = renderToDir(EXAMPLE);
    expect(listFiles(out)).toEqual(
      RUNBOOK_HOSTS.flatMap(({ host }) => [
        `${host}${ZK_HOME}/conf/zoo.cfg`,
        `${host}${ZK_HOME}/data/zookeeper/myid`,
        `${host}${KAFKA_HOME}/config/server.properties`,
      ]).sort(),
    );
    expect(statSync(join(out, 'node1', ZK_HOME, 'conf/zoo.cfg')).mode & 0o777).toBe(0o644);
  });

  describe.each(RUNBOOK_HOSTS)('$host', ({ host, address, myid, brokerId }) => {
    const file = (p: string) => readFileSync(join(GOLDEN, 'example', host, p), 'utf8');

    it('zoo.cfg has every runbook setting, and the whole ensemble', () => {
      const lines = settingLines(file(`${ZK_HOME}/conf/zoo.cfg`));
      for (const expected of [
        'tickTime=2000',
        'initLimit=10',
        'syncLimit=5',
        `dataDir=${ZK_HOME}/data/zookeeper`,
        'clientPort=2181',
        'maxClientCnxns=60',
        'autopurge.snapRetainCount=3',
        'autopurge.purgeInterval=1',
        'metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider',
        'metricsProvider.httpHost=0.0.0.0',
        'metricsProvider.httpPort=7000',
        'metricsProvider.exportJvmInfo=true',
        'server.1=192.168.154.146:2888:3888',
        'server.2=192.168.154.147:2888:3888',
        'server.3=192.168.154.148:2888:3888',
      ]) {
        expect(lines).toContain(expected);
      }
      // The runbook does not set dataLogDir: transaction logs go to dataDir.
      expect(lines.filter((l) => l.startsWith('dataLogDir'))).toEqual([]);
      // Exactly three members, each once.
      expect(lines.filter((l) => l.startsWith('server.'))).toHaveLength(3);
      // No key twice.
      const keys = lines.map((l) => l.split('=')[0]);
      expect(new Set(keys).size).toBe(keys.length);
    });

    it('myid holds only the id and a newline', () => {
      expect(file(`${ZK_HOME}/data/zookeeper/myid`)).toBe(`${myid}\n`);
    });

    it('server.properties has broker.id, the listener, the log dir and every ZooKeeper member', () => {
      const lines = settingLines(file(`${KAFKA_HOME}/config/server.properties`));
      expect(lines).toEqual([
        `broker.id=${brokerId}`,
        `listeners=PLAINTEXT://${address}:9092`,
        'log.dirs=/usr/local/data/kafka-logs',
        'zookeeper.connect=192.168.154.146:2181,192.168.154.147:2181,192.168.154.148:2181',
      ]);
    });
  });

  it('renders identical bytes twice (in process and through the CLI)', () => {
    const inv = loadInventory(EXAMPLE);
    const first = renderInventory(inv);
    const second = renderInventory(loadInventory(EXAMPLE));
    expect(second).toEqual(first);
    expect(first).toHaveLength(9);
    const a = renderToDir(EXAMPLE);
    const b = renderToDir(EXAMPLE);
    expectSameTree(a, b);
  });

  it('--json prints one parsable document listing every file written', () => {
    const out = tempDir('zkafka-render-');
    const r = zkafka(['--json', 'render', EXAMPLE, '--out', out]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { out: string; files: Array<{ host: string; path: string; file: string }> };
    expect(doc.out).toBe(out);
    expect(doc.files).toHaveLength(9);
    expect(doc.files).toContainEqual({
      host: 'node2',
      path: `${ZK_HOME}/data/zookeeper/myid`,
      file: join(out, 'node2', ZK_HOME, 'data/zookeeper/myid'),
    });
    for (const f of doc.files) expect(readFileSync(f.file, 'utf8').length).toBeGreaterThan(0);
  });
});

describe('a split cluster: 3 ZooKeeper-only hosts, 5 broker-only hosts', () => {
  it('renders every file byte for byte as the golden files', () => {
    expectSameTree(renderToDir(SPLIT), join(GOLDEN, 'split'));
  });

  it('gives ZooKeeper hosts only zoo.cfg and myid, and brokers only server.properties', () => {
    const files = listFiles(renderToDir(SPLIT));
    expect(files).toHaveLength(3 * 2 + 5);
    for (const zk of ['zk1', 'zk2', 'zk3']) {
      expect(files.filter((f) => f.startsWith(`${zk}/`))).toEqual([
        `${zk}/opt/apache-zookeeper-3.8.4-bin/conf/zoo.cfg`,
        `${zk}/opt/apache-zookeeper-3.8.4-bin/data/zookeeper/myid`,
      ]);
    }
    for (let i = 1; i <= 5; i++) {
      expect(files.filter((f) => f.startsWith(`kafka${i}/`))).toEqual([`kafka${i}/opt/kafka_2.13-3.9.1/config/server.properties`]);
    }
  });

  it('lists only the three members in zoo.cfg and in every broker zookeeper.connect', () => {
    const dir = join(GOLDEN, 'split');
    for (const zk of ['zk1', 'zk2', 'zk3']) {
      const lines = settingLines(readFileSync(join(dir, zk, 'opt/apache-zookeeper-3.8.4-bin/conf/zoo.cfg'), 'utf8'));
      expect(lines.filter((l) => l.startsWith('server.'))).toEqual([
        'server.1=10.1.0.1:2888:3888',
        'server.2=10.1.0.2:2888:3888',
        'server.3=10.1.0.3:2888:3888',
      ]);
    }
    for (let i = 1; i <= 5; i++) {
      const lines = settingLines(readFileSync(join(dir, `kafka${i}`, 'opt/kafka_2.13-3.9.1/config/server.properties'), 'utf8'));
      expect(lines).toContain(`broker.id=10${i}`);
      expect(lines).toContain(`listeners=PLAINTEXT://10.2.0.${i}:${i === 5 ? 9093 : 9092}`);
      expect(lines).toContain('zookeeper.connect=10.1.0.1:2181,10.1.0.2:2181,10.1.0.3:2181/kafka');
      expect(lines).toContain(i === 3 ? 'log.dirs=/data1/kafka,/data2/kafka' : 'log.dirs=/usr/local/data/kafka-logs');
      expect(lines).toContain('default.replication.factor=3');
      expect(lines).toContain('min.insync.replicas=2');
    }
  });
});

describe('template overrides', () => {
  const OWN_SERVER_PROPERTIES = [
    '# my own server.properties',
    'broker.id={{id}}',
    'listeners=PLAINTEXT://{{listener}}',
    'log.dirs={{logDirs}}',
    'zookeeper.connect={{zookeeperConnect}}',
    'num.network.threads=8',
    '{{settings}}',
    '',
  ].join('\n');

  function expectOverridden(out: string): void {
    // The overridden file comes from the operator's template...
    expect(readFileSync(join(out, 'node1', KAFKA_HOME, 'config/server.properties'), 'utf8')).toBe(
      [
        '# my own server.properties',
        'broker.id=0',
        'listeners=PLAINTEXT://192.168.154.146:9092',
        'log.dirs=/usr/local/data/kafka-logs',
        'zookeeper.connect=192.168.154.146:2181,192.168.154.147:2181,192.168.154.148:2181',
        'num.network.threads=8',
        '',
      ].join('\n'),
    );
    // ...and every other file falls back to the built-in template.
    for (const rel of listFiles(join(GOLDEN, 'example')).filter((f) => !f.endsWith('server.properties'))) {
      expect(readFileSync(join(out, rel), 'utf8'), rel).toBe(readFileSync(join(GOLDEN, 'example', rel), 'utf8'));
    }
  }

  it('`templates:` in the inventory (relative to the inventory file) replaces one file', () => {
    const dir = tempDir();
    const example = readFileSync(EXAMPLE, 'utf8');
    writeFiles(dir, { 'inventory.yaml': `templates: ./my-templates\n${example}`, 'my-templates/server.properties': OWN_SERVER_PROPERTIES });
    expectOverridden(renderToDir(join(dir, 'inventory.yaml')));
  });

  it('--templates DIR replaces one file', () => {
    const dir = tempDir();
    writeFiles(dir, { 'server.properties': OWN_SERVER_PROPERTIES });
    expectOverridden(renderToDir(EXAMPLE, ['--templates', dir]));
  });

  it('a --templates folder that does not exist is exit 2, not a silent fall-back to the built-ins', () => {
    const out = tempDir();
    const r = zkafka(['render', EXAMPLE, '--out', out, '--templates', join(out, 'no-such-folder')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`templates folder ${join(out, 'no-such-folder')} not found`);
    expect(listFiles(out)).toEqual([]);
  });

  it('an unknown placeholder is exit 2, naming the template file and line, and writes nothing', () => {
    const tpl = tempDir();
    writeFiles(tpl, { 'zoo.cfg': 'tickTime={{tickTime}}\n# fine so far\nclientPort={{clientport}}\n' });
    const out = tempDir();
    const r = zkafka(['render', EXAMPLE, '--out', out, '--templates', tpl]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(tpl, 'zoo.cfg')}:3: unknown placeholder {{clientport}}`);
    expect(listFiles(out)).toEqual([]);
  });

  it('a list placeholder inside a line is exit 2, naming the template file and line', () => {
    const tpl = tempDir();
    writeFiles(tpl, { 'server.properties': 'broker.id={{id}}\nextra={{settings}}\n' });
    const r = zkafka(['render', EXAMPLE, '--out', tempDir(), '--templates', tpl]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(tpl, 'server.properties')}:2: {{settings}} is a list of settings: put it alone on its line`);
  });
});

describe('optional settings', () => {
  function renderZooCfg(zookeeperBlock: string): string[] {
    const dir = tempDir();
    const example = readFileSync(EXAMPLE, 'utf8');
    // The example without its metrics section, with `zookeeperBlock` added to its zookeeper block.
    const withoutMetrics = example.replace(/^  metrics:.*\n(    .*\n)*/m, '');
    expect(withoutMetrics).not.toContain('exportJvmInfo');
    writeFileSync(join(dir, 'inventory.yaml'), withoutMetrics.replace(/^zookeeper:\n/m, `zookeeper:\n${zookeeperBlock}`));
    const out = renderToDir(join(dir, 'inventory.yaml'));
    return settingLines(readFileSync(join(out, 'node1', ZK_HOME, 'conf/zoo.cfg'), 'utf8'));
  }

  it('metrics disabled drops every metricsProvider line and keeps the rest', () => {
    const lines = renderZooCfg('  metrics: { enabled: false }\n');
    expect(lines.filter((l) => l.startsWith('metricsProvider'))).toEqual([]);
    expect(lines).toContain('tickTime=2000');
    expect(lines).toContain('server.3=192.168.154.148:2888:3888');
  });

  it('metrics disabled frees port 7000 for Kafka', () => {
    const dir = tempDir();
    writeFiles(dir, {
      'inventory.yaml': 'zookeeper: { metrics: { enabled: false } }\nkafka: { port: 7000 }\nhosts:\n  - { name: a, address: 10.0.0.1, zookeeper: { id: 1 }, kafka: { id: 0, settings: { offsets.topic.replication.factor: 1, transaction.state.log.replication.factor: 1, transaction.state.log.min.isr: 1 } } }\n',
    });
    const r = zkafka(['validate', join(dir, 'inventory.yaml')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('dataLogDir and a disabled AdminServer show up; metrics on another port', () => {
    const lines = renderZooCfg('  dataLogDir: /var/lib/zookeeper/txlog\n  adminServer: { enabled: false }\n  metrics: { port: 7001, exportJvmInfo: false }\n');
    expect(lines).toContain('dataLogDir=/var/lib/zookeeper/txlog');
    expect(lines).toContain('admin.enableServer=false');
    expect(lines.filter((l) => l.startsWith('admin.serverPort'))).toEqual([]);
    expect(lines).toContain('metricsProvider.httpPort=7001');
    expect(lines).toContain('metricsProvider.exportJvmInfo=false');
  });
});
