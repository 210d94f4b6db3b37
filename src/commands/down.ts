// `zkafka down`: brokers first (reverse id order, the controller last), each waited for until its
// process has exited and its registration is gone; then ZooKeeper members (reverse myid order, the
// leader last). Already stopped is fine. --purge also deletes data and log directories.
import { createInterface } from 'node:readline/promises';
import type { Inventory } from '../inventory/model.js';
import type { Output } from '../ui/output.js';
import { UserError, ExitCode } from '../errors.js';
import type { ServiceName } from '../render/files.js';
import { phaseTitle } from '../services/migration.js';
import { hostDirs, readClusterState, type ClusterState } from './state.js';
import { kafka } from '../services/kafka.js';
import { zookeeper } from '../services/zookeeper.js';
import { withSession, type Session } from './session.js';
import { printLeftOut, withLock } from './up.js';
import { stopRoles } from './orchestrate.js';
import { checkHostNames, runScope, type Scope, type ScopeOptions } from './scope.js';

export interface DownOptions extends ScopeOptions {
  purge?: boolean;
  yes?: boolean;
  breakLock?: boolean;
  /** Only this service's nodes (and with --purge only its directories). */
  service?: ServiceName;
}

/**
 * Why `down --service zookeeper` is refused: the ensemble still holds the cluster's metadata, or
 * brokers (ZooKeeper mode, or a migration before its end) still need it.
 */
export function ensembleDownProblem(state: Pick<ClusterState, 'migration' | 'brokers'>, inv: Pick<Inventory, 'kafkaMode'>): string | undefined {
  const m = state.migration;
  if (m) {
    if (m.phase === 'done' && !m.problems.length) return undefined;
    return `the ZooKeeper → KRaft migration is not finished (${phaseTitle(m.phase)}): the controllers and brokers still use the ensemble; run up until the plan says the migration is done`;
  }
  if (inv.kafkaMode === 'zookeeper') {
    const running = state.brokers.filter((b) => b.pid !== undefined);
    if (running.length) return `broker(s) ${running.map((b) => b.broker.id).join(',')} run in ZooKeeper mode and need the ensemble; stop them first (zkafka down)`;
  }
  return undefined;
}

async function confirmPurge(inv: Inventory, opts: DownOptions): Promise<void> {
  if (!opts.purge || opts.yes) return;
  if (!process.stdin.isTTY) {
    throw new UserError('--purge deletes every data and log directory: add --yes to confirm (no prompt without a terminal)', ExitCode.usage);
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`Delete all ZooKeeper and Kafka data and logs on ${inv.hosts.length} host(s) of cluster ${inv.cluster}? Type the cluster name to confirm: `);
    if (answer.trim() !== inv.cluster) throw new UserError('purge not confirmed; nothing was stopped or deleted', ExitCode.failed);
  } finally {
    rl.close();
  }
}


export async function downCommand(inv: Inventory, out: Output, opts: DownOptions): Promise<number> {
  checkHostNames(inv, opts.hosts);
  await confirmPurge(inv, opts);
  return withSession(inv, out, async (s) => {
    const scope = runScope(inv, s.unreachable, opts, 'down');
    return withLock(s, 'down', opts, () => stopAll(s, inv, out, opts, scope));
  });
}

async function stopAll(s: Session, inv: Inventory, out: Output, opts: DownOptions, scope: Scope): Promise<number> {
  const full = await readClusterState(s, inv);
  // Services on hosts left out are not touched (nor listed as stopped).
  const state = { ...full, brokers: full.brokers.filter((b) => scope.hosts.has(b.broker.host)), members: full.members.filter((m) => scope.hosts.has(m.member.host)) };
  if (opts.service === 'zookeeper') {
    const why = ensembleDownProblem(full, inv);
    if (why) throw new UserError(`down --service zookeeper refused: ${why}`, ExitCode.failed);
  }
  printLeftOut(out, scope);
  const stopped = await stopRoles(s, inv, full, out, { scope, attempts: [] }, opts.service);

  const purged: string[] = [];
  if (opts.purge) {
    await out.step('purge data and log directories', () =>
      Promise.all(
        inv.hosts.filter((h) => scope.hosts.has(h.name)).map(async (h) => {
          const dirs = opts.service === 'zookeeper' ? (h.zookeeper ? zookeeper.dirs(h.zookeeper) : []) : opts.service === 'kafka' ? (h.kafka ? kafka.dirs(h.kafka) : []) : hostDirs(h);
          if (!dirs.length) return;
          await s.run(h.name, 'deleting data and log directories', { argv: ['rm', '-rf', '--', ...dirs] });
          purged.push(...dirs.map((d) => `${h.name}:${d}`));
        }),
      ).then(() => undefined),
    );
  }
  const already = [
    ...state.brokers.filter((b) => b.pid === undefined && opts.service !== 'zookeeper').map((b) => `kafka ${b.broker.id} on ${b.broker.host}`),
    ...state.members.filter((m) => m.pid === undefined && opts.service !== 'kafka').map((m) => `zookeeper ${m.member.id} on ${m.member.host}`),
  ];
  out.result({ ok: true, stopped, alreadyStopped: already, purged, leftOut: scope.leftOut, stats: s.stats() });
  out.print(
    `down: stopped ${stopped.length} service(s)${already.length ? `, ${already.length} already stopped` : ''}${opts.purge ? `, purged ${purged.length} director${purged.length === 1 ? 'y' : 'ies'}` : ''}` +
      `${scope.leftOut.length ? `, ${scope.leftOut.length} host(s) left out (${scope.leftOut.map((l) => l.host).join(', ')})` : ''}`,
  );
  return ExitCode.ok;
}
