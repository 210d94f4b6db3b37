// Invalid inventories through the real CLI: `zkafka validate FILE` must exit 2 and print, for each
// problem, `FILE:LINE:COL  path.to.field  message` pointing at the exact place to edit.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, tempDir, zkafka } from './helpers.js';
import { parseInventory } from '../../src/inventory/load.js';
import { firstBadUtf8 } from '../../src/inventory/text.js';

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
  /** How many problems the file has in all (a cluster-wide value's problem is reported once). */
  problems?: number;
}

/** A billion-laughs file: nine levels of nine aliases each, 9^9 strings once expanded. */
function aliasBomb(): string {
  const lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    lines.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(', ')}]`);
  }
  return `${lines.join('\n')}\nhosts: *i\n`;
}

/** Two hosts, each a ZooKeeper member, at these addresses. */
function pair(a: string, b: string): string {
  return `hosts:\n  - name: a\n    address: "${a}"\n    zookeeper: { id: 1 }\n  - name: b\n    address: "${b}"\n    zookeeper: { id: 2 }\n`;
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
  { name: 'broker id 1001', yaml: three().replace('kafka: { id: 2 }', 'kafka: { id: 1001 }'), at: '13:18', path: 'hosts[2].kafka.id', message: 'a broker id is 0-1000 in ZooKeeper mode: Kafka reserves higher ids (reserved.broker.max.id)' },
  { name: 'broker id -1', yaml: three().replace('kafka: { id: 0 }', 'kafka: { id: -1 }'), at: '5:18', path: 'hosts[0].kafka.id', message: 'a Kafka node id is 0 or more' },
  { name: 'port 0', yaml: three('kafka:\n  port: 0\n'), at: '2:9', path: 'kafka.port', message: 'a port is 1-65535 (got 0)' },
  { name: 'port 70000', yaml: three('ssh:\n  port: 70000\n'), at: '2:9', path: 'ssh.port', message: 'a port is 1-65535 (got 70000)' },
  { name: 'snapRetainCount below 3', yaml: three('zookeeper:\n  autopurge: { snapRetainCount: 2 }\n'), at: '2:33', path: 'zookeeper.autopurge.snapRetainCount', message: 'ZooKeeper keeps at least 3 snapshots (got 2)' },
  { name: 'bad cluster name', yaml: three('cluster: "my cluster"\n'), at: '1:10', path: 'cluster', message: 'a cluster name is letters, digits' },
  { name: 'bad address', yaml: three().replace('10.0.0.2', 'not an address!'), at: '7:14', path: 'hosts[1].address', message: 'expected an IP address or DNS name' },

  // Two services on one port of a host.
  { name: 'clientPort collides with the Kafka port', yaml: three('zookeeper:\n  clientPort: 9092\n'), at: '2:15', path: 'zookeeper.clientPort', message: 'port 9092 on hosts h1, h2, h3 is taken twice: zookeeper.clientPort and kafka.port (listener)' },
  { name: 'Kafka port collides with metrics port 7000', yaml: three('kafka:\n  port: 7000\n'), at: '2:9', path: 'kafka.port', message: 'port 7000 on hosts h1, h2, h3 is taken twice: zookeeper.metrics.port and kafka.port (listener)' },
  { name: 'metrics port collides with the default Kafka port', yaml: three('zookeeper:\n  metrics: { port: 9092 }\n'), at: '2:20', path: 'zookeeper.metrics.port', message: 'port 9092 on hosts h1, h2, h3 is taken twice: zookeeper.metrics.port and kafka.port (listener)' },
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
  { name: 'a bad jumpHost', yaml: three('ssh:\n  jumpHost: "admin@bastion host"\n'), at: '2:13', path: 'ssh.jumpHost', message: 'jump host: expected an IP address or DNS name (got "bastion host")' },
  { name: 'a source with an ftp URL', yaml: three('zookeeper:\n  source: ftp://mirror/zk.tgz\n'), at: '2:11', path: 'zookeeper.source', message: 'a source is a local tarball path or an http(s):// URL' },
  { name: 'a bad ZooKeeper version', yaml: three('zookeeper:\n  version: 3.8-rc1\n'), at: '2:12', path: 'zookeeper.version', message: 'expected a version such as 3.8.0' },
  // The rough edges of issue 11.
  { name: 'jumpHost port 0', yaml: three('ssh:\n  jumpHost: "bastion:0"\n'), at: '2:13', path: 'ssh.jumpHost', message: `the jump host's port is a number 1-65535 (got "0")`, problems: 1 },
  { name: 'jumpHost port 70000', yaml: three('ssh:\n  jumpHost: "admin@bastion:70000"\n'), at: '2:13', path: 'ssh.jumpHost', message: `the jump host's port is a number 1-65535 (got "70000")` },
  { name: 'jumpHost port not a number', yaml: three('ssh:\n  jumpHost: "bastion:ssh"\n'), at: '2:13', path: 'ssh.jumpHost', message: `the jump host's port is a number 1-65535 (got "ssh")` },
  { name: 'jumpHost port empty', yaml: three('ssh:\n  jumpHost: "bastion:"\n'), at: '2:13', path: 'ssh.jumpHost', message: `the jump host's port is a number 1-65535 (got "")` },
  { name: 'jumpHost IPv6 without the closing bracket', yaml: three('ssh:\n  jumpHost: "[fd00::1:22"\n'), at: '2:13', path: 'ssh.jumpHost', message: 'an IPv6 jump host needs both brackets: [ADDRESS] or [ADDRESS]:PORT (got "[fd00::1:22")' },
  { name: 'jumpHost IPv6 without the opening bracket', yaml: three('ssh:\n  jumpHost: "fd00::1]:22"\n'), at: '2:13', path: 'ssh.jumpHost', message: 'an IPv6 jump host needs both brackets' },
  { name: 'jumpHost IPv6 without brackets', yaml: three('ssh:\n  jumpHost: "fd00::1"\n'), at: '2:13', path: 'ssh.jumpHost', message: 'an IPv6 jump host is written in brackets, [ADDRESS] or [ADDRESS]:PORT (got "fd00::1")' },
  { name: 'jumpHost per host with a bad port', yaml: three('', ['', '    ssh: { jumpHost: "bastion:99999" }\n', '']), at: '10:22', path: 'hosts[1].ssh.jumpHost', message: `the jump host's port is a number 1-65535` },
  { name: 'a YAML alias bomb', yaml: aliasBomb(), at: '2:8', path: '(top level)', message: 'YAML aliases expand to too much data (an alias bomb?): refused', problems: 1 },
  { name: 'an alias without its anchor', yaml: 'hosts: *nodes\n', at: '1:8', path: '(top level)', message: 'YAML: Unresolved alias (the anchor must be set before the alias): nodes' },
  { name: 'a hexadecimal port', yaml: three('kafka:\n  port: 0x2384\n'), at: '2:9', path: 'kafka.port', message: '0x2384 is YAML for 9092: numbers here are plain decimals; write 9092', problems: 1 },
  { name: 'an octal purge interval', yaml: three('zookeeper:\n  autopurge: { purgeInterval: 0o17 }\n'), at: '2:31', path: 'zookeeper.autopurge.purgeInterval', message: '0o17 is YAML for 15: numbers here are plain decimals; write 15' },
  { name: 'an exponent tickTime', yaml: three('zookeeper:\n  tickTime: 2e3\n'), at: '2:13', path: 'zookeeper.tickTime', message: '2e3 is YAML for 2000: numbers here are plain decimals; write 2000' },
  { name: 'a timeout written .5', yaml: three('ssh:\n  connectTimeout: .5\n'), at: '2:19', path: 'ssh.connectTimeout', message: '.5 is YAML for 0.5: numbers here are plain decimals; write 0.5' },
  { name: 'a port with a leading zero', yaml: three('kafka:\n  port: 09092\n'), at: '2:9', path: 'kafka.port', message: '09092 is YAML for 9092: numbers here are plain decimals; write 9092' },
  { name: 'a broker id written +1', yaml: three().replace('kafka: { id: 1 }', 'kafka: { id: +1 }'), at: '9:18', path: 'hosts[1].kafka.id', message: '+1 is YAML for 1: numbers here are plain decimals; write 1' },
  { name: 'chroot with a dot-dot segment', yaml: three('kafka:\n  chroot: /kafka/..\n'), at: '2:11', path: 'kafka.chroot', message: 'a chroot has no "." or ".." segments (ZooKeeper refuses such paths) (got "/kafka/..")', problems: 1 },
  { name: 'chroot with a single-dot segment', yaml: three('kafka:\n  chroot: /./kafka\n'), at: '2:11', path: 'kafka.chroot', message: 'a chroot has no "." or ".." segments' },
  { name: 'ssh.port is the ZooKeeper client port', yaml: three('ssh:\n  port: 2181\n'), at: '2:9', path: 'ssh.port', message: 'port 2181 on hosts h1, h2, h3 is taken twice: ssh.port (sshd) and zookeeper.clientPort', problems: 1 },
  { name: 'a Kafka port on the default ssh port', yaml: three('kafka:\n  port: 22\n'), at: '2:9', path: 'kafka.port', message: 'port 22 on hosts h1, h2, h3 is taken twice: ssh.port (sshd) and kafka.port (listener)', problems: 1 },
  { name: 'a per-host ssh.port on the Kafka port', yaml: three('', ['', '    ssh: { port: 9092 }\n', '']), at: '10:18', path: 'hosts[1].ssh.port', message: 'port 9092 on host h2 is taken twice: ssh.port (sshd) and kafka.port (listener)', problems: 1 },
  { name: 'duplicate address in another case', yaml: pair('node.example.com', 'NODE.Example.com'), at: '6:14', path: 'hosts[1].address', message: 'duplicate address "NODE.Example.com": hosts[0] has it too (as "node.example.com": the same machine)' },
  { name: 'duplicate IPv6 address written shorter', yaml: pair('fd00:0::1', 'fd00::1'), at: '6:14', path: 'hosts[1].address', message: 'duplicate address "fd00::1": hosts[0] has it too (as "fd00:0::1": the same machine)' },
  { name: 'duplicate IPv6 address written in full', yaml: pair('fd00::1', 'FD00:0:0:0:0:0:0:1'), at: '6:14', path: 'hosts[1].address', message: 'duplicate address "FD00:0:0:0:0:0:0:1": hosts[0] has it too' },
  { name: 'duplicate address as IPv4-mapped IPv6', yaml: pair('10.0.0.1', '::ffff:10.0.0.1'), at: '6:14', path: 'hosts[1].address', message: 'duplicate address "::ffff:10.0.0.1": hosts[0] has it too (as "10.0.0.1": the same machine)' },
  { name: 'an IPv4 address with a leading zero', yaml: pair('10.0.0.1', '10.0.0.01'), at: '6:14', path: 'hosts[1].address', message: 'a number with a leading zero is read as octal by some tools (010 is 8) and as decimal by others: write 10.0.0.1 (got "10.0.0.01")', problems: 1 },
  { name: 'an IPv4 address out of range', yaml: pair('10.0.0.1', '10.0.0.256'), at: '6:14', path: 'hosts[1].address', message: 'not an IPv4 address (four numbers 0-255)' },
  { name: 'a short IPv4 address', yaml: pair('10.0.0.1', '10.1'), at: '6:14', path: 'hosts[1].address', message: 'not an IPv4 address (four numbers 0-255)' },
  { name: 'a bad IPv6 address', yaml: pair('10.0.0.1', 'fd00:::1'), at: '6:14', path: 'hosts[1].address', message: 'not an IPv6 address (got "fd00:::1")' },
  { name: 'an IPv6 address in brackets', yaml: pair('10.0.0.1', '[fd00::1]'), at: '6:14', path: 'hosts[1].address', message: 'write an IPv6 address without brackets' },
  { name: 'unquoted Scala version 2.11', yaml: three('kafka:\n  scalaVersion: 2.11\n'), at: '2:17', path: 'kafka.scalaVersion', message: 'expected a string, got number 2.11: quote it, "2.11"' },
  { name: 'unquoted Scala version 2.10 (YAML reads 2.1)', yaml: three('kafka:\n  scalaVersion: 2.10\n'), at: '2:17', path: 'kafka.scalaVersion', message: 'expected a string, got number 2.10 (YAML reads it as 2.1): quote it, "2.10"', problems: 1 },
  { name: 'unquoted Scala version on one host', yaml: three().replace('kafka: { id: 2 }', 'kafka: { id: 2, scalaVersion: 2.12 }'), at: '13:35', path: 'hosts[2].kafka.scalaVersion', message: 'quote it, "2.12"' },
  { name: 'Kafka 4.0 cluster-wide is one problem', yaml: three('kafka:\n  version: 4.0.0\n'), at: '2:12', path: 'kafka.version', message: 'Kafka 4.0.0 has no ZooKeeper mode', problems: 1 },
  { name: 'a port clash cluster-wide is one problem', yaml: three('zookeeper:\n  quorumPort: 2181\n'), at: '2:15', path: 'zookeeper.quorumPort', message: 'port 2181 on hosts h1, h2, h3 is taken twice', problems: 1 },
  { name: 'advertised.listeners without a host', yaml: three('kafka:\n  settings:\n    advertised.listeners: "PLAINTEXT://:9092"\n'), at: '3:27', path: 'kafka.settings.advertised.listeners', message: 'advertised.listeners needs the host name or address clients connect to', problems: 1 },
  { name: 'advertised.listeners on 0.0.0.0', yaml: three('', ['', '    kafka: { id: 1, settings: { advertised.listeners: "PLAINTEXT://0.0.0.0:9092" } }\n', '']).replace('    kafka: { id: 1 }\n', ''), at: '9:55', path: 'hosts[1].kafka.settings.advertised.listeners', message: 'advertised.listeners needs the host name or address clients connect to' },
  { name: 'advertised.listeners with another listener', yaml: three('kafka:\n  settings:\n    advertised.listeners: "SSL://kafka1:9093"\n'), at: '3:27', path: 'kafka.settings.advertised.listeners', message: 'advertised.listeners names listener "SSL", but the only listener zkafka configures is PLAINTEXT' },
  { name: 'advertised.listeners with two endpoints', yaml: three('kafka:\n  settings:\n    advertised.listeners: "PLAINTEXT://a:9092,EXTERNAL://b:9093"\n'), at: '3:27', path: 'kafka.settings.advertised.listeners', message: 'advertised.listeners lists 2 endpoints; expected PLAINTEXT://HOST:PORT' },
  { name: 'advertised.listeners with port 0', yaml: three('kafka:\n  settings:\n    advertised.listeners: "PLAINTEXT://kafka1:0"\n'), at: '3:27', path: 'kafka.settings.advertised.listeners', message: 'advertised.listeners: a port is 1-65535 (got 0)' },
  { name: 'advertised.listeners with a bad host', yaml: three('kafka:\n  settings:\n    advertised.listeners: "PLAINTEXT://kafka_1:9092"\n'), at: '3:27', path: 'kafka.settings.advertised.listeners', message: 'advertised.listeners: expected an IP address or DNS name (got "kafka_1")' },
  { name: 'advertised.listeners cluster-wide: every broker the same', yaml: three('kafka:\n  settings:\n    advertised.listeners: "PLAINTEXT://kafka.example.com:9092"\n'), at: '3:27', path: 'kafka.settings.advertised.listeners', message: 'brokers 0, 1, 2 would all register PLAINTEXT://kafka.example.com:9092: give each broker its own advertised.listeners (per host)', problems: 1 },
  { name: 'advertised.listeners the same on two hosts', yaml: three('', ['    kafka: { id: 0, settings: { advertised.listeners: "PLAINTEXT://K1:9092" } }\n', '', '    kafka: { id: 2, settings: { advertised.listeners: "PLAINTEXT://k1:9092" } }\n']).replace('    kafka: { id: 0 }\n', '').replace('    kafka: { id: 2 }\n', ''), at: '13:55', path: 'hosts[2].kafka.settings.advertised.listeners', message: 'brokers 0, 2 would all register PLAINTEXT://K1:9092', problems: 1 },
  { name: 'advertised.host.name (deprecated)', yaml: three('kafka:\n  settings:\n    advertised.host.name: kafka1\n'), at: '3:5', path: 'kafka.settings.advertised.host.name', message: "advertised.host.name is Kafka's deprecated form (gone in 3.0): set advertised.listeners" },
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

  it.each(CASES)('$name', ({ name, yaml, at, path, message, problems }) => {
    const r = validate(slug(name), yaml);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: invalid inventory: \d+ problems?$/m);
    if (problems !== undefined) expect(r.stderr, r.stderr).toContain(`error: invalid inventory: ${problems} problem${problems === 1 ? '' : 's'}\n`);
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

describe('bytes, sizes and warnings', () => {
  const write = (name: string, content: string | Buffer) => {
    writeFileSync(join(dir, name), content);
    return zkafka(['validate', name], { cwd: dir });
  };

  it('a Latin-1 byte is refused at its line and column, not read as U+FFFD', () => {
    const before = '    zookeeper: { id: 1, dataDir: "/d';
    const bytes = Buffer.concat([Buffer.from(`hosts:\n  - name: a\n    address: 10.0.0.1\n${before}`), Buffer.from([0xe9]), Buffer.from('ta" }\n')]);
    const r = write('latin1.yaml', bytes);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('error: invalid inventory: 1 problem\n');
    expect(r.stderr).toContain(`  latin1.yaml:4:${before.length + 1}  (top level)  not valid UTF-8: byte 0xE9 at line 4, column ${before.length + 1}`);
    expect(r.stderr).not.toContain('\ufffd');
  });

  it('the column counts characters, not bytes, before the bad byte', () => {
    const bytes = Buffer.concat([Buffer.from('cluster: "é中'), Buffer.from([0xff]), Buffer.from('"\nhosts:\n  - { name: a, address: 10.0.0.1, zookeeper: { id: 1 } }\n')]);
    const r = write('column.yaml', bytes);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('  column.yaml:1:13  (top level)  not valid UTF-8: byte 0xFF');
  });

  it('finds the first byte that is not well-formed UTF-8', () => {
    const at = (...b: number[]) => firstBadUtf8(Uint8Array.from(b));
    expect(at(0x61, 0xc3, 0xa9, 0xe4, 0xb8, 0xad, 0xf0, 0x9f, 0x98, 0x80)).toBe(-1); // a é 中 😀
    expect(at(0x61, 0xe9, 0x62)).toBe(1); // Latin-1 é
    expect(at(0x61, 0xe4, 0xb8)).toBe(1); // cut short at the end
    expect(at(0xc0, 0xaf)).toBe(0); // overlong "/"
    expect(at(0xe0, 0x80, 0xaf)).toBe(0); // overlong, three bytes
    expect(at(0x61, 0xed, 0xa0, 0x80)).toBe(1); // a UTF-16 surrogate
    expect(at(0xf4, 0x90, 0x80, 0x80)).toBe(0); // above U+10FFFF
    expect(at(0x80)).toBe(0); // a lone continuation byte
  });

  it('a message quotes a long value shortened, with its length', () => {
    const token = 'x '.repeat(1_000_000);
    const r = write('long.yaml', `cluster: "${token}"\nhosts:\n  - { name: a, address: 10.0.0.1, zookeeper: { id: 1 } }\n`);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('long.yaml:1:10  cluster  a cluster name is letters, digits');
    expect(r.stderr).toContain(`... (${token.length} characters)`);
    expect(r.stderr.length).toBeLessThan(1000);
  });

  it('a long unknown key is shortened in the path and the message', () => {
    const key = 'k'.repeat(500_000);
    // An explicit key (`? KEY`): YAML refuses an implicit key that long by itself.
    const r = write('long-key.yaml', `? ${key}\n: 1\nhosts:\n  - { name: a, address: 10.0.0.1, zookeeper: { id: 1 } }\n`);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('long-key.yaml:1:3  kkkk');
    expect(r.stderr).toContain('(500000 characters)');
    expect(r.stderr.length).toBeLessThan(1500);
  });

  it('a host with neither a zookeeper nor a kafka block is a warning', () => {
    const yaml = 'hosts:\n  - { name: a, address: 10.0.0.1, zookeeper: { id: 1 } }\n  - name: spare\n    address: 10.0.0.9\n';
    const r = write('spare.yaml', yaml);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: spare\.yaml:3:5 {2}hosts\[1\] {2}host spare has neither a zookeeper nor a kafka block/m);
  });

  it('the jumpHost forms README gives are valid', () => {
    for (const jump of ['bastion', 'bastion:2222', 'admin@bastion.example.com:22', '[fd00::9]', 'ops@[fd00::9]:65535']) {
      const r = write('jump-ok.yaml', `ssh:\n  jumpHost: "${jump}"\nhosts:\n  - { name: a, address: 10.0.0.1, zookeeper: { id: 1 } }\n`);
      expect(r.code, `${jump}: ${r.stderr}`).toBe(0);
    }
  });
});

