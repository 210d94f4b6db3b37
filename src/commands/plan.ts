// The plan: what `up` will do, built as a value from the inventory and the hosts' current state before
// anything is touched. `zkafka plan` prints it; `zkafka up` prints and carries it out (one code path).
import { createHash } from 'node:crypto';
import { basename, dirname } from 'node:path';
import type { Host, Inventory } from '../inventory/model.js';
import type { RenderedFile, ServiceName } from '../render/files.js';
import { zookeeper } from '../services/zookeeper.js';
import { kafka } from '../services/kafka.js';
import type { ClusterState } from './state.js';
import { renderHost } from '../render/files.js';
import { IBP, type KafkaPhase } from '../services/kafka-upgrade.js';
import { compareVersions } from '../services/versions.js';
import type { FormatStep } from './kraft.js';
import { isRollback, METADATA_LOG_PARTITION, nextPhase, phaseTitle, type MigrationPhaseName, type NodeForm } from '../services/migration.js';

export type { FormatStep } from './kraft.js';

export interface InstallStep {
  host: string;
  service: ServiceName;
  home: string;
  /** Local path or URL of the distribution. */
  source?: string;
  /** Where the tarball is kept on the host (so a re-run can skip the upload). */
  remoteTarball?: string;
}

export interface FileStep {
  host: string;
  service: ServiceName;
  path: string;
  action: 'create' | 'update';
  content: string;
  mode: number;
}

export interface ServiceStep {
  host: string;
  service: ServiceName;
  id: number;
  action: 'start' | 'restart';
  reason: string;
  /** Moved aside after the stop, before the start (a migration rollback: the broker's copy of the metadata log). */
  moveAside?: Array<{ from: string; to: string }>;
}

/**
 * A migration rollback's step 2 before the brokers roll: every controller stopped and its formatted log
 * dirs moved aside (a later attempt formats afresh), then the KRaft controller's /controller claim and
 * /migration deleted from ZooKeeper, then a broker elected as the ZooKeeper-mode controller.
 */
export interface DeprovisionStep {
  controllers: Array<{ host: string; id: number; running: boolean; moves: Array<{ from: string; to: string }> }>;
}

export interface FinalizeStep {
  host: string;
  id: number;
  from: number;
  /** undefined in a preview: the level the new release supports, known once it runs. */
  level?: number;
  version: string;
}

export interface Plan {
  /** What this plan does when it is one phase of a version change (`upgrade Kafka 2.4.1 → 3.9.1: ...`). */
  phase?: string;
  installs: InstallStep[];
  files: FileStep[];
  /** In execution order: starts in id order, then restarts (followers/controller last). */
  zookeeper: ServiceStep[];
  kafka: ServiceStep[];
  /** KRaft: log dirs to format (kafka-storage.sh format) before the node's first start. */
  formats?: FormatStep[];
  /** KRaft, the last step of a version change: finalize metadata.version at `level` through controller `id`. */
  finalize?: FinalizeStep;
  /** Services that are running with the current config and stay as they are. */
  unchanged: Array<{ host: string; service: ServiceName; id: number }>;
  /** A ZooKeeper → KRaft migration: the phase this plan carries out (one per `up`), and what it then waits for. */
  migration?: { phase: MigrationPhaseName; waiting?: string };
  /** A migration rollback: the controllers to deprovision, before the brokers go back to ZooKeeper mode. */
  deprovision?: DeprovisionStep;
  /** The phase that follows once this one is done (shown by plan; up carries it out from a fresh read). */
  next?: Plan;
}

