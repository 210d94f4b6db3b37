// The plan is a value built from the inventory and the hosts' state: tested here without any host.
import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../src/inventory/load.js';
import { threeHosts } from './helpers.js';
import { renderHost } from '../../src/render/files.js';
import { buildPlan, sha256 } from '../../src/commands/plan.js';
import { restartPlan } from '../../src/commands/restart.js';
import type { ClusterState } from '../../src/commands/state.js';
import type { HostFacts } from '../../src/services/probe.js';
import type { ZookeeperMode } from '../../src/services/zookeeper.js';

const inv = threeHosts();

interface HostSetup {
  installed?: boolean;
  zkPid?: number;
  kafkaPid?: number;
  /** Files on disk: 'same' as rendered, 'old' (different), or absent. */
  files?: 'same' | 'old' | 'none';
  /** Seconds since the services started, and the files' age in seconds. */
  uptime?: number;
  fileAge?: number;
  mode?: ZookeeperMode;
}

function state(setup: Record<string, HostSetup>, controller: number | null = null): ClusterState {
  const now = 1_800_000_000;
  const facts = new Map<string, HostFacts>();
  const files = new Map();
  for (const h of inv.hosts) {
    const s = setup[h.name] ?? {};
    const rendered = renderHost(inv, h);
    files.set(h.name, rendered);
    const f: HostFacts = { now, procs: new Map(), otherProcs: new Map(), files: new Map(), executables: new Map(), dirs: new Map(), contents: new Map(), props: new Map(), globs: new Map(), listings: new Map() };
    f.executables.set('/opt/zk/bin/zkServer.sh', !!s.installed);
    f.executables.set('/opt/kafka/bin/kafka-server-start.sh', !!s.installed);
    if (s.zkPid) f.procs.set('zookeeper', [{ pid: s.zkPid, elapsed: s.uptime ?? 1000 }]);
    if (s.kafkaPid) f.procs.set('kafka', [{ pid: s.kafkaPid, elapsed: s.uptime ?? 1000 }]);
    for (const r of rendered) {
      const kind = s.files ?? 'none';
      f.files.set(r.path, kind === 'none' ? { sha256: null, mtime: null } : { sha256: kind === 'same' ? sha256(r.content) : 'f'.repeat(64), mtime: now - (s.fileAge ?? 5000) });
    }
    facts.set(h.name, f);
  }
  return {
    facts,
    files,
    members: inv.members.map((m) => {
      const s = setup[m.host] ?? {};
      return { member: m, reachable: true, ...(s.zkPid ? { pid: s.zkPid } : {}), mode: s.zkPid ? (s.mode ?? 'follower') : 'down' };
    }),
    brokers: inv.brokers.map((b) => {
      const s = setup[b.host] ?? {};
      return { broker: b, reachable: true, ...(s.kafkaPid ? { pid: s.kafkaPid } : {}), registered: !!s.kafkaPid };
    }),
    controller,
    registryKnown: true,
    kafkaPhase: { kind: 'steady' },
    versionProblems: [],
  };
}

const running = (mode: ZookeeperMode, files: 'same' | 'old' = 'same', extra: Partial<HostSetup> = {}): HostSetup => ({ installed: true, zkPid: 10, kafkaPid: 20, files, mode, ...extra });

