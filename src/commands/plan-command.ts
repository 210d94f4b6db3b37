// `zkafka plan`: what `up` would do, per host, with a unified diff of every changed file. Changes nothing.
// Exit 0 when there is nothing to do, 3 when changes are pending (so pipelines can gate on it).
import type { Inventory } from '../inventory/model.js';
import type { Output } from '../ui/output.js';
import { ExitCode, UserError } from '../errors.js';
import { isMigration } from '../inventory/model.js';
import { parseReadFiles, readFiles } from '../services/remote.js';
import { buildPlan, planChanges } from './plan.js';
import { planJson, printPlan } from './plan-view.js';
import { allPreflightProblems } from './preflight.js';
import { readClusterState } from './state.js';
import { withSession } from './session.js';

export async function planCommand(inv: Inventory, out: Output, opts: { rollback?: boolean } = {}): Promise<number> {
  if (opts.rollback && !isMigration(inv)) throw new UserError('--rollback: the inventory describes no ZooKeeper → KRaft migration (kafka.mode: kraft with ZooKeeper members, Kafka 3.9.x)', ExitCode.usage);
  return withSession(inv, out, async (s) => {
    const state = await readClusterState(s, inv, { java: true, ports: true, dirs: true, rollback: !!opts.rollback });
    const plan = buildPlan(inv, state);
    const problems = await allPreflightProblems(s, inv, state, plan);
    // The current content of every file that would change, for the diffs: one command per host.
    const before = new Map<string, string | null>();
    await Promise.all(
      [...new Set(plan.files.filter((f) => f.action === 'update').map((f) => f.host))].map(async (host) => {
        const paths = plan.files.filter((f) => f.host === host && f.action === 'update').map((f) => f.path);
        const r = await s.run(host, 'reading current files', readFiles(paths));
        for (const [p, c] of parseReadFiles(paths, r.stdout)) before.set(`${host}:${p}`, c);
      }),
    );
    const changes = planChanges(plan);
    out.result({ ...planJson(plan, before), problems, stats: s.stats() });
    printPlan(plan, out, { diffs: true, before, toStdout: true });
    for (const p of problems) out.warn(`up would stop in preflight: ${p}`);
    if (problems.length) return ExitCode.failed;
    return changes ? ExitCode.changes : ExitCode.ok;
  });
}
