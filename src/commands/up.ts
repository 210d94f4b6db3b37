// `zkafka up`: preflight, plan, then install, push configs, and let the orchestrator start or roll each
// role's nodes (ZooKeeper members in myid order, then brokers in id order), checking every step. A failed step stops the run with the
// host, the step, what was expected and what was seen, and the tail of that service's log.
// Nothing is rolled back; a re-run continues where it stopped, because the plan is rebuilt from state.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { Inventory } from '../inventory/model.js';
import type { Output } from '../ui/output.js';
import { UserError, ExitCode } from '../errors.js';
import { makeDirs, sha256 as remoteSha256, unpack, writeFiles } from '../services/remote.js';
import { buildPlan, planChanges, type FinalizeStep, type InstallStep, type Plan } from './plan.js';
import { KraftClient } from './kraft.js';
import { waitFor } from './wait.js';
import { allPreflightProblems, assertPreflight } from './preflight.js';
import { localTarball } from './sources.js';
import { hostDirs, readClusterState, type ClusterState } from './state.js';
import { withSession, type Session } from './session.js';
import { printPlan, planJson } from './plan-view.js';
import { acquireLock } from './lock.js';
import { fullScope, runScope, scopePlan, type Scope, type ScopeOptions } from './scope.js';
import type { StartAttempt } from './start-retry.js';
import { runRoles } from './orchestrate.js';
import { deprovisionControllers, waitMigrationCompleted } from './roles/migration.js';
import { isRollback, parsePhaseOption, phaseRequestProblem } from '../services/migration.js';
import { isMigration } from '../inventory/model.js';
import { kafka } from '../services/kafka.js';
import type { ApplyOptions, RunContext } from './roles/role.js';

export type { ApplyOptions, RunContext } from './roles/role.js';

// ---- install ---------------------------------------------------------------------------------------

const localShaCache = new Map<string, Promise<string>>();
function localSha256(path: string): Promise<string> {
  let p = localShaCache.get(path);
  if (!p) {
    p = new Promise((resolve, reject) => {
      const h = createHash('sha256');
      createReadStream(path).on('data', (d) => h.update(d)).on('error', reject).on('end', () => resolve(h.digest('hex')));
    });
    localShaCache.set(path, p);
  }
  return p;
}

async function install(s: Session, step: InstallStep): Promise<void> {
  const local = await localTarball(step.source!);
  const want = await localSha256(local);
  const remote = step.remoteTarball!;
  const have = (await s.exec(step.host, remoteSha256(remote))).stdout.trim();
  if (have !== want) {
    await s.run(step.host, `creating ${remote}`, makeDirs([remote.slice(0, remote.lastIndexOf('/'))]));
    await s.transport(step.host).upload(local, `${remote}.part`);
    const got = (await s.exec(step.host, remoteSha256(`${remote}.part`))).stdout.trim();
    if (got !== want) throw new UserError(`${step.host}: uploaded ${basename(local)} is corrupt (sha256 ${got || 'unreadable'}, expected ${want})`);
    await s.run(step.host, `keeping ${remote}`, { argv: ['mv', '-f', `${remote}.part`, remote] });
  }
  await s.run(step.host, `unpacking ${basename(local)} into ${step.home}`, unpack(remote, step.home));
}

// ---- the command -----------------------------------------------------------------------------------

export interface UpResult {
  changed: boolean;
  installed: string[];
  files: string[];
  /** KRaft nodes whose storage was formatted (kafka-storage.sh format). */
  formatted: string[];
  services: string[];
  alreadyRunning: string[];
  /** Hosts the run did not touch, and why. */
  leftOut: Array<{ host: string; reason: string }>;
  /** Start attempts that failed (retried or not). */
  startAttempts: StartAttempt[];
  seconds: number;
  stats: { connections: number; commands: number; hosts: number };
}

