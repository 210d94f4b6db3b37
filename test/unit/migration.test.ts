// The ZooKeeper → KRaft migration's phase reader (src/services/migration.ts) on recorded facts: every
// phase, interrupted rolls, refusals. The /migration znodes are genuine 3.9.1's (fixtures/migration).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formOf, kraftClaimsController, migrationCompleted, migrationPhase, rollbackPhase, parseMigrationZnode, parsePhaseOption, phaseRequestProblem, phaseTitle, type MigrationFacts, type MigrationNodeFacts, type NodeForm } from '../../src/services/migration.js';
import { parseController } from '../../src/services/kafka.js';
import type { HostFacts } from '../../src/services/probe.js';
import type { ClusterState } from '../../src/commands/state.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', 'migration', name), 'utf8');
const waiting = parseMigrationZnode(fixture('migration-znode-waiting.json'))!;
const completed = parseMigrationZnode(fixture('migration-znode-completed.json'))!;

const nodes = (ids: number[], form: NodeForm | undefined, running = true, stale: number[] = []): MigrationNodeFacts[] =>
  ids.map((id) => ({ id, running, ...(form ? { form } : {}), ...(stale.includes(id) ? { stale: true } : {}) }));
const facts = (brokers: MigrationNodeFacts[], controllers: MigrationNodeFacts[], znode: MigrationFacts['znode']): MigrationFacts => ({ brokers, controllers, znode });

describe('the migration znodes of genuine 3.9.1', () => {
  it('reads /migration: -1 while waiting, the KRaft offset once completed', () => {
    expect(waiting).toEqual({ kraftMetadataOffset: -1, kraftControllerId: -1, kraftMetadataEpoch: -1, kraftControllerEpoch: -1 });
    expect(completed).toEqual({ kraftMetadataOffset: 258, kraftControllerId: 101, kraftMetadataEpoch: 2, kraftControllerEpoch: 2 });
    expect(migrationCompleted(waiting)).toBe(false);
    expect(migrationCompleted(completed)).toBe(true);
    expect(migrationCompleted(null)).toBe(false);
    expect(parseMigrationZnode('not json')).toBeUndefined();
  });
  it('/controller names the KRaft controller already before the migration completed (not the signal)', () => {
    expect(parseController(fixture('controller-znode-kraft.json'))).toBe(101);
  });
});

describe('formOf: the running config form', () => {
  it('tells the forms apart by process.roles and the migration flag', () => {
    expect(formOf({})).toBe('zookeeper');
    expect(formOf({ migrationFlag: 'true' })).toBe('migration');
    expect(formOf({ processRoles: 'controller', migrationFlag: 'true' })).toBe('migration');
    expect(formOf({ processRoles: 'controller' })).toBe('kraft');
    expect(formOf({ processRoles: 'broker', migrationFlag: 'false' })).toBe('kraft');
  });
});

