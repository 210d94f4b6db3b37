// The version rules and the two-phase Kafka upgrade, read from what runs and what is rendered.
import { describe, expect, it } from 'vitest';
import { compareVersions, configFromArgs, kafkaUpgradeProblem, kafkaVersionFromArgs, kafkaVersionFromJars, minorLine, siblingHome, zookeeperUpgradeProblem } from '../../src/services/versions.js';
import { kafkaPhase, pinSettings, type BrokerVersionFacts } from '../../src/services/kafka-upgrade.js';

// The command line of a genuine Kafka 2.4.1 broker started by zkafka in the lab (class path shortened).
const ARGS_241 =
  '/usr/lib/jvm/java-17-openjdk-amd64/bin/java -Xmx256m -Xms64m -server -XX:+UseG1GC -Dkafka.logs.dir=/home/software/kafka_2.11-2.4.1/logs ' +
  '-cp /home/software/kafka_2.11-2.4.1/bin/../libs/jackson-core-2.10.0.jar:/home/software/kafka_2.11-2.4.1/bin/../libs/kafka-clients-2.4.1.jar:/home/software/kafka_2.11-2.4.1/bin/../libs/kafka_2.11-2.4.1.jar:/home/software/kafka_2.11-2.4.1/bin/../libs/zookeeper-3.5.7.jar ' +
  'kafka.Kafka /home/software/kafka_2.11-2.4.1/config/server.properties';

