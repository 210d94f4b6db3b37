// Which hosts a run may touch: `--hosts` names them, `--skip-unreachable` leaves out those that cannot be
// reached (without it, an unreachable host stops the run before anything changes). Hosts left out are
// named in the plan with the reason; nothing on them is touched, and the checks count their services as
// down.
import type { Inventory } from '../inventory/model.js';
import { ExitCode, UserError } from '../errors.js';
import type { Plan } from './plan.js';

export interface ScopeOptions {
  hosts?: string[];
  skipUnreachable?: boolean;
}

export interface Scope {
  /** The hosts the run works on. */
  hosts: Set<string>;
  /** The others, and why. */
  leftOut: Array<{ host: string; reason: string }>;
}

/** Every --hosts name must be in the inventory (exit 2 otherwise). */
export function checkHostNames(inv: Inventory, hosts: string[] | undefined): void {
  for (const h of hosts ?? []) {
    if (!inv.hosts.some((x) => x.name === h)) throw new UserError(`--hosts: no host named ${h} in ${inv.file}`, ExitCode.usage);
  }
}

/**
 * The run's scope, from the options and the hosts that could not be reached. Without
 * --skip-unreachable, an unreachable host in scope is an error: nothing has been changed yet.
 */
export function runScope(inv: Inventory, unreachable: Map<string, Error>, opts: ScopeOptions, command: 'up' | 'restart' | 'down' = 'up'): Scope {
  checkHostNames(inv, opts.hosts);
  const wanted = (h: string) => !opts.hosts || opts.hosts.includes(h);
  const blocking = [...unreachable].filter(([h]) => wanted(h));
  if (blocking.length && !opts.skipUnreachable) {
    throw new UserError(
      `${command === 'down' ? '' : 'preflight failed: '}cannot reach ${blocking.length} host(s); nothing was ${command === 'down' ? 'stopped' : 'changed'} (--skip-unreachable goes on without them)`,
      ExitCode.failed,
      blocking.map(([, e]) => e.message),
    );
  }
  const hosts = new Set<string>();
  const leftOut: Scope['leftOut'] = [];
  for (const h of inv.hosts) {
    const e = unreachable.get(h.name);
    if (!wanted(h.name)) leftOut.push({ host: h.name, reason: 'not in --hosts' });
    else if (e) leftOut.push({ host: h.name, reason: `unreachable: ${e.message.replace(`${h.name}: `, '')}` });
    else hosts.add(h.name);
  }
  if (!hosts.size) throw new UserError(`${command}: no host left to work on`, ExitCode.failed, leftOut.map((l) => `${l.host}: ${l.reason}`));
  return { hosts, leftOut };
}

/** The whole inventory: what `up` works on without options. */
export function fullScope(inv: Inventory): Scope {
  return { hosts: new Set(inv.hosts.map((h) => h.name)), leftOut: [] };
}

/** The plan without anything on hosts outside the scope. */
export function scopePlan(plan: Plan, scope: Scope): Plan {
  const inScope = (x: { host: string }) => scope.hosts.has(x.host);
  return {
    ...(plan.phase ? { phase: plan.phase } : {}),
    ...(plan.migration ? { migration: plan.migration } : {}),
    installs: plan.installs.filter(inScope),
    files: plan.files.filter(inScope),
    zookeeper: plan.zookeeper.filter(inScope),
    kafka: plan.kafka.filter(inScope),
    ...(plan.formats ? { formats: plan.formats.filter(inScope) } : {}),
    unchanged: plan.unchanged.filter(inScope),
    ...(plan.finalize && inScope(plan.finalize) ? { finalize: plan.finalize } : {}),
    // Whole or not at all: up refuses a rollback's deprovision with a controller left out.
    ...(plan.deprovision ? { deprovision: plan.deprovision } : {}),
    ...(plan.next ? { next: scopePlan(plan.next, scope) } : {}),
  };
}