export interface UpOptions extends ApplyOptions, ScopeOptions {
  breakLock?: boolean;
  /** Stop after the current phase of a version change; the next `up` carries out the next one. */
  onePhase?: boolean;
  /** A migration phase (letter or name): refused unless the hosts are in it. */
  phase?: string;
  /** A ZooKeeper → KRaft migration before phase d: go back to ZooKeeper mode (Kafka's documented revert). */
  rollback?: boolean;
}

/** Reads the state (with the preflight's extra facts) and checks it: the start of `up`, `plan` and `restart`. */
export async function preflight(s: Session, inv: Inventory, out: Output, scope: Scope = fullScope(inv), rollback = false): Promise<ClusterState> {
  return out.step(`preflight on ${scope.hosts.size} host(s)`, async () => {
    const st = await readClusterState(s, inv, { java: true, ports: true, dirs: true, rollback });
    const plan = scopePlan(buildPlan(inv, st), scope);
    assertPreflight(await allPreflightProblems(s, inv, st, plan, scope));
    return st;
  });
}

export async function withLock<T>(s: Session, command: string, opts: { breakLock?: boolean }, fn: () => Promise<T>): Promise<T> {
  const lock = await acquireLock(s, command, opts);
  // Interrupted (Ctrl-C, a CI job cancelled): give the lock back before going, so nobody has to break it.
  const interrupted = (signal: NodeJS.Signals) => {
    s.out.error(`interrupted by ${signal}: releasing the run lock; services may be half way through a step, run up again`);
    void lock.release().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    return await fn();
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await lock.release();
  }
}

/**
 * The shape of every run that changes the cluster (`up`, `restart`): connect, lock, preflight, build the
 * plan from the state, show it, carry it out, report.
 */
export async function runPlan(inv: Inventory, out: Output, command: string, opts: UpOptions, makePlan: (state: ClusterState, scope: Scope) => Plan): Promise<number> {
  const started = Date.now();
  return withSession(inv, out, async (s) => {
    const scope = runScope(inv, s.unreachable, opts, command === 'restart' ? 'restart' : 'up');
    return withLock(s, command, opts, async () => {
      if (opts.rollback && !isMigration(inv)) throw new UserError('--rollback: the inventory describes no ZooKeeper → KRaft migration (kafka.mode: kraft with ZooKeeper members, Kafka 3.9.x); a version change is rolled back by putting the old version back in the inventory', ExitCode.usage);
      let state = await preflight(s, inv, out, scope, !!opts.rollback);
      if (opts.phase) {
        const asked = parsePhaseOption(opts.phase);
        if (!state.migration || !asked) throw new UserError(`--phase ${opts.phase}: the inventory describes no ZooKeeper → KRaft migration (kafka.mode: kraft with ZooKeeper members, Kafka 3.9.x)`, ExitCode.usage);
        const why = phaseRequestProblem(asked, state.migration);
        if (why) throw new UserError(`up --phase ${opts.phase} refused: ${why}`, ExitCode.failed);
      }
      let plan = scopePlan(makePlan(state, scope), scope);
      printLeftOut(out, scope);
      assertWholeDeprovision(plan, scope);
      printPlan(plan, out, { diffs: false });
      const ctx: RunContext = { scope, attempts: [] };
      const done: Plan[] = [];
      for (;;) {
        await applyPlan(s, inv, state, plan, out, opts, ctx);
        done.push(plan);
        if (plan.migration && !isRollback(plan.migration.phase)) {
          // A migration goes one phase per up (README "Migrating from ZooKeeper"): phase b ends once
          // the controller has migrated the metadata; the next up reads the hosts and goes on.
          if (plan.migration.phase === 'brokers') await waitMigrationCompleted(s, inv, out);
          if (plan.next?.migration) out.info(`migration phase done; next: ${plan.next.phase}: run up again`);
          break;
        }
        if (!plan.next) break;
        if (opts.onePhase) {
          out.info(`stopping after this phase (--one-phase); next: ${plan.next.phase ?? 'the rest of the plan'}: run up again`);
          break;
        }
        // The next phase (a version change's second roll) is planned again from what now runs: the
        // hosts, not this run, say that the first phase is complete.
        state = await preflight(s, inv, out, scope, !!opts.rollback);
        plan = scopePlan(makePlan(state, scope), scope);
        assertWholeDeprovision(plan, scope);
        if (done.length > 3) throw new Error(`the plan did not converge after ${done.length} phases: ${plan.phase ?? 'no phase'}`);
        printPlan(plan, out, { diffs: false });
      }
      if (state.migration && isRollback(state.migration.phase)) {
        out.info(
          'rolled back to ZooKeeper mode: the brokers run in ZooKeeper mode and the controllers are stopped, their storage moved aside (*.zkafka-rollback-*). To stay there, set kafka.mode: zookeeper and remove the controller hosts from the inventory; a plain zkafka up with this inventory starts the migration again at phase a',
        );
      }
      reportRun(out, command, done, started, s, ctx);
      return ExitCode.ok;
    });
  });
}