describe('migrationPhase', () => {
  const B = [0, 1, 2];
  const C = [100, 101, 102];
  it('(a) before: ZooKeeper-mode brokers, no controllers', () => {
    const p = migrationPhase(facts(nodes(B, 'zookeeper'), nodes(C, undefined, false), null));
    expect(p).toMatchObject({ phase: 'controllers', brokerForm: 'zookeeper', controllerForm: 'migration', problems: [] });
  });
  it('(a) interrupted: one controller up, the others not', () => {
    const p = migrationPhase(facts(nodes(B, 'zookeeper'), [...nodes([100], 'migration'), ...nodes([101, 102], 'migration', false)], waiting));
    expect(p.phase).toBe('controllers');
  });
  it('(b) controllers in migration mode, brokers still in ZooKeeper mode', () => {
    const p = migrationPhase(facts(nodes(B, 'zookeeper'), nodes(C, 'migration'), waiting));
    expect(p).toMatchObject({ phase: 'brokers', brokerForm: 'migration', controllerForm: 'migration', problems: [] });
    expect(p.waiting).toBeUndefined();
  });
  it('(b) interrupted mid-roll: a file written but its broker not restarted yet', () => {
    const p = migrationPhase(facts([...nodes([0], 'migration'), ...nodes([1], 'migration', true, [1]), ...nodes([2], 'zookeeper')], nodes(C, 'migration'), waiting));
    expect(p.phase).toBe('brokers');
    expect(p.waiting).toBeUndefined();
  });
  it('(b) every broker rolled, the migration not complete: waits, naming /migration', () => {
    const p = migrationPhase(facts(nodes(B, 'migration'), nodes(C, 'migration'), waiting));
    expect(p.phase).toBe('brokers');
    expect(p.waiting).toMatch(/metadata migration .* kraft_metadata_offset -1/);
  });
  it('(c) the migration completed: brokers into KRaft', () => {
    const p = migrationPhase(facts(nodes(B, 'migration'), nodes(C, 'migration'), completed));
    expect(p).toMatchObject({ phase: 'kraft', brokerForm: 'kraft', controllerForm: 'migration', problems: [] });
  });
  it('(c) interrupted: one broker in KRaft, one stale, one in migration mode', () => {
    const p = migrationPhase(facts([...nodes([0], 'kraft'), ...nodes([1], 'kraft', true, [1]), ...nodes([2], 'migration')], nodes(C, 'migration'), completed));
    expect(p).toMatchObject({ phase: 'kraft', problems: [] });
  });
  it('(c) refused: a broker in KRaft while /migration says not completed', () => {
    const p = migrationPhase(facts([...nodes([0], 'kraft'), ...nodes([1, 2], 'migration')], nodes(C, 'migration'), waiting));
    expect(p.problems.join()).toMatch(/metadata migration has not completed/);
  });
  it('(d) every broker in KRaft: controllers out of migration mode', () => {
    const p = migrationPhase(facts(nodes(B, 'kraft'), nodes(C, 'migration'), completed));
    expect(p).toMatchObject({ phase: 'finalize', brokerForm: 'kraft', controllerForm: 'kraft', problems: [] });
  });
  it('(d) interrupted: one controller rolled out of migration mode', () => {
    const p = migrationPhase(facts(nodes(B, 'kraft'), [...nodes([100], 'kraft'), ...nodes([101, 102], 'migration')], completed));
    expect(p).toMatchObject({ phase: 'finalize', problems: [] });
  });
  it('done: every node plain KRaft', () => {
    expect(migrationPhase(facts(nodes(B, 'kraft'), nodes(C, 'kraft'), completed))).toMatchObject({ phase: 'done', problems: [] });
  });
  it('refused: a controller out of migration mode before every broker runs KRaft', () => {
    const p = migrationPhase(facts([...nodes([0, 1], 'kraft'), ...nodes([2], 'migration')], [...nodes([100], 'kraft'), ...nodes([101, 102], 'migration')], completed));
    expect(p.problems.join()).toMatch(/broker\(s\) 2 do not run in KRaft mode yet/);
  });
});

describe('rollbackPhase: the way back before phase d', () => {
  const B = [0, 1, 2];
  const C = [100, 101, 102];
  const formatted = (ns: MigrationNodeFacts[]) => ns.map((n) => ({ ...n, kraftDirs: ['/var/lib/kafka/ctl'] }));
  it('from (c): brokers out of KRaft first, back onto their migration-mode file', () => {
    const p = rollbackPhase(facts(nodes(B, 'kraft'), formatted(nodes(C, 'migration')), completed));
    expect(p).toMatchObject({ phase: 'rollback-brokers', brokerForm: 'migration', controllerForm: 'migration', problems: [] });
  });
  it('step 1 interrupted: a migration-mode file written but its broker still runs KRaft', () => {
    const p = rollbackPhase(facts([...nodes([0], 'migration'), ...nodes([1], 'migration', true, [1]), ...nodes([2], 'migration')], formatted(nodes(C, 'migration')), completed));
    expect(p.phase).toBe('rollback-brokers');
  });
  it('from (b), or after step 1: the controllers deprovisioned, brokers back to ZooKeeper mode', () => {
    for (const z of [waiting, completed]) {
      expect(rollbackPhase(facts(nodes(B, 'migration'), formatted(nodes(C, 'migration')), z))).toMatchObject({ phase: 'rollback-zookeeper', brokerForm: 'zookeeper', problems: [] });
    }
  });
  it('from (a): only the controllers run: step 2 deprovisions them', () => {
    expect(rollbackPhase(facts(nodes(B, 'zookeeper'), formatted(nodes(C, 'migration')), waiting)).phase).toBe('rollback-zookeeper');
  });
  it('step 2 interrupted: controllers stopped but still formatted, or a broker not yet back', () => {
    expect(rollbackPhase(facts(nodes(B, 'zookeeper'), formatted(nodes(C, 'migration', false)), null)).phase).toBe('rollback-zookeeper');
    expect(rollbackPhase(facts([...nodes([0, 1], 'zookeeper'), ...nodes([2], 'zookeeper', true, [2])], nodes(C, 'migration', false), null)).phase).toBe('rollback-zookeeper');
  });
  it('rolled back: brokers in ZooKeeper mode, no controller running or formatted', () => {
    expect(rollbackPhase(facts(nodes(B, 'zookeeper'), nodes(C, 'migration', false), null))).toMatchObject({ phase: 'rolled-back', problems: [] });
    expect(phaseTitle('rolled-back')).toMatch(/rolled back/);
    expect(phaseTitle('rollback-brokers')).toMatch(/step 1 of 2/);
  });
  it('refused after (d): a controller out of migration mode', () => {
    const p = rollbackPhase(facts(nodes(B, 'kraft'), [...nodes([100], 'kraft'), ...nodes([101, 102], 'migration')], completed));
    expect(p.problems.join()).toMatch(/controller\(s\) 100 are out of migration mode \(phase d\).*no way back/);
  });
  it('deletes only a KRaft controller\'s /controller claim', () => {
    expect(kraftClaimsController(fixture('controller-znode-kraft.json'), C)).toBe(true);
    expect(kraftClaimsController('{"version":2,"brokerid":1,"timestamp":"1764590000000"}', C)).toBe(false);
    // Recorded on genuine 3.9.1: a ZooKeeper-mode broker's own claim after the rollback deleted the KRaft one.
    expect(kraftClaimsController('{"version":2,"brokerid":1,"timestamp":"1796133736677","kraftControllerEpoch":-1}', C)).toBe(false);
    expect(kraftClaimsController('{"version":1,"brokerid":101,"timestamp":"1764590000000"}', C)).toBe(true);
    expect(kraftClaimsController('not json', C)).toBe(false);
  });
});

