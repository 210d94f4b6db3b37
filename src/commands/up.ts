// `zkafka up`: preflight, plan, then install, push configs, start ZooKeeper members one by one in myid
// order and brokers one by one in id order, checking every step. A failed step stops the run with the
// host, the step, what was expected and what was seen, and the tail of that service's log.
// Nothing is rolled back; a re-run continues where it stopped, because the plan is rebuilt from state.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { hostPort, type Broker, type Inventory, type ZookeeperMember } from '../inventory/model.js';
import type { Output } from '../ui/output.js';
import { UserError, ExitCode } from '../errors.js';
import { zookeeper } from '../services/zookeeper.js';
import { describePartition, kafka, partitionHealth, type PartitionState } from '../services/kafka.js';
import { logTail, makeDirs, sha256 as remoteSha256, terminate, unpack, writeFiles } from '../services/remote.js';
import { buildPlan, planChanges, type InstallStep, type Plan, type ServiceStep } from './plan.js';
import { allPreflightProblems, assertPreflight } from './preflight.js';
import { localTarball } from './sources.js';
import { hostDirs, memberMode, readClusterState, Registry, SERVING, serviceProcess, servicePid, type ClusterState } from './state.js';
import { withSession, type Session } from './session.js';
import { waitFor } from './wait.js';
import { printPlan, planJson } from './plan-view.js';
import { acquireLock } from './lock.js';
import { fullScope, runScope, scopePlan, type Scope, type ScopeOptions } from './scope.js';
import { guardStop } from './roll-guard.js';
import { StartExited, startWithRetries, type StartAttempt } from './start-retry.js';

/** How long one service may take to come up or go down. */
const SERVICE_TIMEOUT_MS = Number(process.env.ZKAFKA_SERVICE_TIMEOUT ?? 90) * 1000;

class StepFailure extends UserError {}

/** What one run carries through its steps: the hosts it may touch, and the start attempts that failed. */
export interface RunContext {
  scope: Scope;
  attempts: StartAttempt[];
}

async function failWithLog(s: Session, host: string, step: string, expected: string, seen: string, log: { dir: string; patterns: string[] }, exited = false): Promise<never> {
  let tail: string[] = [];
  try {
    const r = await s.exec(host, logTail(log.dir, log.patterns, 20));
    tail = r.stdout.trimEnd().split('\n');
  } catch {
    tail = ['(could not read the log)'];
  }
  const Failure = exited ? StartExited : StepFailure;
  throw new Failure(`${host}: ${step}: expected ${expected}, saw ${seen}`, ExitCode.failed, [`last lines of the log on ${host}:`, ...tail]);
}

const zkLog = (m: ZookeeperMember) => ({ dir: m.logDir, patterns: ['*.out', '*.log'] });
const kafkaLog = (b: Broker) => ({ dir: b.logDir, patterns: ['server.log', 'kafkaServer.out'] });
// The start scripts truncate these on every start: they hold exactly the last attempt.
const zkConsole = (m: ZookeeperMember) => ({ dir: m.logDir, patterns: ['*.out'] });
const kafkaConsole = (b: Broker) => ({ dir: b.logDir, patterns: ['kafkaServer.out'] });

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

// ---- ZooKeeper -------------------------------------------------------------------------------------

export async function stopMember(s: Session, inv: Inventory, m: ZookeeperMember, pid: number): Promise<void> {
  await s.exec(m.host, terminate(pid));
  const gone = await waitFor(async () => ((await servicePid(s, inv, m.host, 'zookeeper')) === undefined ? true : undefined), { timeoutMs: SERVICE_TIMEOUT_MS });
  if (!gone.ok) await failWithLog(s, m.host, `stopping ZooKeeper member ${m.id}`, `process ${pid} to exit`, 'it still running', zkLog(m));
}

async function startMember(s: Session, inv: Inventory, m: ZookeeperMember): Promise<number> {
  const host = inv.hosts.find((h) => h.name === m.host)!;
  const r = await s.exec(m.host, zookeeper.start(m, host.javaHome));
  const pid = await waitFor(() => servicePid(s, inv, m.host, 'zookeeper'), { timeoutMs: r.code === 0 ? 15_000 : 0 });
  if (!pid.ok) {
    await failWithLog(s, m.host, `starting ZooKeeper member ${m.id}`, 'a running QuorumPeerMain process', `zkServer.sh exit ${r.code}: ${(r.stdout + r.stderr).trim().split('\n').slice(-2).join(' / ') || 'no output'} and no process`, zkLog(m), true);
  }
  return (pid as { value: number }).value;
}