/** A rollback takes the whole controller quorum away, or nothing: a controller left running would still claim ZooKeeper's /controller. */
function assertWholeDeprovision(plan: Plan, scope: Scope): void {
  const out = [plan, plan.next].flatMap((p) => p?.deprovision?.controllers ?? []).filter((c) => !scope.hosts.has(c.host));
  if (out.length) throw new UserError(`up --rollback: deprovisioning the controllers needs every controller host, and ${[...new Set(out.map((c) => c.host))].join(', ')} is left out (--hosts, --skip-unreachable); nothing was changed`, ExitCode.failed);
}

export function printLeftOut(out: Output, scope: Scope): void {
  for (const l of scope.leftOut) {
    out.warn(`left out: ${l.host}: ${l.reason}; nothing on it is touched${l.reason.startsWith('unreachable') ? ' and its services count as down' : ''}`);
  }
}

export function upCommand(inv: Inventory, out: Output, opts: UpOptions = {}): Promise<number> {
  return runPlan(inv, out, 'up', opts, (state) => buildPlan(inv, state));
}

export function reportRun(out: Output, command: string, plans: Plan[], started: number, s: Session, ctx: RunContext): void {
  const all = <T>(f: (p: Plan) => T[]) => plans.flatMap(f);
  const result: UpResult = {
    changed: plans.some((p) => planChanges({ ...p, next: undefined }) > 0),
    installed: all((p) => p.installs.map((i) => `${i.service} on ${i.host}`)),
    files: all((p) => p.files.map((f) => `${f.host}:${f.path}`)),
    formatted: all((p) => (p.formats ?? []).map((f) => `kafka ${f.id} on ${f.host}`)),
    services: all((p) => [...[...p.zookeeper, ...p.kafka].map((x) => `${x.action} ${x.service} ${x.id} on ${x.host}`), ...(p.finalize ? [`finalize metadata.version ${p.finalize.level} through kafka ${p.finalize.id} on ${p.finalize.host}`] : [])]),
    alreadyRunning: plans[0]!.unchanged.map((u) => `${u.service} ${u.id} on ${u.host}`),
    leftOut: ctx.scope.leftOut,
    startAttempts: ctx.attempts,
    seconds: (Date.now() - started) / 1000,
    stats: s.stats(),
  };
  out.result({ ok: true, plan: planJson(plans[0]!), ...(plans.length > 1 ? { phases: plans.map((p) => p.phase ?? null) } : {}), ...result });
  out.print(
    `${command}: ${result.changed ? `${result.installed.length} installed, ${result.files.length} file(s) written, ${result.formatted.length ? `${result.formatted.length} node(s) formatted, ` : ''}${result.services.length} service(s) started or restarted` : 'nothing to do'}` +
      `${plans.length > 1 ? ` in ${plans.length} phases` : ''}` +
      `${result.alreadyRunning.length ? `, ${result.alreadyRunning.length} unchanged` : ''}` +
      `${result.startAttempts.length ? `, ${result.startAttempts.length} failed start attempt(s) retried` : ''}` +
      `${result.leftOut.length ? `, ${result.leftOut.length} host(s) left out (${result.leftOut.map((l) => l.host).join(', ')})` : ''} in ${result.seconds.toFixed(1)}s`,
  );
}