describe('--phase', () => {
  const at = migrationPhase(facts(nodes([0, 1, 2], 'zookeeper'), nodes([100, 101, 102], 'migration'), waiting));
  it('takes letters and names', () => {
    expect(parsePhaseOption('b')).toBe('brokers');
    expect(parsePhaseOption('finalize')).toBe('finalize');
    expect(parsePhaseOption('x')).toBeUndefined();
  });
  it('refuses a later phase too early, and an earlier one, with the reason', () => {
    expect(phaseRequestProblem('brokers', at)).toBeUndefined();
    expect(phaseRequestProblem('kraft', at)).toMatch(/phase kraft cannot run yet: the hosts are in ZooKeeper → KRaft migration, phase b/);
    expect(phaseRequestProblem('controllers', at)).toMatch(/is finished/);
    expect(phaseTitle('kraft')).toBe('ZooKeeper → KRaft migration, phase c (3 of 4): brokers rolled into KRaft mode');
  });
});

describe('down --service zookeeper', () => {
  const state = (phase: MigrationFacts) => ({ migration: { ...migrationPhase(phase), znode: phase.znode, nodes: [] }, brokers: [] });
  it('is refused until the migration is done, and while ZooKeeper-mode brokers run', async () => {
    const { ensembleDownProblem } = await import('../../src/commands/down.js');
    const done = state(facts(nodes([0, 1, 2], 'kraft'), nodes([100, 101, 102], 'kraft'), completed));
    expect(ensembleDownProblem(done, { kafkaMode: 'kraft' })).toBeUndefined();
    const c = state(facts(nodes([0, 1, 2], 'kraft'), nodes([100, 101, 102], 'migration'), completed));
    expect(ensembleDownProblem(c, { kafkaMode: 'kraft' })).toMatch(/migration is not finished \(ZooKeeper → KRaft migration, phase d/);
    const zkMode = { brokers: [{ broker: { id: 0 }, pid: 12 }] } as never;
    expect(ensembleDownProblem(zkMode, { kafkaMode: 'zookeeper' })).toMatch(/broker\(s\) 0 run in ZooKeeper mode/);
  });
});

describe('the rollback plan (step 2): controllers deprovisioned, never started, brokers back with their metadata log moved aside', () => {
  it('builds the deprovision step and keeps it through scoping', async () => {
    const { loadInventory } = await import('../../src/inventory/load.js');
    const { buildPlan, sha256 } = await import('../../src/commands/plan.js');
    const { scopePlan, fullScope } = await import('../../src/commands/scope.js');
    const { renderHost } = await import('../../src/render/files.js');
    const inv = loadInventory(join(import.meta.dirname, 'fixtures', 'kraft-migration.yaml'));
    const now = 1_796_122_845; // 2026-12-01T11:00:45Z
    const facts = new Map<string, HostFacts>();
    const files = new Map();
    for (const h of inv.hosts) {
      facts.set(h.name, { now, procs: new Map(), otherProcs: new Map(), files: new Map(), executables: new Map([[`${h.kafka?.home ?? h.zookeeper!.home}/bin/${h.kafka ? 'kafka-server-start.sh' : 'zkServer.sh'}`, true]]), dirs: new Map(), contents: new Map(), props: new Map(), globs: new Map(), listings: new Map() });
      const rendered = renderHost(inv, h, undefined, h.kafka ? { kafka: { form: h.kafka.roles.includes('controller') ? 'migration' : 'zookeeper' } } : {});
      files.set(h.name, rendered);
      // On the hosts: every file of the phase before (the brokers' migration-mode files differ), older than the processes.
      for (const r of rendered) facts.get(h.name)!.files.set(r.path, { sha256: h.kafka && !h.kafka.roles.includes('controller') && r.service === 'kafka' ? 'f'.repeat(64) : sha256(r.content), mtime: now - 5000 });
    }
    const brokerNodes = [101, 102, 103].map((id, i) => ({ id, host: `kafka${i + 1}`, role: 'broker' as const, running: true, form: 'migration' as NodeForm, kraftDirs: [inv.brokers[i]!.logDirs[0]!] }));
    // Controller 1 already stopped and moved aside by an interrupted run; 2 and 3 still run.
    const ctlNodes = [1, 2, 3].map((id, i) => ({ id, host: `c${i + 1}`, role: 'controller' as const, running: id !== 1, form: 'migration' as NodeForm, ...(id !== 1 ? { kraftDirs: inv.controllers[i]!.logDirs } : {}) }));
    const phase = rollbackPhase({ brokers: brokerNodes, controllers: ctlNodes, znode: completed });
    expect(phase.phase).toBe('rollback-zookeeper');
    const state = {
      facts,
      files,
      members: inv.members.map((m) => ({ member: m, reachable: true, pid: 10 + m.id, mode: 'follower' })),
      brokers: [...inv.controllers, ...inv.brokers].map((b) => ({ broker: b, reachable: true, registered: true, ...(b.id !== 1 ? { pid: 100 + b.id } : {}) })),
      controller: 2,
      registryKnown: true,
      kafkaPhase: { kind: 'steady' },
      versionProblems: [],
      migration: { ...phase, znode: completed, nodes: [...brokerNodes, ...ctlNodes] },
    } as unknown as ClusterState;
    const plan = scopePlan(buildPlan(inv, state), fullScope(inv));
    expect(plan.migration?.phase).toBe('rollback-zookeeper');
    // No controller is started, installed or written again.
    expect(plan.kafka.map((x) => x.id).sort()).toEqual([101, 102, 103]);
    expect(plan.files.filter((f) => f.host.startsWith('c'))).toEqual([]);
    expect(plan.deprovision?.controllers.map((c) => [c.id, c.running, c.moves.length])).toEqual([[1, false, 0], [2, true, 1], [3, true, 1]]);
    const stamp = '20261201T110045Z';
    expect(new Date(now * 1000).toISOString()).toBe('2026-12-01T11:00:45.000Z');
    expect(plan.deprovision?.controllers[1]!.moves).toEqual([{ from: inv.controllers[1]!.logDirs[0], to: `${inv.controllers[1]!.logDirs[0]}.zkafka-rollback-${stamp}` }]);
    const step = plan.kafka.find((x) => x.id === 101)!;
    expect(step.moveAside).toEqual([{ from: `${inv.brokers[0]!.logDirs[0]}/__cluster_metadata-0`, to: `${inv.brokers[0]!.logDirs[0]}.zkafka-rollback-${stamp}/__cluster_metadata-0` }]);
    expect(step.reason).toMatch(/^migration rollback: .*metadata log \(__cluster_metadata-0\) moved aside$/);
    // The controllers' role is not walked (nor checked) once they are taken away.
    const { rolesFor } = await import('../../src/commands/orchestrate.js');
    expect(rolesFor(state).map((r) => r.nodes(inv).map((n) => n.id))).toEqual([[1, 2, 3].map((i) => inv.members[i - 1]!.id), [101, 102, 103]]);
  });
});