describe('versions', () => {
  it('orders versions numerically and names their line', () => {
    expect(compareVersions('3.10.0', '3.9.1')).toBe(1);
    expect(compareVersions('2.4.1', '2.4.1')).toBe(0);
    expect(compareVersions('2.4', '2.4.1')).toBe(-1);
    expect(minorLine('2.4.1')).toBe('2.4');
  });

  it('reads the running version and config from a broker command line', () => {
    expect(kafkaVersionFromArgs(ARGS_241)).toBe('2.4.1');
    expect(kafkaVersionFromArgs(ARGS_241.replace(/kafka_2\.11-2\.4\.1\.jar/, 'other.jar'))).toBeUndefined();
    expect(configFromArgs(ARGS_241, 'kafka.Kafka')).toBe('/home/software/kafka_2.11-2.4.1/config/server.properties');
    // A `libs/*` class path names no jar: the version comes from the home's libs/ listing instead.
    expect(kafkaVersionFromArgs('java -cp /opt/kafka/libs/* kafka.Kafka /opt/kafka/config/server.properties')).toBeUndefined();
    expect(kafkaVersionFromJars(['kafka_2.13-3.9.1-sources.jar', 'kafka_2.13-3.9.1.jar'])).toBe('3.9.1');
    expect(kafkaVersionFromJars(['kafka-clients-3.9.1.jar'])).toBeUndefined();
  });

  it('the probe lists a folder by a pattern of zkafka\'s', async () => {
    const { parseProbe, probeCommand } = await import('../../src/services/probe.js');
    const { execa } = await import('execa');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/zkafka-ls-');
    for (const n of ['kafka_2.13-3.9.1.jar', 'kafka-clients-3.9.1.jar', 'x y.jar']) writeFileSync(`${dir}/${n}`, '');
    const [cmd, ...args] = probeCommand([{ kind: 'ls', dir, pattern: 'kafka_*.jar' }, { kind: 'ls', dir: `${dir}/missing`, pattern: 'kafka_*.jar' }]);
    const r = await execa(cmd!, args);
    expect(parseProbe(r.stdout).listings).toEqual(new Map([[dir, ['kafka_2.13-3.9.1.jar']]]));
  });

  it('adopts only a sibling zkafka home as the same service', () => {
    const cfg = '/home/software/kafka_2.11-2.4.1/config/server.properties';
    expect(siblingHome(cfg, '/home/software/kafka_2.13-3.9.1', 'config/server.properties')).toBe('/home/software/kafka_2.11-2.4.1');
    expect(siblingHome(cfg, '/home/software/kafka_2.11-2.4.1', 'config/server.properties')).toBeUndefined(); // its own home
    expect(siblingHome('/opt/kafka/config/server.properties', '/home/software/kafka_2.13-3.9.1', 'config/server.properties')).toBeUndefined();
    expect(siblingHome('config/server.properties', '/home/software/kafka_2.13-3.9.1', 'config/server.properties')).toBeUndefined();
    expect(siblingHome('/home/software/kafka_2.11-2.4.1/config/other.properties', '/home/software/kafka_2.13-3.9.1', 'config/server.properties')).toBeUndefined();
  });

  it('refuses the Kafka upgrades the release notes forbid', () => {
    expect(kafkaUpgradeProblem('2.4.1', '3.9.1', 'zookeeper')).toBeUndefined();
    expect(kafkaUpgradeProblem('2.4.1', '4.1.1', 'zookeeper')).toMatch(/no ZooKeeper mode.*3\.9\.x.*KRaft/);
    expect(kafkaUpgradeProblem('3.2.3', '4.1.1', 'kraft')).toMatch(/only from 3\.3\.x-3\.9\.x/);
    expect(kafkaUpgradeProblem('3.9.1', '4.1.1', 'kraft')).toBeUndefined();
  });

  it('refuses a ZooKeeper older than the line whose data it would read', () => {
    expect(zookeeperUpgradeProblem('3.8.0', '3.9.4')).toBeUndefined();
    expect(zookeeperUpgradeProblem('3.8.4', '3.8.0')).toBeUndefined(); // same line
    expect(zookeeperUpgradeProblem('3.9.4', '3.8.0')).toMatch(/older than the 3\.9 line.*stay on 3\.9\.x/);
    expect(zookeeperUpgradeProblem('3.4.14', '3.8.0')).toMatch(/3\.5's own steps/);
  });
});

const on = (id: number, version: string, more: Partial<BrokerVersionFacts> = {}): BrokerVersionFacts => ({ id, running: true, version, ...more });

describe('the two-phase Kafka upgrade', () => {
  it('is steady when every broker runs the inventory version unpinned', () => {
    expect(kafkaPhase('2.4.1', [on(0, '2.4.1'), on(1, '2.4.1')], 'zookeeper', false)).toEqual({ phase: { kind: 'steady' }, problems: [] });
  });

  it('starts phase 1 with the protocol and message format pinned to the old line', () => {
    const r = kafkaPhase('3.9.1', [on(0, '2.4.1'), on(1, '2.4.1'), on(2, '2.4.1')], 'zookeeper', false);
    expect(r.phase).toEqual({ kind: 'binaries', from: '2.4.1', to: '3.9.1', pin: { ibp: '2.4', lmf: '2.4' } });
    expect(pinSettings(r.phase)).toEqual({ 'inter.broker.protocol.version': '2.4', 'log.message.format.version': '2.4' });
  });

  it('pins only the protocol from a 3.x line', () => {
    const r = kafkaPhase('3.9.1', [on(0, '3.6.2'), on(1, '3.6.2')], 'zookeeper', false);
    expect(r.phase).toMatchObject({ kind: 'binaries', pin: { ibp: '3.6' } });
    expect(pinSettings(r.phase)).toEqual({ 'inter.broker.protocol.version': '3.6' });
  });

  it('continues phase 1 when it was interrupted part way, with a broker down', () => {
    // 0 is on 3.9.1 pinned, 1 was stopped before its start, 2 still runs 2.4.1.
    const mid = [on(0, '3.9.1', { ibp: '2.4' }), { id: 1, running: false, renderedIbp: '2.4' }, on(2, '2.4.1')];
    expect(kafkaPhase('3.9.1', mid, 'zookeeper', false).phase).toMatchObject({ kind: 'binaries', pin: { ibp: '2.4' } });
    // Only the stopped one left, the old version no longer running anywhere: the rendered pin says phase 1.
    const late = [on(0, '3.9.1', { ibp: '2.4' }), { id: 1, running: false, renderedIbp: '2.4' }, on(2, '3.9.1', { ibp: '2.4' })];
    expect(kafkaPhase('3.9.1', late, 'zookeeper', false).phase).toEqual({ kind: 'binaries', from: '2.4', to: '3.9.1', pin: { ibp: '2.4', lmf: '2.4' } });
  });

  it('goes to phase 2 once every broker runs the new version pinned', () => {
    const r = kafkaPhase('3.9.1', [on(0, '3.9.1', { ibp: '2.4' }), on(1, '3.9.1', { ibp: '2.4' })], 'zookeeper', false);
    expect(r.phase).toEqual({ kind: 'protocol', to: '3.9.1', pin: { ibp: '2.4', lmf: '2.4' } });
    expect(pinSettings(r.phase)).toBeUndefined();
  });

  it('rolls back while the pin holds, and refuses once the protocol was lifted', () => {
    const pinned = kafkaPhase('2.4.1', [on(0, '3.9.1', { ibp: '2.4' }), on(1, '2.4.1')], 'zookeeper', false);
    expect(pinned).toEqual({ phase: { kind: 'rollback', from: '3.9.1', to: '2.4.1' }, problems: [] });
    const lifted = kafkaPhase('2.4.1', [on(0, '3.9.1'), on(1, '3.9.1', { ibp: '2.4' })], 'zookeeper', false);
    expect(lifted.phase.kind).toBe('steady');
    expect(lifted.problems).toEqual([expect.stringMatching(/^broker 0 runs Kafka 3\.9\.1 with inter\.broker\.protocol\.version=3\.9 \(its default\): the protocol was lifted/)]);
  });

  it('refuses a skip the release notes forbid', () => {
    expect(kafkaPhase('4.1.1', [on(0, '2.4.1')], 'zookeeper', false).problems).toEqual([expect.stringMatching(/no ZooKeeper mode/)]);
  });

  it('leaves the protocol to an operator who sets it', () => {
    const r = kafkaPhase('3.9.1', [on(0, '2.4.1', { ibp: '2.4' })], 'zookeeper', true);
    expect(r.phase.kind).toBe('binaries');
    expect(pinSettings(r.phase)).toBeUndefined();
    expect(kafkaPhase('3.9.1', [on(0, '3.9.1', { ibp: '2.4' })], 'zookeeper', true).phase.kind).toBe('steady');
  });
});

describe('a KRaft version change', () => {
  const mv = (finalized: number, supported: Record<string, number>) => ({ finalized, supported: new Map(Object.entries(supported)) });
  it('rolls onto the new binaries without a pin, then finalizes metadata.version last', () => {
    const r = kafkaPhase('4.1.1', [on(1, '3.9.1'), on(2, '3.9.1')], 'kraft', false, mv(21, { '3.9.1': 21 }));
    expect(r.phase).toEqual({ kind: 'binaries', from: '3.9.1', to: '4.1.1', pin: { ibp: '' } });
    expect(pinSettings(r.phase)).toBeUndefined();
    expect(kafkaPhase('4.1.1', [on(1, '4.1.1'), on(2, '4.1.1')], 'kraft', false, mv(21, { '4.1.1': 27 })).phase).toEqual({ kind: 'finalize', to: '4.1.1', from: 21, level: 27 });
    expect(kafkaPhase('4.1.1', [on(1, '4.1.1'), { id: 2, running: false }], 'kraft', false, mv(21, { '4.1.1': 27 })).phase.kind).toBe('steady');
    expect(kafkaPhase('4.1.1', [on(1, '4.1.1'), on(2, '4.1.1')], 'kraft', false, mv(27, { '4.1.1': 27 })).phase.kind).toBe('steady');
  });
  it('rolls back until metadata.version is finalized past the older release', () => {
    expect(kafkaPhase('3.9.1', [on(1, '4.1.1'), on(2, '3.9.1')], 'kraft', false, mv(21, { '4.1.1': 27, '3.9.1': 21 })).phase).toEqual({ kind: 'rollback', from: '4.1.1', to: '3.9.1' });
    expect(kafkaPhase('3.9.1', [on(1, '4.1.1'), on(2, '4.1.1')], 'kraft', false, mv(21, { '4.1.1': 27 })).phase.kind).toBe('rollback');
    const r = kafkaPhase('3.9.1', [on(1, '4.1.1'), on(2, '4.1.1')], 'kraft', false, mv(27, { '4.1.1': 27 }));
    expect(r.problems).toEqual([expect.stringMatching(/^metadata\.version 27 was finalized on Kafka 4\.1\.1: Kafka cannot go back to 3\.9\.1/)]);
  });
  it('refuses 4.x from a KRaft release older than 3.3', () => {
    expect(kafkaPhase('4.1.1', [on(1, '3.2.3')], 'kraft', false).problems).toEqual([expect.stringMatching(/only from 3\.3\.x-3\.9\.x/)]);
  });
});
