// Probes and parsers: the pure halves, tested on output recorded from the real commands.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { javaMajor, parseLocalAddress, parseProbe, probeArgs } from '../../src/services/probe.js';
import { parseSrvr } from '../../src/services/zookeeper.js';
import { kafka, parseController, parseRegistration } from '../../src/services/kafka.js';
import { parseInventory } from '../../src/inventory/load.js';
import { advertisedEndpoint, canonicalAddress } from '../../src/inventory/address.js';
import { parseReadFiles } from '../../src/services/remote.js';

const fixtures = join(import.meta.dirname, 'fixtures');

// Recorded from `srvr` on the lab's ensemble and a standalone server (ZooKeeper 3.8.0).
const SRVR_LEADER = `Zookeeper version: 3.8.0-\${mvngit.commit.id}, built on 2024-12-29 17:54 UTC
Latency min/avg/max: 0/0.0/0
Received: 2
Sent: 1
Connections: 2
Outstanding: 0
Zxid: 0x100000000
Mode: leader
Node count: 5
Proposal sizes last/min/max: -1/-1/-1
`;
const SRVR_STANDALONE = `Zookeeper version: 3.8.0-\${mvngit.commit.id}, built on 2024-12-29 17:54 UTC
Latency min/avg/max: 0/0.0/0
Received: 1
Sent: 0
Connections: 1
Outstanding: 0
Zxid: 0x0
Mode: standalone
Node count: 5
`;

describe('srvr', () => {
  it('reads the mode, version, zxid and node count', () => {
    expect(parseSrvr(SRVR_LEADER)).toEqual({ mode: 'leader', version: '3.8.0', zxid: '0x100000000', nodeCount: 5 });
    expect(parseSrvr(SRVR_STANDALONE).mode).toBe('standalone');
    expect(parseSrvr(SRVR_LEADER.replace('Mode: leader', 'Mode: follower')).mode).toBe('follower');
  });

  it('treats a live member outside a quorum as not serving (zkServer.sh status calls it "probably not running")', () => {
    expect(parseSrvr('This ZooKeeper instance is not currently serving requests\n').mode).toBe('not serving');
    expect(parseSrvr('').mode).toBe('not serving');
  });
});

describe('host probe', () => {
  const facts = parseProbe(readFileSync(join(fixtures, 'probe-output.txt'), 'utf8'));

  it('reads processes with the config they were started with', () => {
    expect(facts.procs.get('zookeeper')).toEqual([{ pid: 12575, elapsed: 1629 }]);
    expect(facts.procs.get('kafka')).toBeUndefined();
    const other = parseProbe(readFileSync(join(fixtures, 'probe-output-other.txt'), 'utf8'));
    expect(other.procs.get('zookeeper')).toBeUndefined();
    expect(other.otherProcs.get('zookeeper')?.[0]?.pid).toBe(12575);
  });

  it('reads files, executables, directories, Java and listeners', () => {
    expect(facts.now).toBe(1795919549);
    expect(facts.files.get('/tmp/zkt/zoo.cfg')).toEqual({ sha256: 'c7b47466f12aae2784381abdc32c8ebe55cc72cc9ff3917f2bd51ad2fd839d5c', mtime: 1795917919 });
    expect(facts.files.get('/opt/kafka/config/server.properties')).toEqual({ sha256: null, mtime: null });
    expect(facts.executables.get('/usr/share/zookeeper/bin/zkServer.sh')).toBe(true);
    expect(facts.executables.get('/opt/kafka/bin/kafka-server-start.sh')).toBe(false);
    expect(facts.dirs.get('/tmp/zkt/data')).toBeNull();
    expect(facts.dirs.get('/proc/1/new/dir')).toBe('/proc/1');
    expect(facts.java).toEqual({ path: '/usr/bin/java', versionLine: 'openjdk version "17.0.15" 2025-04-15', major: 17 });
    expect(facts.listeners).toContainEqual({ address: '*', port: 21810, process: 'java', pid: 12575 });
    expect(facts.listeners).toContainEqual({ address: '0.0.0.0', port: 2024 });
  });

  it('reads a key of a properties file, and whether a folder holds anything', () => {
    const f = parseProbe(readFileSync(join(fixtures, 'probe-output-props.txt'), 'utf8'));
    expect(f.props.get('/tmp/mp/meta.properties broker.id')).toBe('5');
    expect(f.props.has('/tmp/mp/none.properties broker.id')).toBe(false);
    expect(f.contents.get('/tmp/mp')).toBe('full');
    expect(f.contents.get('/tmp/nonexist')).toBe('missing');
  });

  it('tells whether a folder holds a file matching a pattern', () => {
    const f = parseProbe(readFileSync(join(fixtures, 'probe-output-globs.txt'), 'utf8'));
    expect(f.globs.get('/usr/share/java zookeeper-jute-*.jar')).toBe(true);
    expect(f.globs.get('/usr/share/java zookeeper-prometheus-metrics-*.jar')).toBe(false);
    expect(f.globs.get('/no/such dir *.jar')).toBe(false);
  });

  it('knows when ss is missing', () => {
    expect(parseProbe('now\t1\nlisten-unknown\n').listeners).toBeUndefined();
  });

  it('passes every value as its own argument', () => {
    expect(probeArgs([{ kind: 'file', path: '/a b' }, { kind: 'java' }, { kind: 'ports' }])).toEqual(['file', '/a b', 'java', '-', 'ports']);
  });

  it('parses Java versions old and new, and socket addresses', () => {
    expect(javaMajor('java version "1.8.0_392"')).toBe(8);
    expect(javaMajor('openjdk version "11.0.21" 2023-10-17')).toBe(11);
    expect(javaMajor('openjdk version "21" 2023-09-19')).toBe(21);
    expect(javaMajor('garbage')).toBeUndefined();
    // From a JDK's release file (JAVA_VERSION=...), which the probe reads instead of starting a JVM.
    expect(javaMajor('version "1.8.0_392"')).toBe(8);
    expect(javaMajor('version "17.0.15"')).toBe(17);
    expect(parseLocalAddress('[::ffff:198.18.0.11]:2888')).toEqual({ address: '198.18.0.11', port: 2888 });
    expect(parseLocalAddress('127.0.0.53%lo:53')).toEqual({ address: '127.0.0.53', port: 53 });
    expect(parseLocalAddress('[::]:22')).toEqual({ address: '::', port: 22 });
  });
});