describe('buildPlan', () => {
  it('bare hosts: install both services, create every file, start members then brokers in id order', () => {
    const p = buildPlan(inv, state({}));
    expect(p.installs.map((i) => `${i.service}@${i.host}`)).toEqual(['zookeeper@a', 'kafka@a', 'zookeeper@b', 'kafka@b', 'zookeeper@c', 'kafka@c']);
    expect(p.installs[0]).toMatchObject({ source: '/dist/zk.tgz', remoteTarball: '/opt/.zkafka-dist/zk.tgz' });
    expect(p.files).toHaveLength(9);
    expect(p.files.every((f) => f.action === 'create')).toBe(true);
    expect(p.zookeeper.map((s) => `${s.action} ${s.id}`)).toEqual(['start 1', 'start 2', 'start 3']);
    expect(p.kafka.map((s) => `${s.action} ${s.id}`)).toEqual(['start 0', 'start 1', 'start 2']);
  });

  it('a cluster that matches the inventory: nothing to do', () => {
    const p = buildPlan(inv, state({ a: running('follower'), b: running('leader'), c: running('follower') }, 1));
    expect([p.installs, p.files, p.zookeeper, p.kafka]).toEqual([[], [], [], []]);
    expect(p.unchanged).toHaveLength(6);
  });

  it('changed files: update them and roll the members followers first, leader last; brokers controller last', () => {
    const p = buildPlan(inv, state({ a: running('leader', 'old'), b: running('follower', 'old'), c: running('follower', 'old') }, 0));
    expect(p.files.every((f) => f.action === 'update')).toBe(true);
    expect(p.zookeeper.map((s) => `${s.action} ${s.id}`)).toEqual(['restart 2', 'restart 3', 'restart 1']);
    expect(p.kafka.map((s) => `${s.action} ${s.id}`)).toEqual(['restart 1', 'restart 2', 'restart 0']);
    expect(p.zookeeper[0]!.reason).toMatch(/zoo\.cfg changed/);
  });

  it('a stopped member is started before the running ones are rolled', () => {
    const p = buildPlan(inv, state({ a: running('leader', 'old'), b: { installed: true, files: 'old' }, c: running('follower', 'old') }));
    expect(p.zookeeper.map((s) => `${s.action} ${s.id}`)).toEqual(['start 2', 'restart 3', 'restart 1']);
  });

  it('a file written after its service started (an interrupted run) still gets its restart', () => {
    const p = buildPlan(inv, state({ a: running('leader', 'same', { uptime: 100, fileAge: 10 }), b: running('follower'), c: running('follower') }));
    expect(p.files).toEqual([]);
    expect(p.zookeeper.map((s) => `${s.action} ${s.id} ${s.host}`)).toEqual(['restart 1 a']);
    expect(p.kafka.map((s) => `${s.action} ${s.id} ${s.host}`)).toEqual(['restart 0 a']);
  });
});

describe('restartPlan', () => {
  const st = state({ a: running('follower'), b: running('leader'), c: running('follower') }, 2);

  it('rolls every service: followers, then the leader; brokers with the controller last', () => {
    const p = restartPlan(st, {});
    expect(p.zookeeper.map((s) => s.id)).toEqual([1, 3, 2]);
    expect(p.kafka.map((s) => s.id)).toEqual([0, 1, 2]);
    expect([...p.zookeeper, ...p.kafka].every((s) => s.action === 'restart')).toBe(true);
  });

  it('narrows to hosts and a service', () => {
    const p = restartPlan(st, { hosts: ['a', 'c'], service: 'kafka' });
    expect(p.zookeeper).toEqual([]);
    expect(p.kafka.map((s) => `${s.host}:${s.id}`)).toEqual(['a:0', 'c:2']);
  });
});

