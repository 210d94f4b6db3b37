// The in-sync gate of a rolling restart, whichever mode: a broker may go down only when no partition is
// under-replicated, or its stop could take a partition's last in-sync replica away. The mode gives the
// reader (ZooKeeper's znodes, or Metadata through a KRaft broker); the wait, the progress line and the
// failure naming each partition still short are the same.
import type { Output } from '../ui/output.js';
import { ExitCode, UserError } from '../errors.js';
import { describePartition, partitionHealth, type PartitionState } from '../services/kafka.js';
import { waitFor } from './wait.js';

/** Every partition and the live brokers, or what was seen instead (`no ZooKeeper member serving`). */
export type InSyncRead = () => Promise<{ partitions: PartitionState[]; live: ReadonlySet<number> } | string>;

/**
 * Waits until no partition is short of an in-sync replica. With `stopping` (the broker a roll is about to
 * stop), that broker's own absence from an ISR does not count: stopping it takes no in-sync replica away.
 * (It may be out of every ISR because it is already on its way down: the stop of an interrupted run.)
 */
export async function waitInSync(read: InSyncRead, what: string, timeoutMs: number, out: Output, stopping?: number): Promise<void> {
  let short: PartitionState[] = [];
  let seen = 'no answer';
  let told = false;
  const since = Date.now();
  const ok = await waitFor(
    async () => {
      const r = await read();
      if (typeof r === 'string') {
        seen = r;
        return undefined;
      }
      short = partitionHealth(r.partitions, r.live).underReplicated.filter((p) => p.replicas.some((x) => x !== stopping && !p.isr.includes(x)));
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
    throw new UserError(`kafka: ${what}: expected every partition in sync within ${timeoutMs / 1000}s, saw ${seen}`, ExitCode.failed, short.length ? ['partitions still short of replicas:', ...names] : []);
  }
}
