// `zkafka restart`: the rolling restart `up` does after a config change, without one. ZooKeeper
// followers first and the leader last, each back in the ensemble before the next; then brokers one at a
// time, the controller last, each registered again before the next. Stopped services are started.
import type { Inventory } from '../inventory/model.js';
import type { Output } from '../ui/output.js';
import { UserError, ExitCode } from '../errors.js';
import { checkHostNames, type Scope } from './scope.js';
import type { ServiceName } from '../render/files.js';
import { lastOne, type Plan, type ServiceStep } from './plan.js';
import { runPlan, type UpOptions } from './up.js';
import type { ClusterState } from './state.js';

export interface RestartOptions extends UpOptions {
  hosts?: string[];
  service?: ServiceName;
  skipUnreachable?: boolean;
}

export function restartPlan(state: ClusterState, opts: RestartOptions, scope?: Scope): Plan {
  const pick = (host: string, service: ServiceName) =>
    (!opts.hosts || opts.hosts.includes(host)) && (!scope || scope.hosts.has(host)) && (!opts.service || opts.service === service);
  const step = (host: string, service: ServiceName, id: number, pid: number | undefined): ServiceStep => ({
    host,
    service,
    id,
    action: pid === undefined ? 'start' : 'restart',
    reason: pid === undefined ? 'not running' : 'restart requested',
  });
  const leader = state.members.find((m) => m.mode === 'leader')?.member.id;
  const zk = state.members.filter((m) => pick(m.member.host, 'zookeeper')).map((m) => step(m.member.host, 'zookeeper', m.member.id, m.pid));
  const kf = state.brokers.filter((b) => pick(b.broker.host, 'kafka')).map((b) => step(b.broker.host, 'kafka', b.broker.id, b.pid));
  // Stopped services start first, then the rolling restart with the leader / controller last.
  const order = (last: number | null | undefined) => (a: ServiceStep, b: ServiceStep) => Number(a.action === 'restart') - Number(b.action === 'restart') || lastOne(last)(a, b);
  return { installs: [], files: [], zookeeper: zk.sort(order(leader)), kafka: kf.sort(order(state.controller)), unchanged: [] };
}

export async function restartCommand(inv: Inventory, out: Output, opts: RestartOptions): Promise<number> {
  checkHostNames(inv, opts.hosts);
  return runPlan(inv, out, 'restart', opts, (state, scope) => {
    const plan = restartPlan(state, opts, scope);
    if (!plan.zookeeper.length && !plan.kafka.length) throw new UserError('restart: no service matches --hosts/--service', ExitCode.usage);
    // A restart starts from the inventory's home: a service still on another one awaits a version change.
    const moving = [
      ...state.members.filter((m) => m.runningHome && plan.zookeeper.some((x) => x.id === m.member.id)).map((m) => `ZooKeeper member ${m.member.id} on ${m.member.host} runs from ${m.runningHome}`),
      ...state.brokers.filter((b) => b.runningHome && plan.kafka.some((x) => x.id === b.broker.id)).map((b) => `broker ${b.broker.id} on ${b.broker.host} runs from ${b.runningHome}`),
    ];
    if (moving.length) throw new UserError('restart: a version change is pending (zkafka plan shows it); run zkafka up to carry it out, nothing was restarted', ExitCode.failed, moving);
    return plan;
  });
}
