// Values that are awkward in Java .properties syntax must read back unchanged with the very loader
// ZooKeeper and Kafka use: java.util.Properties.load(InputStream), which reads ISO-8859-1 and
// treats `\`, leading white space, `#`/`!` at the start of a line and `=`/`:`/space in keys specially.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, tempDir, writeFiles, zkafka } from './helpers.js';
import { escapeKey, escapeValue, propertyLine } from '../../src/render/properties.js';

// Prints each file's properties as one JSON object per line. Every character outside printable ASCII,
// and `"` and `\`, is written as \uXXXX, so the output itself cannot be garbled by any encoding.
const READER = `
import java.io.FileInputStream;
import java.io.InputStream;
import java.util.Properties;
import java.util.TreeSet;

public class Reader {
  static String quote(String s) {
    StringBuilder b = new StringBuilder("\\"");
    for (char c : s.toCharArray()) {
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\\\') b.append(String.format("\\\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }

  public static void main(String[] args) throws Exception {
    for (String file : args) {
      Properties p = new Properties();
      try (InputStream in = new FileInputStream(file)) {
        p.load(in);
      }
      StringBuilder out = new StringBuilder("{");
      for (String k : new TreeSet<>(p.stringPropertyNames())) {
        if (out.length() > 1) out.append(',');
        out.append(quote(k)).append(':').append(quote(p.getProperty(k)));
      }
      System.out.println(out.append('}'));
    }
  }
}
`;

let readerDir: string;