/** Waits until `members` (all running) include a leader and every one of them serves. */
async function waitForEnsemble(s: Session, inv: Inventory, members: ZookeeperMember[], last: ZookeeperMember, what: 'leader' | 'all'): Promise<void> {
  let modes: string[] = [];
  const result = await waitFor(
    async () => {
      const seen = await Promise.all(members.map(async (m) => ({ m, mode: await memberMode(s, m) })));
      modes = seen.map((x) => `member ${x.m.id} ${x.mode}`);
      const dead = await Promise.all(seen.filter((x) => x.mode === 'not serving').map(async (x) => ((await servicePid(s, inv, x.m.host, 'zookeeper')) === undefined ? x.m : undefined)));
      const died = dead.find((d) => d);
      if (died) await failWithLog(s, died.host, `ZooKeeper member ${died.id}`, 'its process to stay up', 'it exited', zkLog(died));
      const hasLeader = seen.some((x) => x.mode === 'leader' || x.mode === 'standalone');
      if (what === 'leader') return hasLeader ? true : undefined;
      return hasLeader && seen.every((x) => SERVING.includes(x.mode)) ? true : undefined;
    },
    { timeoutMs: SERVICE_TIMEOUT_MS },
  );
  if (!result.ok) {
    await failWithLog(s, last.host, what === 'leader' ? 'electing a ZooKeeper leader' : 'forming the ZooKeeper ensemble', what === 'leader' ? 'one leader among the started members' : 'every member leader or follower', modes.join(', ') || 'no answer', zkLog(last));
  }
}

async function runZookeeper(s: Session, inv: Inventory, state: ClusterState, steps: ServiceStep[], out: Output, ctx: RunContext): Promise<void> {
  const running = new Set(state.members.filter((m) => m.pid !== undefined).map((m) => m.member.id));
  const majority = Math.floor(inv.members.length / 2) + 1;
  for (const step of steps) {
    const m = inv.members.find((x) => x.id === step.id)!;
    const label = `ZooKeeper member ${m.id}`;
    await out.step(`${step.action} ZooKeeper member ${m.id} on ${m.host} (${step.reason})`, async () => {
      if (step.action === 'restart') {
        // Never a second member down: every other one must serve before this one stops.
        await guardStop(s, inv, out, { service: 'zookeeper', id: m.id, host: m.host, label }, undefined, SERVICE_TIMEOUT_MS);
        await stopMember(s, inv, m, state.members.find((x) => x.member.id === m.id)!.pid!);
      }
      await startWithRetries(s, out, { host: m.host, service: 'zookeeper', id: m.id, label, consoleLog: zkConsole(m) }, ctx.attempts, async () => {
        await startMember(s, inv, m);
      });
      running.add(m.id);
      const started = inv.members.filter((x) => running.has(x.id));
      // A restarted member must be back (leader or follower) before the next one goes. So must a member
      // started beside an ensemble that already had its majority (one that was down, or one joining):
      // were the roll to go on while it still looks for a leader, it and the next restarted member would
      // vote for each other, two against two in a grown ensemble, and no leader would ever win.
      if (step.action === 'restart' || started.length > majority) await waitForEnsemble(s, inv, started, m, 'all');
      else if (started.length === majority) await waitForEnsemble(s, inv, started, m, 'leader');
    });
  }
  // With nothing started, the state read moments ago already answers the final check. Members left out
  // of the run count as down: the others must serve (a serving member is part of a quorum).
  const mine = inv.members.filter((m) => ctx.scope.hosts.has(m.host));
  const mineState = state.members.filter((m) => ctx.scope.hosts.has(m.member.host));
  const healthy = !steps.length && mineState.every((m) => SERVING.includes(m.mode)) && state.members.some((m) => m.mode === 'leader' || m.mode === 'standalone');
  if (mine.length && !healthy) {
    const title = mine.length === inv.members.length ? `ZooKeeper ensemble of ${inv.members.length}: every member leader or follower` : `ZooKeeper: ${mine.length} of ${inv.members.length} member(s) leader or follower (${inv.members.length - mine.length} left out)`;
    await out.step(title, () => waitForEnsemble(s, inv, mine, mine.at(-1)!, 'all'));
  }
}