describe('numbers in settings and env', () => {
  it('are written exactly as typed, in every YAML number form', () => {
    const yaml = [
      'kafka:',
      '  settings:',
      '    x.hex: 0x1F',
      '    x.octal: 0o17',
      '    x.exponent: 1e3',
      '    x.fraction: .5',
      '    x.trailing: 1.50',
      '    x.big: 9223372036854775807',
      '    x.plus: +12',
      '    x.bool: True',
      '    x.quoted: "0x1F"',
      '  env:',
      '    KAFKA_X: 0x10',
      'hosts:',
      '  - { name: a, address: 10.0.0.1, zookeeper: { id: 1 }, kafka: { id: 0 } }',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'forms.yaml'), yaml);
    const inv = parseInventory(yaml, join(dir, 'forms.yaml'));
    expect(inv.brokers[0]!.settings).toEqual({
      'x.hex': '0x1F',
      'x.octal': '0o17',
      'x.exponent': '1e3',
      'x.fraction': '.5',
      'x.trailing': '1.50',
      'x.big': '9223372036854775807',
      'x.plus': '+12',
      'x.bool': 'True',
      'x.quoted': '0x1F',
    });
    expect(inv.brokers[0]!.env).toEqual({ KAFKA_X: '0x10' });
    const out = join(dir, 'forms-out');
    const r = zkafka(['render', 'forms.yaml', '--out', out], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const props = readFileSync(join(out, 'a/home/software/kafka_2.11-2.4.1/config/server.properties'), 'utf8');
    for (const line of ['x.hex=0x1F', 'x.octal=0o17', 'x.exponent=1e3', 'x.fraction=.5', 'x.trailing=1.50', 'x.big=9223372036854775807', 'x.plus=+12', 'x.bool=True']) {
      expect(props.split('\n')).toContain(line);
    }
  });
});