/** Loads each file with java.util.Properties.load(InputStream). */
function javaLoad(...files: string[]): Array<Record<string, string>> {
  const r = spawnSync('java', [join(readerDir, 'Reader.java'), ...files], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`java failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
}

/** Values that need care in a .properties file, under setting names the schema accepts. */
const AWKWARD: Record<string, string> = {
  'x.colon': 'host:2181:extra',
  'x.leading.colon': ':starts with a colon',
  'x.equals': 'a=b=c',
  'x.leading.equals': '=starts with equals',
  'x.backslash': 'C:\\Program Files\\kafka\\',
  'x.backslash.u': 'not an escape: \\u0041 and \\n',
  'x.hash': '#not a comment',
  'x.bang': '!not a comment either',
  'x.leading.spaces': '   three leading spaces',
  'x.trailing.spaces': 'two trailing spaces  ',
  'x.only.space': ' ',
  'x.inner.spaces': 'a  b   c',
  'x.latin1': 'café déjà vu',
  'x.cjk': '中文设置',
  'x.emoji': 'rocket 🚀 and 😀',
  'x.mixed': '  é=中:🚀#!\\ end',
  'x.jaas': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="p@ss;w0rd";',
};

/** The AWKWARD map as a YAML mapping at `indent` (JSON strings are YAML double-quoted scalars). */
function yamlMap(values: Record<string, string>, indent: string): string {
  return Object.entries(values)
    .map(([k, v]) => `${indent}${k}: ${JSON.stringify(v)}\n`)
    .join('');
}

beforeAll(() => {
  ensureBuilt();
  readerDir = tempDir('zkafka-java-');
  writeFiles(readerDir, { 'Reader.java': READER });
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error('these tests need `java` (JDK 11+) on PATH');
});

describe('rendered settings read back with java.util.Properties', () => {
  let zooCfg: string;
  let serverProperties: string;

  beforeAll(() => {
    const dir = tempDir();
    writeFiles(dir, {
      'inventory.yaml':
        'zookeeper:\n  settings:\n' +
        yamlMap(AWKWARD, '    ') +
        '    4lw.commands.whitelist: "srvr, mntr, ruok"\n' +
        'kafka:\n  settings:\n' +
        yamlMap(AWKWARD, '    ') +
        '    offsets.topic.replication.factor: 1\n' +
        '    transaction.state.log.replication.factor: 1\n' +
        '    transaction.state.log.min.isr: 1\n' +
        '    log.retention.ms: 9223372036854775807\n' +
        '    x.decimal: 1.50\n' +
        '    x.flag: false\n' +
        'hosts:\n  - name: a\n    address: 10.0.0.1\n    zookeeper: { id: 1, dataDir: "/srv/zk data/é" }\n    kafka: { id: 0, logDirs: ["/srv/kafka #1", "/srv/kafka=2"] }\n',
    });
    const out = join(dir, 'out');
    const r = zkafka(['render', join(dir, 'inventory.yaml'), '--out', out]);
    expect(r.stderr).not.toMatch(/error|warning/i);
    expect(r.code).toBe(0);
    zooCfg = join(out, 'a', '/home/software/apache-zookeeper-3.8.0-bin/conf/zoo.cfg');
    serverProperties = join(out, 'a', '/home/software/kafka_2.11-2.4.1/config/server.properties');
  });

  it('writes only printable ASCII (Java reads the files as ISO-8859-1)', () => {
    for (const f of [zooCfg, serverProperties]) {
      expect(readFileSync(f, 'utf8')).toMatch(/^[\x20-\x7e\n]*$/);
    }
  });

  it('zoo.cfg: every zookeeper.settings value reads back unchanged', () => {
    const [props] = javaLoad(zooCfg);
    for (const [k, v] of Object.entries(AWKWARD)) expect(props![k], k).toBe(v);
    expect(props!['4lw.commands.whitelist']).toBe('srvr, mntr, ruok');
    // The file's own settings are intact too.
    expect(props!.dataDir).toBe('/srv/zk data/é');
    expect(props!.tickTime).toBe('2000');
    expect(props!['server.1']).toBe('10.0.0.1:2888:3888');
    expect(props!['metricsProvider.className']).toBe('org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider');
  });

  it('server.properties: every kafka.settings value reads back unchanged', () => {
    const [props] = javaLoad(serverProperties);
    for (const [k, v] of Object.entries(AWKWARD)) expect(props![k], k).toBe(v);
    expect(props!['broker.id']).toBe('0');
    expect(props!.listeners).toBe('PLAINTEXT://10.0.0.1:9092');
    expect(props!['log.dirs']).toBe('/srv/kafka #1,/srv/kafka=2');
    expect(props!['zookeeper.connect']).toBe('10.0.0.1:2181');
  });

  it('keeps numbers as written: a Long.MAX_VALUE retention and a decimal are not rounded', () => {
    const [props] = javaLoad(serverProperties);
    expect(props!['log.retention.ms']).toBe('9223372036854775807');
    expect(props!['x.decimal']).toBe('1.50');
    expect(props!['x.flag']).toBe('false');
  });
});

describe('escapeKey / escapeValue (characters the schema keeps out of inventories)', () => {
  const KEYS = ['plain.key', 'key=with=equals', 'key:with:colons', 'key with spaces', '#hash.key', '!bang.key', 'tab\tkey', 'é.中.🚀', ' lead', 'back\\slash'];
  const VALUES = [
    'tab\tinside',
    '\tleading tab',
    'line\nbreak',
    'carriage\rreturn',
    'form\ffeed',
    '\u0001control\u007f',
    '',
    '  ',
    'trailing backslash\\',
    'é中🚀',
  ];

  it('escapes as Java expects', () => {
    expect(escapeValue('a\tb')).toBe('a\\tb');
    expect(escapeValue('  x')).toBe('\\  x');
    expect(escapeValue('x  ')).toBe('x  ');
    expect(escapeValue('a\\b')).toBe('a\\\\b');
    expect(escapeValue('é')).toBe('\\u00e9');
    expect(escapeValue('🚀')).toBe('\\ud83d\\ude80');
    expect(escapeValue('a=b:c#d!e')).toBe('a=b:c#d!e');
    expect(escapeKey('a=b:c d#e!f')).toBe('a\\=b\\:c\\ d\\#e\\!f');
    expect(escapeKey('a\tb')).toBe('a\\tb');
    expect(propertyLine('k', ' v')).toBe('k=\\ v');
  });

  it('every key and value pair reads back unchanged with Java', () => {
    const dir = tempDir();
    const expected: Record<string, string> = {};
    const lines: string[] = [];
    KEYS.forEach((k, i) => {
      const v = VALUES[i % VALUES.length]!;
      expected[k] = v;
      lines.push(propertyLine(k, v));
    });
    VALUES.forEach((v, i) => {
      expected[`value.${i}`] = v;
      lines.push(propertyLine(`value.${i}`, v));
    });
    writeFiles(dir, { 'escaped.properties': `${lines.join('\n')}\n` });
    const [props] = javaLoad(join(dir, 'escaped.properties'));
    expect(props).toEqual(expected);
  });
});