// ---- Kafka -----------------------------------------------------------------------------------------

async function listenerAccepts(s: Session, b: Broker): Promise<boolean> {
  try {
    const conn = await s.transport(b.host).connect(b.address, b.port);
    conn.destroy();
    return true;
  } catch (e) {
    if (e instanceof UserError) throw e;
    return false;
  }
}

export async function stopBroker(s: Session, inv: Inventory, reg: Registry, b: Broker, pid: number): Promise<void> {
  await s.exec(b.host, terminate(pid));
  const gone = await waitFor(
    async () => {
      if ((await servicePid(s, inv, b.host, 'kafka')) !== undefined) return undefined;
      const r = await reg.read();
      return r && r.registered.has(b.id) ? undefined : true;
    },
    { timeoutMs: SERVICE_TIMEOUT_MS },
  );
  if (!gone.ok) await failWithLog(s, b.host, `stopping broker ${b.id}`, `process ${pid} to exit and /brokers/ids/${b.id} to go`, 'it still there', kafkaLog(b));
}

async function startBroker(s: Session, inv: Inventory, reg: Registry, b: Broker): Promise<void> {
  const host = inv.hosts.find((h) => h.name === b.host)!;
  const r = await s.exec(b.host, kafka.start(b, host.javaHome));
  if (r.code !== 0) {
    await failWithLog(s, b.host, `starting broker ${b.id}`, 'kafka-server-start.sh to exit 0', `exit ${r.code}: ${(r.stdout + r.stderr).trim().split('\n').slice(-2).join(' / ')}`, kafkaLog(b));
  }
  const expected = kafka.endpoint(b);
  let seen = 'no kafka.Kafka process yet';
  let hadProcess = false;
  const since = Date.now();
  const ok = await waitFor(
    async () => {
      const proc = await serviceProcess(s, inv, b.host, 'kafka');
      if (proc === undefined) {
        // The start script forks the JVM before it returns: a process that vanished, or is not there
        // within a few seconds, has crashed.
        if (hadProcess || Date.now() - since > 3_000) {
          await failWithLog(s, b.host, `starting broker ${b.id}`, `a running kafka.Kafka process registered as ${expected}`, hadProcess ? 'the process exited' : 'no process', kafkaLog(b), true);
        }
        return undefined;
      }
      const pid = proc.pid;
      hadProcess = true;
      const regs = await reg.read();
      const eps = regs?.registered.get(b.id);
      if (!eps) {
        seen = `process ${pid} running, /brokers/ids/${b.id} not registered yet`;
        return undefined;
      }
      // A node this process did not write (an earlier session's, another broker's with this id) is no
      // success: this broker is about to fail with NodeExistsException. Both times come from the broker
      // host's clock, with slack for ps's whole-second elapsed time.
      const at = regs?.since.get(b.id);
      if (at !== undefined && at < (proc.startedAt - 2) * 1000) {
        seen = `/brokers/ids/${b.id} registered at ${new Date(at).toISOString()}, before process ${pid} started (another session's)`;
        return undefined;
      }
      if (!eps.includes(expected)) {
        seen = `/brokers/ids/${b.id} registered with ${eps.join(',') || 'no endpoints'}`;
        return undefined;
      }
      if (!(await listenerAccepts(s, b))) {
        // The listener is checked where it binds (address:port), which an advertised endpoint may not be.
        seen = `registered, but the listener on ${hostPort(b.address, b.port)} refuses connections`;
        return undefined;
      }
      return true;
    },
    { timeoutMs: SERVICE_TIMEOUT_MS },
  );
  if (!ok.ok) await failWithLog(s, b.host, `starting broker ${b.id}`, `registration as ${expected} under /brokers/ids/${b.id} and a listener accepting connections`, seen, kafkaLog(b));
}

/** How long a roll waits for every partition to be fully replicated before it stops the next broker. */
export const IN_SYNC_TIMEOUT_MS = Number(process.env.ZKAFKA_IN_SYNC_TIMEOUT ?? 300) * 1000;

/**
 * The in-sync gate of a rolling restart: a broker may go down only when no partition is under-replicated,
 * or its partitions could lose their last in-sync replica. Read from ZooKeeper (replicas and ISR as the
 * controller keeps them), so no JVM starts per poll and every ZooKeeper-mode version reads the same.
 */
