// The one orchestrator: walks the roles in order (ZooKeeper members, then brokers) and carries out each
// role's steps the same way: for a restart, the role's pre-stop check and its stop; then the start, with
// retries of transient failures; then the role's check before the next step. `down` walks the roles in
// reverse, each node's `last` (leader, controller) at the end.
import type { Inventory } from '../inventory/model.js';
import type { Output } from '../ui/output.js';
import type { ServiceName } from '../render/files.js';
import type { ServiceStep } from './plan.js';
import type { Session } from './session.js';
import { startWithRetries } from './start-retry.js';
import { moveAside } from '../services/remote.js';
import { servicePid, type ClusterState } from './state.js';
import { kafkaRole } from './roles/kafka.js';
import type { ApplyOptions, Role, RoleNode, RunContext } from './roles/role.js';
import { zookeeperRole } from './roles/zookeeper.js';
import { kraftControllerRole } from './roles/kraft-controller.js';
import { kraftBrokerRole } from './roles/kraft-broker.js';
import { migrationRoles } from './roles/migration.js';

/**
 * In start order: a role's nodes need the roles before it (brokers need the ensemble, KRaft brokers the
 * controller quorum). Each Kafka role takes nodes in one mode only (ZooKeeper mode, or KRaft).
 */
export const ROLES: Role[] = [zookeeperRole as unknown as Role, kraftControllerRole as unknown as Role, kafkaRole as unknown as Role, kraftBrokerRole as unknown as Role];

async function runRole<N extends RoleNode>(role: Role<N>, steps: ServiceStep[], s: Session, inv: Inventory, state: ClusterState, out: Output, opts: ApplyOptions, ctx: RunContext): Promise<void> {
  const run = role.open(s, inv, state, out, opts, ctx);
  try {
    for (const step of steps) {
      const n = role.nodes(inv).find((x) => x.id === step.id)!;
      await out.step(`${step.action} ${role.title(n)} on ${n.host} (${step.reason})`, async () => {
        // A process that exited since the plan was read (the stop of an interrupted run completing) is
        // started, not waited for: the in-sync gate would wait for the very node that is gone.
        if (step.action === 'restart' && (await servicePid(s, inv, n.host, role.service)) !== undefined) {
          await run.beforeStop(n);
          await run.stop(n, role.pid(state, n)!);
        }
        if (step.moveAside?.length) await s.run(n.host, `moving ${step.moveAside.map((m) => m.from).join(', ')} aside`, moveAside(step.moveAside));
        await startWithRetries(s, out, { host: n.host, service: role.service, id: n.id, label: role.label(n), consoleLog: role.consoleLog(n) }, ctx.attempts, () => run.start(n));
        await run.afterStart(n, step);
      });
    }
    await run.settle(steps);
  } finally {
    await run.close();
  }
}

/** The roles of this cluster: a ZooKeeper → KRaft migration takes its brokers with the role of their phase's form. */
export function rolesFor(state: Pick<ClusterState, 'migration'>): Role[] {
  return state.migration ? migrationRoles(state.migration.phase, state.migration.brokerForm) : ROLES;
}

/** Every role's steps of the plan, role by role. */
export async function runRoles(s: Session, inv: Inventory, state: ClusterState, plan: { zookeeper: ServiceStep[]; kafka: ServiceStep[] }, out: Output, opts: ApplyOptions, ctx: RunContext): Promise<void> {
  for (const role of rolesFor(state)) await runRole(role, role.steps(plan, inv), s, inv, state, out, opts, ctx);
}

/**
 * Stops every running node of the roles, the last role first; within a role in reverse id order with
 * its `last` (leader, controller) at the end. Returns what it stopped.
 */
export async function stopRoles(s: Session, inv: Inventory, state: ClusterState, out: Output, ctx: RunContext, only?: ServiceName): Promise<string[]> {
  const stopped: string[] = [];
  for (const role of [...rolesFor(state)].reverse().filter((r) => !only || r.service === only)) {
    const last = role.last(state);
    const nodes = role
      .nodes(inv)
      .filter((n) => ctx.scope.hosts.has(n.host) && role.pid(state, n) !== undefined)
      .sort((a, b) => Number(a.id === last) - Number(b.id === last) || b.id - a.id);
    const run = role.open(s, inv, state, out, {}, ctx);
    try {
      for (const n of nodes) {
        await out.step(`stop ${role.title(n)} on ${n.host}${n.id === last ? ` (${role.lastIs})` : ''}`, () => run.stop(n, role.pid(state, n)!));
        stopped.push(`${role.service} ${n.id} on ${n.host}`);
      }
    } finally {
      await run.close();
    }
  }
  return stopped;
}