export async function applyPlan(s: Session, inv: Inventory, state: ClusterState, plan: Plan, out: Output, opts: ApplyOptions = {}, ctx: RunContext = { scope: fullScope(inv), attempts: [] }): Promise<void> {
  if (plan.installs.length) {
    await out.step(`install ${plan.installs.map((i) => `${i.service} on ${i.host}`).join(', ')}`, () => Promise.all(plan.installs.map((i) => install(s, i))).then(() => undefined));
  }
  const hostsWithFiles = [...new Set([...plan.files.map((f) => f.host), ...(plan.formats ?? []).map((f) => f.host), ...plan.zookeeper.map((z) => z.host), ...plan.kafka.map((k) => k.host)])];
  if (hostsWithFiles.length) {
    await out.step(`configure ${hostsWithFiles.length} host(s)`, async () => {
      await Promise.all(
        hostsWithFiles.map(async (h) => {
          const host = inv.hosts.find((x) => x.name === h)!;
          const dirs = hostDirs(host);
          if (dirs.length) await s.run(h, 'creating data and log directories', makeDirs(dirs));
          const files = plan.files.filter((f) => f.host === h);
          if (files.length) await s.run(h, 'writing config files', writeFiles(files));
        }),
      );
    });
  }
  if (plan.formats?.length) {
    const fs = plan.formats;
    const voters = fs[0]!.initialControllers;
    await out.step(`format KRaft storage of ${fs.length} node(s) (cluster id ${fs[0]!.clusterId}${fs[0]!.clusterIdSource === 'new' ? ', generated' : ''})${voters ? `, dynamic quorum of controllers ${voters.map((v) => v.id).join(',')}` : ''}`, () =>
      Promise.all(
        fs.map(async (f) => {
          const host = inv.hosts.find((x) => x.name === f.host)!;
          await s.run(f.host, `formatting ${f.dirs.join(',')}`, kafka.format(host.kafka!, f.clusterId, host.javaHome, f.initialControllers));
        }),
      ).then(() => undefined),
    );
  }
  if (plan.deprovision) await deprovisionControllers(s, inv, state, plan.deprovision, out);
  await runRoles(s, inv, state, plan, out, opts, ctx);
  if (plan.finalize) await finalizeMetadata(s, inv, plan.finalize, out);
}

/** KRaft: finalize metadata.version (the last step of a version change), then see it finalized. */
async function finalizeMetadata(s: Session, inv: Inventory, step: FinalizeStep, out: Output): Promise<void> {
  const level = step.level!;
  await out.step(`finalize metadata.version ${step.from} → ${level} through controller ${step.id} on ${step.host}`, async () => {
    const c = inv.controllers.find((x) => x.id === step.id)!;
    const host = inv.hosts.find((h) => h.name === c.host)!;
    const r = await s.exec(c.host, kafka.finalizeMetadata(c, level, host.javaHome));
    if (r.code !== 0) throw new UserError(`${c.host}: kafka-features.sh upgrade --feature metadata.version=${level} failed (exit ${r.code})`, ExitCode.failed, (r.stdout + r.stderr).trim().split('\n').slice(-5));
    const k = new KraftClient(s, inv);
    try {
      const seen = await waitFor(async () => {
        const mv = await k.metadataVersion([{ node: c, version: step.version }]);
        return mv && mv.finalized >= level ? true : undefined;
      }, { timeoutMs: 30_000 });
      if (!seen.ok) throw new UserError(`${c.host}: metadata.version is not finalized at ${level} 30s after kafka-features.sh said so`, ExitCode.failed);
    } finally {
      await k.close();
    }
  });
}