describe('Kafka registrations', () => {
  it('reads the endpoints a broker registers, and the controller', () => {
    const reg =
      '{"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://198.18.0.11:9092"],"jmx_port":-1,"port":9092,"host":"198.18.0.11","version":5,"timestamp":"1795918508264"}';
    expect(parseRegistration(reg)).toEqual({ endpoints: ['PLAINTEXT://198.18.0.11:9092'], host: '198.18.0.11', port: 9092, timestamp: 1795918508264 });
    expect(parseRegistration('not json')).toBeUndefined();
    expect(parseController('{"version":2,"brokerid":1,"timestamp":"1795918508264","kraftControllerEpoch":-1}')).toBe(1);
    expect(parseController('{"version":1}')).toBeUndefined();
  });
});

describe('reading files back for diffs', () => {
  it('splits by byte length, so content with any bytes survives', () => {
    const a = 'x=1\né=2\n';
    const raw = `${Buffer.byteLength(a)}\n${a}-1\n0\n`;
    expect([...parseReadFiles(['/a', '/b', '/c'], raw)]).toEqual([['/a', a], ['/b', null], ['/c', '']]);
  });
});

describe('the endpoint a broker registers', () => {
  const brokers = (yaml: string) => parseInventory(yaml, '/tmp/inventory.yaml').brokers;
  const HOSTS = (a: string, b: string) =>
    `hosts:\n  - name: n1\n    address: 198.18.2.11\n    zookeeper: { id: 1 }\n    kafka: { id: 0${a} }\n  - name: n2\n    address: fd00::12\n    kafka: { id: 1, port: 9093${b} }\n`;

  it('is PLAINTEXT://ADDRESS:PORT without advertised.listeners (IPv6 in brackets)', () => {
    expect(brokers(HOSTS('', '')).map((b) => kafka.endpoint(b))).toEqual(['PLAINTEXT://198.18.2.11:9092', 'PLAINTEXT://[fd00::12]:9093']);
  });

  it('is the advertised endpoint, as Kafka registers it, when a host sets advertised.listeners', () => {
    const bs = brokers(HOSTS(', settings: { advertised.listeners: "plaintext://Lab1.example.com:19092" }', ', settings: { advertised.listeners: "PLAINTEXT://[FD00::99]:09093" }'));
    expect(bs.map((b) => kafka.endpoint(b))).toEqual(['PLAINTEXT://Lab1.example.com:19092', 'PLAINTEXT://[FD00::99]:9093']);
  });

  it('follows a cluster-wide advertised.listeners, and a host override wins', () => {
    const yaml = `kafka:\n  settings:\n    advertised.listeners: "PLAINTEXT://kafka.example.com:9092"\n${HOSTS('', ', settings: { advertised.listeners: "PLAINTEXT://other.example.com:9093" }')}`;
    expect(brokers(yaml).map((b) => kafka.endpoint(b))).toEqual(['PLAINTEXT://kafka.example.com:9092', 'PLAINTEXT://other.example.com:9093']);
  });

  it('parses advertised.listeners, or says what is wrong with it', () => {
    expect(advertisedEndpoint(' PLAINTEXT://lab1:9092 ')).toEqual({ endpoint: 'PLAINTEXT://lab1:9092' });
    expect(advertisedEndpoint('PLAINTEXT://10.1.2.3:29092')).toEqual({ endpoint: 'PLAINTEXT://10.1.2.3:29092' });
    expect(advertisedEndpoint('PLAINTEXT://lab1')).toMatch(/expected PLAINTEXT:\/\/HOST:PORT/);
    expect(advertisedEndpoint('PLAINTEXT://fd00::1:9092')).toMatch(/expected PLAINTEXT:\/\/HOST:PORT/);
    expect(advertisedEndpoint('PLAINTEXT://[::]:9092')).toMatch(/needs the host name or address clients connect to/);
    expect(advertisedEndpoint('PLAINTEXT://[lab1]:9092')).toMatch(/only an IPv6 address goes in brackets/);
  });

  it('one machine has one canonical address however it is written', () => {
    expect(canonicalAddress('fd00::1')).toBe(canonicalAddress('fd00:0::1'));
    expect(canonicalAddress('FD00:0:0:0:0:0:0:1')).toBe(canonicalAddress('fd00::1'));
    expect(canonicalAddress('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(canonicalAddress('::ffff:a00:1')).toBe('10.0.0.1');
    expect(canonicalAddress('Node.Example.COM')).toBe('node.example.com');
    expect(canonicalAddress('fd00::1')).not.toBe(canonicalAddress('fd00::1:0'));
    expect(canonicalAddress('1::')).toBe('1:0:0:0:0:0:0:0');
    expect(canonicalAddress('::2:3.4.5.6')).toBe('0:0:0:0:0:2:304:506');
  });
});
