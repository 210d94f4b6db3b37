// A rolling restart never takes down a second service while the cluster is already short: before each
// stop, every other ZooKeeper member must be serving and every other broker registered (on a host that
// can be reached). Otherwise the roll waits, bounded, and then stops without stopping anything, naming
// what is missing. The pure half (`shortBeforeStop`) decides from a view of the cluster; `guardStop`
// reads that view afresh through the run's connections.
import type { Inventory } from '../inventory/model.js';
import type { Output } from '../ui/output.js';
import { UserError } from '../errors.js';
import type { ServiceName } from '../render/files.js';
import type { ZookeeperMode } from '../services/zookeeper.js';
import { memberMode, SERVING, type Registry } from './state.js';
import type { Session } from './session.js';
import { waitFor } from './wait.js';

export interface ClusterView {
  members: Array<{ id: number; host: string; state: ZookeeperMode | 'unreachable' }>;
  /** null when no ZooKeeper member could be asked. */
  brokers: Array<{ id: number; host: string; reachable: boolean; registered: boolean }> | null;
  /** Host name -> why it cannot be reached. */
  unreachable: Map<string, string>;
}

export interface StopTarget {
  service: ServiceName;
  id: number;
}

/** What is missing for `target` to be stopped safely; empty when it may go. */
export function shortBeforeStop(target: StopTarget, view: ClusterView): string[] {
  const missing: string[] = [];
  const why = (host: string) => (view.unreachable.has(host) ? ` (${view.unreachable.get(host)})` : '');
  for (const m of view.members) {
    if (target.service === 'zookeeper' && m.id === target.id) continue;
    if (!SERVING.includes(m.state as ZookeeperMode)) missing.push(`ZooKeeper member ${m.id} on ${m.host} is ${m.state}${why(m.host)}`);
  }
  if (target.service === 'kafka') {
    if (view.brokers === null) missing.push('no ZooKeeper member answers, so the broker registry cannot be read');
    for (const b of view.brokers ?? []) {
      if (b.id === target.id) continue;
      if (!b.reachable) missing.push(`broker ${b.id} on ${b.host} is unreachable${why(b.host)}`);
      else if (!b.registered) missing.push(`broker ${b.id} on ${b.host} is not registered`);
    }
  }
  return missing;
}

/** The cluster as it is now: every member's srvr, the registry, which hosts answer. */
export async function readClusterView(s: Session, inv: Inventory, reg: Registry | undefined): Promise<ClusterView> {
  const members = await Promise.all(
    inv.members.map(async (m) => {
      if (!s.reachable(m.host)) return { id: m.id, host: m.host, state: 'unreachable' as const };
      try {
        return { id: m.id, host: m.host, state: await memberMode(s, m) };
      } catch (e) {
        if (e instanceof UserError) return { id: m.id, host: m.host, state: 'unreachable' as const };
        throw e;
      }
    }),
  );
  let brokers: ClusterView['brokers'] = null;
  if (reg) {
    const r = await reg.read().catch((e: unknown) => {
      if (e instanceof UserError) return undefined;
      throw e;
    });
    if (r) brokers = inv.brokers.map((b) => ({ id: b.id, host: b.host, reachable: s.reachable(b.host), registered: r.registered.has(b.id) }));
  }
  const unreachable = new Map([...s.unreachable].map(([h, e]) => [h, e.message.replace(`${h}: `, '')]));
  return { members, brokers, unreachable };
}

/**
 * Waits (up to `timeoutMs`) until `target` may be stopped; throws, having stopped nothing, when the
 * cluster stays short.
 */
export async function guardStop(s: Session, inv: Inventory, out: Output, target: StopTarget & { host: string; label: string }, reg: Registry | undefined, timeoutMs: number): Promise<void> {
  let missing: string[] = [];
  let said = false;
  const ok = await waitFor(
    async () => {
      missing = shortBeforeStop(target, await readClusterView(s, inv, reg));
      if (!missing.length) return true;
      if (!said) out.info(`${target.host}: waiting before stopping ${target.label}: ${missing.join('; ')}`);
      said = true;
      return undefined;
    },
    { timeoutMs, firstDelayMs: 500, maxDelayMs: 1000 },
  );
  if (!ok.ok) {
    throw new UserError(
      `${target.host}: not stopping ${target.label}: the cluster is already short (waited ${Math.round(timeoutMs / 1000)}s); nothing more was stopped`,
      undefined,
      [...missing, 'bring that back (zkafka status shows what runs), then run the same command again'],
    );
  }
}