describe('the Prometheus metrics jar', () => {
  it('is looked for in the tarball of a member about to be installed, and in lib/ of an installed one', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { metricsJarProblems } = await import('../../src/commands/preflight.js');
    const dir = mkdtempSync(join(tmpdir(), 'zkafka-jar-'));
    const make = (name: string, jars: string[]) => {
      const top = join(dir, name, 'apache-zookeeper-3.8.0-bin');
      mkdirSync(join(top, 'lib'), { recursive: true });
      for (const j of jars) writeFileSync(join(top, 'lib', j), '');
      execFileSync('tar', ['-czf', join(dir, `${name}.tgz`), '-C', join(dir, name), 'apache-zookeeper-3.8.0-bin']);
      return join(dir, `${name}.tgz`);
    };
    const without = make('debian', ['zookeeper-3.8.0.jar']);
    const withJar = make('apache', ['zookeeper-3.8.0.jar', 'zookeeper-prometheus-metrics-3.8.0.jar']);
    const inventory = (src: string) => parseInventory(`zookeeper: { home: /opt/zk, source: ${src} }\nhosts:\n  - { name: a, address: 198.18.0.11, zookeeper: { id: 1 } }\n`, '/tmp/inventory.yaml');

    for (const [src, expected] of [[without, 1], [withJar, 0]] as const) {
      const inv2 = inventory(src);
      const st: ClusterState = { ...state({}), facts: new Map(), files: new Map(), members: [], brokers: [] };
      const plan = { installs: [{ host: 'a', service: 'zookeeper' as const, home: '/opt/zk', source: src }], files: [], zookeeper: [], kafka: [], unchanged: [] };
      const problems = await metricsJarProblems(inv2, st, plan);
      expect(problems).toHaveLength(expected);
      if (expected) expect(problems[0]).toMatch(/a: zookeeper.metrics.enabled is true but .*debian\.tgz has no zookeeper-prometheus-metrics-\*\.jar/);
    }
    // Installed already: the probe's answer for lib/ decides.
    const inv3 = inventory(without);
    const facts = state({}).facts.get('a')!;
    facts.globs.set('/opt/zk/lib zookeeper-prometheus-metrics-*.jar', false);
    const st3: ClusterState = { ...state({}), facts: new Map([['a', facts]]) };
    const noInstall = { installs: [], files: [], zookeeper: [], kafka: [], unchanged: [] };
    expect(await metricsJarProblems(inv3, st3, noInstall)).toHaveLength(1);
    facts.globs.set('/opt/zk/lib zookeeper-prometheus-metrics-*.jar', true);
    expect(await metricsJarProblems(inv3, st3, noInstall)).toHaveLength(0);
  });
});

describe('buildPlan for a version change', () => {
  it('phase 1: brokers on a sibling home restart onto the new one, the controller last; phase 2 follows as next', () => {
    const st = state({ a: running('follower'), b: running('leader'), c: running('follower') }, 1);
    for (const b of st.brokers) Object.assign(b, { runningHome: '/opt/kafka_2.11-2.3.1', version: '2.3.1' });
    st.kafkaPhase = { kind: 'binaries', from: '2.3.1', to: inv.brokers[0]!.version, pin: { ibp: '2.3', lmf: '2.3' } };
    const p = buildPlan(inv, st);
    expect(p.phase).toMatch(/^Kafka 2\.3\.1 → \S+, phase 1 of 2: .*pinned at 2\.3$/);
    expect(p.kafka.map((s) => `${s.action} ${s.id}`)).toEqual(['restart 0', 'restart 2', 'restart 1']);
    expect(p.kafka[0]!.reason).toBe(`upgrade 2.3.1 → ${inv.brokers[0]!.version} onto ${inv.brokers[0]!.home}, inter.broker.protocol.version pinned at 2.3; logs stay in ${inv.brokers[0]!.logDirs.join(',')}`);
    expect(p.zookeeper).toEqual([]);
    expect(p.next?.phase).toMatch(/phase 2 of 2 .*lift inter\.broker\.protocol\.version 2\.3/);
    expect(p.next?.kafka.map((s) => s.id)).toEqual([0, 2, 1]);
    expect(p.next?.files.map((f) => f.host)).toEqual(['a', 'b', 'c']);
    expect(p.next?.files.every((f) => !/inter\.broker\.protocol\.version/.test(f.content))).toBe(true);
  });

  it('a member on a sibling home restarts onto the new one, the leader last, saying where its data stays', () => {
    const st = state({ a: running('follower'), b: running('leader'), c: running('follower') }, 1);
    for (const m of st.members) Object.assign(m, { runningHome: '/opt/apache-zookeeper-3.7.2-bin', version: '3.7.2' });
    const p = buildPlan(inv, st);
    expect(p.zookeeper.map((s) => s.id)).toEqual([1, 3, 2]);
    const m = inv.members[0]!;
    expect(p.zookeeper[0]!.reason).toBe(`upgrade 3.7.2 → ${m.version} onto ${m.home}; data stays in ${m.dataDir}`);
    expect(p.kafka).toEqual([]);
    expect(p.next).toBeUndefined();
  });
});