async function waitInSync(reg: Registry, what: string, timeoutMs: number, out: Output): Promise<void> {
  let short: PartitionState[] = [];
  let seen = 'no answer from ZooKeeper';
  let told = false;
  const since = Date.now();
  const ok = await waitFor(
    async () => {
      const r = await reg.read({ partitions: true });
      if (!r?.partitions) {
        seen = 'no ZooKeeper member serving';
        return undefined;
      }
      short = partitionHealth(r.partitions, new Set(r.registered.keys())).underReplicated;
      seen = `${short.length} partition(s) under-replicated`;
      if (!short.length) return true;
      if (!told && Date.now() - since > 2000) {
        told = true;
        out.info(`waiting ${what}: ${short.length} partition(s) under-replicated: ${short.slice(0, 5).map(describePartition).join('; ')}${short.length > 5 ? '; ...' : ''}`);
      }
      return undefined;
    },
    { timeoutMs, firstDelayMs: 200, maxDelayMs: 1000 },
  );
  if (!ok.ok) {
    const names = short.slice(0, 20).map(describePartition);
    if (short.length > 20) names.push(`... and ${short.length - 20} more`);
    throw new StepFailure(`kafka: ${what}: expected every partition in sync within ${timeoutMs / 1000}s, saw ${seen}`, ExitCode.failed, short.length ? ['partitions still short of replicas:', ...names] : []);
  }
}

async function runKafka(s: Session, inv: Inventory, state: ClusterState, steps: ServiceStep[], out: Output, opts: ApplyOptions, ctx: RunContext): Promise<void> {
  const mine = inv.brokers.filter((b) => ctx.scope.hosts.has(b.host));
  if (!mine.length) return;
  if (!steps.length && state.controller !== null && state.brokers.filter((b) => ctx.scope.hosts.has(b.broker.host)).every((b) => b.registered && b.endpoints?.includes(kafka.endpoint(b.broker)))) return;
  const inSyncTimeoutMs = opts.inSyncTimeoutMs ?? IN_SYNC_TIMEOUT_MS;
  const reg = new Registry(s, inv);
  try {
    for (const step of steps) {
      const b = inv.brokers.find((x) => x.id === step.id)!;
      const label = `broker ${b.id}`;
      await out.step(`${step.action} Kafka broker ${b.id} on ${b.host} (${step.reason})`, async () => {
        if (step.action === 'restart') {
          await waitInSync(reg, `before stopping broker ${b.id}`, inSyncTimeoutMs, out);
          // The gate sees partitions; a broker that is gone (or lost with its host) may lead none.
          await guardStop(s, inv, out, { service: 'kafka', id: b.id, host: b.host, label }, reg, SERVICE_TIMEOUT_MS);
          await stopBroker(s, inv, reg, b, state.brokers.find((x) => x.broker.id === b.id)!.pid!);
        }
        await startWithRetries(s, out, { host: b.host, service: 'kafka', id: b.id, label, consoleLog: kafkaConsole(b) }, ctx.attempts, () => startBroker(s, inv, reg, b));
      });
    }
    // The roll is over when the last restarted broker has caught up too.
    if (steps.some((x) => x.action === 'restart')) {
      await out.step('Kafka: every partition fully replicated', () => waitInSync(reg, 'after the rolling restart', inSyncTimeoutMs, out));
    }
    const leftOut = inv.brokers.length - mine.length;
    await out.step(`Kafka: ${mine.length} broker(s) registered${leftOut ? ` (${leftOut} left out)` : ''} and a controller elected`, async () => {
      let seen = '';
      const ok = await waitFor(
        async () => {
          const r = await reg.read();
          const missing = mine.filter((b) => !r?.registered.has(b.id)).map((b) => b.id);
          seen = r ? `${missing.length ? `brokers ${missing.join(',')} not registered` : 'all registered'}, controller ${r.controller ?? 'none'}` : 'no ZooKeeper member serving';
          return r && !missing.length && r.controller !== null ? true : undefined;
        },
        { timeoutMs: SERVICE_TIMEOUT_MS },
      );
      if (!ok.ok) throw new StepFailure(`kafka: expected every broker registered and a controller, saw ${seen}`);
    });
  } finally {
    await reg.close();
  }
}

// ---- the command -----------------------------------------------------------------------------------