/** Orders steps by id, with `last` (the leader, the controller) at the end. */
export function lastOne(last: number | null | undefined) {
  return (a: { id: number }, b: { id: number }) => Number(a.id === last) - Number(b.id === last) || a.id - b.id;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function remoteTarballPath(home: string, source: string): string {
  return `${dirname(home)}/.zkafka-dist/${basename(source.replace(/[?#].*$/, ''))}`;
}

export function planChanges(p: Plan): number {
  return p.installs.length + p.files.length + (p.formats?.length ?? 0) + (p.finalize ? 1 : 0) + (p.deprovision ? 1 : 0) + p.zookeeper.length + p.kafka.length + (p.next ? planChanges(p.next) : 0);
}

function serviceHome(host: Host, service: ServiceName): { home: string; source?: string; exec: string } {
  if (service === 'zookeeper') {
    const m = host.zookeeper!;
    return { home: m.home, ...(m.source ? { source: m.source } : {}), exec: zookeeper.script(m) };
  }
  const b = host.kafka!;
  return { home: b.home, ...(b.source ? { source: b.source } : {}), exec: kafka.script(b) };
}

export function buildPlan(inv: Inventory, state: ClusterState): Plan {
  const plan: Plan = { installs: [], files: [], zookeeper: [], kafka: [], unchanged: [] };
  const changedServices = new Set<string>();
  const reasons = new Map<string, string[]>();
  const key = (host: string, service: ServiceName) => `${host}/${service}`;

  for (const host of inv.hosts) {
    const facts = state.facts.get(host.name);
    const rendered: RenderedFile[] = state.files.get(host.name) ?? [];
    for (const service of ['zookeeper', 'kafka'] as const) {
      if (!host[service]) continue;
      const { home, source, exec } = serviceHome(host, service);
      if (!facts?.executables.get(exec)) {
        plan.installs.push({ host: host.name, service, home, ...(source ? { source, remoteTarball: remoteTarballPath(home, source) } : {}) });
      }
    }
    for (const f of rendered) {
      const now = facts?.files.get(f.path);
      const running = facts?.procs.get(f.service)?.[0];
      const stale = running && now?.mtime != null && facts && now.mtime > facts.now - running.elapsed;
      if (now?.sha256 === sha256(f.content)) {
        // Written by an earlier run after the service started: the service still needs its restart.
        if (stale) {
          changedServices.add(key(host.name, f.service));
          reasons.set(key(host.name, f.service), [...(reasons.get(key(host.name, f.service)) ?? []), `${basename(f.path)} changed since it started`]);
        }
        continue;
      }
      plan.files.push({ host: host.name, service: f.service, path: f.path, action: now?.sha256 ? 'update' : 'create', content: f.content, mode: f.mode });
      if (now?.sha256) {
        changedServices.add(key(host.name, f.service));
        reasons.set(key(host.name, f.service), [...(reasons.get(key(host.name, f.service)) ?? []), `${basename(f.path)} changed`]);
      }
    }
  }

  const steps = (service: ServiceName, running: Array<{ host: string; id: number; pid?: number; move?: string }>, last: number | null | undefined) => {
    const starts: ServiceStep[] = [];
    const restarts: ServiceStep[] = [];
    for (const x of running) {
      const k = key(x.host, service);
      if (x.pid === undefined) starts.push({ host: x.host, service, id: x.id, action: 'start', reason: 'not running' });
      else if (x.move) restarts.push({ host: x.host, service, id: x.id, action: 'restart', reason: x.move });
      else if (changedServices.has(k)) restarts.push({ host: x.host, service, id: x.id, action: 'restart', reason: migrationReason(state, service, x.id) ?? phaseReason(state.kafkaPhase, service) ?? reasons.get(k)!.join(', ') });
      else plan.unchanged.push({ host: x.host, service, id: x.id });
    }
    return [...starts, ...restarts.sort(lastOne(last))];
  };
  // Rolling restarts: followers first and the leader last, so the ensemble keeps its quorum; the
  // controller last, so the cluster moves its controller once.
  const zkMove = (m: ClusterState['members'][number]) =>
    m.runningHome && `${m.version && m.version !== m.member.version ? `${compareVersions(m.member.version, m.version) > 0 ? 'upgrade' : 'downgrade'} ${m.version} → ${m.member.version}` : 'move'} onto ${m.member.home}; data stays in ${m.member.dataDir}`;
  const kafkaMove = (b: ClusterState['brokers'][number]) => {
    if (!b.runningHome) return undefined;
    const ph = state.kafkaPhase;
    const what = ph.kind === 'binaries' ? `upgrade ${b.version ?? ''} → ${ph.to}`.replace('  ', ' ') : ph.kind === 'rollback' ? `rollback ${b.version ?? ph.from} → ${ph.to}` : `move`;
    const pin = ph.kind === 'binaries' && ph.pin.ibp ? `, ${IBP} pinned at ${ph.pin.ibp}` : '';
    return `${what} onto ${b.broker.home}${pin}; logs stay in ${b.broker.logDirs.join(',')}`;
  };
  // Rolling restarts: followers first and the leader last, so the ensemble keeps its quorum; the
  // controller last, so the cluster moves its controller once.
  plan.zookeeper = steps('zookeeper', state.members.map((m) => ({ host: m.member.host, id: m.member.id, pid: m.pid, move: zkMove(m) || undefined })), state.members.find((m) => m.mode === 'leader')?.member.id);
  plan.kafka = steps('kafka', state.brokers.map((b) => ({ host: b.broker.host, id: b.broker.id, pid: b.pid, move: kafkaMove(b) })), state.controller);
  const formats = state.kraft?.storage?.formats ?? [];
  if (formats.length) plan.formats = formats;
  const ph = state.kafkaPhase;
  const controller = inv.controllers.find((c) => c.id === state.controller) ?? inv.controllers[0];
  const mig = state.migration;
  if (mig) {
    plan.migration = { phase: mig.phase, ...(mig.waiting ? { waiting: mig.waiting } : {}) };
    plan.phase = phaseTitle(mig.phase) + (mig.waiting ? `; every broker is rolled, up waits for ${mig.waiting}` : mig.phase === 'brokers' ? '; then up waits for the metadata migration to complete' : '');
    // Once done, an ensemble taken down (down --service zookeeper) stays down: nothing needs it.
    if (mig.phase === 'done') plan.zookeeper = plan.zookeeper.filter((x) => x.action !== 'start');
    if (mig.phase === 'rollback-zookeeper' || mig.phase === 'rolled-back') withoutControllers(inv, state, plan);
    const next = nextPhase(mig.phase);
    if (next) plan.next = migrationNextPlan(inv, state, next);
  } else if (ph.kind === 'binaries' && inv.kafkaMode === 'kraft' && controller) {
    plan.phase = `Kafka ${ph.from} → ${ph.to} (KRaft), phase 1 of 2: every node onto ${ph.to}'s binaries, controllers first; metadata.version stays as finalized`;
    plan.next = {
      phase: `Kafka ${ph.from} → ${ph.to} (KRaft), phase 2 of 2 (once every node runs ${ph.to}): finalize metadata.version at the level ${ph.to} supports`,
      installs: [],
      files: [],
      zookeeper: [],
      kafka: [],
      unchanged: [],
      finalize: { host: controller.host, id: controller.id, from: -1, version: ph.to },
    };
  } else if (ph.kind === 'finalize' && controller) {
    plan.phase = `Kafka → ${ph.to} (KRaft), phase 2 of 2: finalize metadata.version ${ph.from} → ${ph.level} (every node runs ${ph.to})`;
    plan.finalize = { host: controller.host, id: controller.id, from: ph.from, level: ph.level, version: ph.to };
  } else if (ph.kind === 'binaries' && ph.pin.ibp) {
    plan.phase = `Kafka ${ph.from} → ${ph.to}, phase 1 of 2: every broker onto ${ph.to}'s binaries, ${IBP} pinned at ${ph.pin.ibp}`;
    plan.next = liftPinPlan(inv, state, ph);
  } else if (ph.kind === 'protocol') plan.phase = `Kafka → ${ph.to}, phase 2 of 2: lift ${IBP} ${ph.pin.ibp} (every broker runs ${ph.to})`;
  else if (ph.kind === 'rollback') plan.phase = `Kafka rollback ${ph.from} → ${ph.to}: brokers back onto ${ph.to}'s home (${inv.kafkaMode === 'kraft' ? 'metadata.version not yet finalized' : 'the protocol was still pinned'})`;
  return plan;
}

const FORM_NAME: Record<NodeForm, string> = { zookeeper: 'ZooKeeper mode', migration: 'migration mode', kraft: 'KRaft mode' };

/** Why a node restarts in a migration phase: the form it leaves and the form it gets. */
function migrationReason(state: ClusterState, service: ServiceName, id: number): string | undefined {
  const mig = state.migration;
  if (!mig || service !== 'kafka') return undefined;
  const n = mig.nodes.find((x) => x.id === id);
  if (!n) return undefined;
  const to = n.role === 'controller' ? mig.controllerForm : mig.brokerForm;
  const what = isRollback(mig.phase) ? 'migration rollback' : 'migration';
  return n.form && n.form !== to ? `${what}: ${FORM_NAME[n.form]} → ${FORM_NAME[to]}` : n.stale ? `${what}: ${FORM_NAME[to]}, written after it started` : undefined;
}

const rollbackStamp = (now: number | undefined) => new Date((now || Date.now() / 1000) * 1000).toISOString().replace(/[-:]/g, '').replace(/\..*$/, 'Z');

/** Where a rollback keeps a KRaft log dir (a controller's) or the metadata log of a broker's: beside the log dir, never in it (the broker would load it). */
export const rolledBackPath = (logDir: string, stamp: string, child?: string) => `${logDir}.zkafka-rollback-${stamp}${child ? `/${child}` : ''}`;

/**
 * A rollback's step 2 (and after it): the controllers are taken away, not started, installed, written
 * or formatted; the deprovision step stops them and moves their storage aside; each broker that restarts
 * into ZooKeeper mode has its copy of the metadata log moved aside before it starts.
 */
function withoutControllers(inv: Inventory, state: ClusterState, plan: Plan): void {
  const ctl = new Set(inv.controllers.map((c) => c.host));
  const ids = new Set(inv.controllers.map((c) => c.id));
  plan.kafka = plan.kafka.filter((x) => !ids.has(x.id));
  plan.installs = plan.installs.filter((x) => x.service !== 'kafka' || !ctl.has(x.host));
  plan.files = plan.files.filter((x) => x.service !== 'kafka' || !ctl.has(x.host));
  if (plan.formats) plan.formats = plan.formats.filter((x) => !ids.has(x.id));
  if (!plan.formats?.length) delete plan.formats;
  plan.unchanged = plan.unchanged.filter((x) => x.service !== 'kafka' || !ids.has(x.id));
  const nodes = state.migration!.nodes;
  const stamp = (host: string) => rollbackStamp(state.facts.get(host)?.now);
  if (state.migration!.phase === 'rollback-zookeeper') {
    plan.deprovision = {
      controllers: nodes.filter((n) => n.role === 'controller').map((n) => ({ host: n.host, id: n.id, running: n.running, moves: (n.kraftDirs ?? []).map((d) => ({ from: d, to: rolledBackPath(d, stamp(n.host)) })) })),
    };
  }
  for (const step of plan.kafka) {
    const dirs = nodes.find((n) => n.id === step.id)?.kraftDirs ?? [];
    if (!dirs.length) continue;
    step.moveAside = dirs.map((d) => ({ from: `${d}/${METADATA_LOG_PARTITION}`, to: rolledBackPath(d, stamp(step.host), METADATA_LOG_PARTITION) }));
    step.reason += `; its copy of the metadata log (${METADATA_LOG_PARTITION}) moved aside`;
  }
}

/** The next migration phase as it will be: the nodes whose form it changes, restarted. */
function migrationNextPlan(inv: Inventory, state: ClusterState, next: MigrationPhaseName): Plan {
  const plan: Plan = { phase: `${phaseTitle(next)} (the next zkafka up, once this phase is done)`, migration: { phase: next }, installs: [], files: [], zookeeper: [], kafka: [], unchanged: [] };
  const rolled = next === 'brokers' || next === 'kraft' || next === 'rollback-zookeeper' ? inv.brokers : next === 'finalize' ? inv.controllers : [];
  const to: NodeForm = next === 'brokers' ? 'migration' : next === 'rollback-zookeeper' ? 'zookeeper' : 'kraft';
  if (next === 'rollback-zookeeper') {
    // Run right after step 1, in the same up: every controller is then deprovisioned.
    plan.phase = phaseTitle(next);
    const stamp = rollbackStamp(undefined);
    plan.deprovision = { controllers: inv.controllers.map((c) => ({ host: c.host, id: c.id, running: true, moves: kafka.storageDirs(c).map((d) => ({ from: d, to: rolledBackPath(d, stamp) })) })) };
  }
  for (const b of rolled) {
    const h = inv.hosts.find((x) => x.name === b.host)!;
    for (const f of renderHost(inv, h, undefined, { kafka: { form: to } }).filter((x) => x.service === 'kafka')) plan.files.push({ host: f.host, service: f.service, path: f.path, action: 'update', content: f.content, mode: f.mode });
    plan.kafka.push({ host: b.host, service: 'kafka', id: b.id, action: 'restart', reason: `migration${next === 'rollback-zookeeper' ? ' rollback' : ''}: → ${FORM_NAME[to]}` });
  }
  plan.kafka.sort(lastOne(state.controller));
  return plan;
}

function phaseReason(ph: KafkaPhase, service: ServiceName): string | undefined {
  return service === 'kafka' && ph.kind === 'protocol' ? `lift ${IBP} ${ph.pin.ibp}: every broker runs ${ph.to}` : undefined;
}

/** Phase 2 as it will be once phase 1 is done: every broker's config without the pin, then a roll. */
function liftPinPlan(inv: Inventory, state: ClusterState, ph: Extract<KafkaPhase, { kind: 'binaries' }>): Plan {
  const files: FileStep[] = inv.hosts
    .filter((h) => h.kafka)
    .flatMap((h) => renderHost(inv, h).filter((f) => f.service === 'kafka'))
    .map((f) => ({ host: f.host, service: f.service, path: f.path, action: 'update' as const, content: f.content, mode: f.mode }));
  const kafka = inv.brokers
    .map((b) => ({ host: b.host, service: 'kafka' as const, id: b.id, action: 'restart' as const, reason: `lift ${IBP} ${ph.pin.ibp}: every broker runs ${ph.to}` }))
    .sort(lastOne(state.controller));
  return { phase: `Kafka ${ph.from} → ${ph.to}, phase 2 of 2 (once every broker runs ${ph.to}): lift ${IBP} ${ph.pin.ibp}`, installs: [], files, zookeeper: [], kafka, unchanged: [] };
}