export interface UpResult {
  changed: boolean;
  installed: string[];
  files: string[];
  services: string[];
  alreadyRunning: string[];
  /** Hosts the run did not touch, and why. */
  leftOut: Array<{ host: string; reason: string }>;
  /** Start attempts that failed (retried or not). */
  startAttempts: StartAttempt[];
  seconds: number;
  stats: { connections: number; commands: number; hosts: number };
}

export interface ApplyOptions {
  /** How long a roll waits for under-replicated partitions before stopping a broker (default IN_SYNC_TIMEOUT_MS). */
  inSyncTimeoutMs?: number;
}

export interface UpOptions extends ApplyOptions, ScopeOptions {
  breakLock?: boolean;
}

/** Reads the state (with the preflight's extra facts) and checks it: the start of `up`, `plan` and `restart`. */
export async function preflight(s: Session, inv: Inventory, out: Output, scope: Scope = fullScope(inv)): Promise<ClusterState> {
  return out.step(`preflight on ${scope.hosts.size} host(s)`, async () => {
    const st = await readClusterState(s, inv, { java: true, ports: true, dirs: true });
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
      const state = await preflight(s, inv, out, scope);
      const plan = scopePlan(makePlan(state, scope), scope);
      printLeftOut(out, scope);
      printPlan(plan, out, { diffs: false });
      const ctx: RunContext = { scope, attempts: [] };
      await applyPlan(s, inv, state, plan, out, opts, ctx);
      reportRun(out, command, plan, started, s, ctx);
      return ExitCode.ok;
    });
  });
}

export function printLeftOut(out: Output, scope: Scope): void {
  for (const l of scope.leftOut) {
    out.warn(`left out: ${l.host}: ${l.reason}; nothing on it is touched${l.reason.startsWith('unreachable') ? ' and its services count as down' : ''}`);
  }
}

export function upCommand(inv: Inventory, out: Output, opts: UpOptions = {}): Promise<number> {
  return runPlan(inv, out, 'up', opts, (state) => buildPlan(inv, state));
}

export function reportRun(out: Output, command: string, plan: Plan, started: number, s: Session, ctx: RunContext): void {
  const result: UpResult = {
    changed: planChanges(plan) > 0,
    installed: plan.installs.map((i) => `${i.service} on ${i.host}`),
    files: plan.files.map((f) => `${f.host}:${f.path}`),
    services: [...plan.zookeeper, ...plan.kafka].map((x) => `${x.action} ${x.service} ${x.id} on ${x.host}`),
    alreadyRunning: plan.unchanged.map((u) => `${u.service} ${u.id} on ${u.host}`),
    leftOut: ctx.scope.leftOut,
    startAttempts: ctx.attempts,
    seconds: (Date.now() - started) / 1000,
    stats: s.stats(),
  };
  out.result({ ok: true, plan: planJson(plan), ...result });
  out.print(
    `${command}: ${result.changed ? `${result.installed.length} installed, ${result.files.length} file(s) written, ${result.services.length} service(s) started or restarted` : 'nothing to do'}` +
      `${result.alreadyRunning.length ? `, ${result.alreadyRunning.length} unchanged` : ''}` +
      `${result.startAttempts.length ? `, ${result.startAttempts.length} failed start attempt(s) retried` : ''}` +
      `${result.leftOut.length ? `, ${result.leftOut.length} host(s) left out (${result.leftOut.map((l) => l.host).join(', ')})` : ''} in ${result.seconds.toFixed(1)}s`,
  );
}

export async function applyPlan(s: Session, inv: Inventory, state: ClusterState, plan: Plan, out: Output, opts: ApplyOptions = {}, ctx: RunContext = { scope: fullScope(inv), attempts: [] }): Promise<void> {
  if (plan.installs.length) {
    await out.step(`install ${plan.installs.map((i) => `${i.service} on ${i.host}`).join(', ')}`, () => Promise.all(plan.installs.map((i) => install(s, i))).then(() => undefined));
  }
  const hostsWithFiles = [...new Set([...plan.files.map((f) => f.host), ...plan.zookeeper.map((z) => z.host), ...plan.kafka.map((k) => k.host)])];
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
  await runZookeeper(s, inv, state, plan.zookeeper, out, ctx);
  await runKafka(s, inv, state, plan.kafka, out, opts, ctx);
}
