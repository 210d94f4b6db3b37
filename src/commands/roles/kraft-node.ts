// What the two KRaft roles share: starting a node (kafka-server-start.sh -daemon, then the role's own
// measure of up), stopping one (SIGTERM to its pid, bounded wait), and the roll guard of the quorum.
import type { Broker, Inventory } from '../../inventory/model.js';
import type { Output } from '../../ui/output.js';
import { UserError } from '../../errors.js';
import { kafka } from '../../services/kafka.js';
import { killHard, terminate } from '../../services/remote.js';
import { isController, quorumShortBeforeStop, registeredAs, type KraftClient } from '../kraft.js';
import type { Session } from '../session.js';
import { servicePid } from '../state.js';
import { kafkaLog, startKafkaNode } from './kafka.js';
import { waitFor } from '../wait.js';
import { failWithLog, SERVICE_TIMEOUT_MS } from './role.js';


/**
 * How long `down` waits for a combined node that stops after its quorum is gone (the last one) before
 * SIGKILL: its broker half's controlled shutdown needs an active controller and would wait 5 minutes.
 */
export const KRAFT_LAST_STOP_MS = Number(process.env.ZKAFKA_KRAFT_LAST_STOP_TIMEOUT ?? 20) * 1000;

export const nodeLabel = (b: Broker) => (b.roles.length > 1 ? `KRaft node ${b.id} (broker, controller)` : isController(b) ? `controller ${b.id}` : `broker ${b.id}`);

/** Starts `b` and waits until `ready` says it is up (a string says what was seen instead). */
export function startKraftNode(s: Session, inv: Inventory, b: Broker, expected: string, ready: () => Promise<true | string>): Promise<void> {
  return startKafkaNode(s, inv, b, `starting ${nodeLabel(b)}`, expected, ready);
}

/** SIGTERM, then the process must exit; with `hardAfterMs`, SIGKILL once that bound passes. */
export async function stopKraftNode(s: Session, inv: Inventory, out: Output, b: Broker, pid: number, hardAfterMs?: number): Promise<void> {
  await s.exec(b.host, terminate(pid));
  const gone = () => waitFor(async () => ((await servicePid(s, inv, b.host, 'kafka')) === undefined ? true : undefined), { timeoutMs: hardAfterMs ?? SERVICE_TIMEOUT_MS, firstDelayMs: 200, maxDelayMs: 500 });
  if ((await gone()).ok) return;
  if (hardAfterMs !== undefined) {
    out.warn(`${b.host}: ${nodeLabel(b)} did not exit within ${hardAfterMs / 1000}s of SIGTERM: no controller quorum is left for its controlled shutdown; sending SIGKILL (its logs are recovered on the next start)`);
    await s.exec(b.host, killHard(pid));
    if ((await waitFor(async () => ((await servicePid(s, inv, b.host, 'kafka')) === undefined ? true : undefined), { timeoutMs: 15_000 })).ok) return;
  }
  await failWithLog(s, b.host, `stopping ${nodeLabel(b)}`, `process ${pid} to exit`, 'it still running', kafkaLog(b));
}

/** Broker `b` registered unfenced with its endpoint, as `b` itself answers (its listener accepts too). */
export async function brokerReady(k: KraftClient, b: Broker): Promise<true | string> {
  const regs = await k.brokers(b);
  if (!regs) return `its listener on ${b.address}:${b.port} does not answer DescribeCluster yet`;
  const r = registeredAs(regs, b, kafka.endpoint(b));
  if (r === 'yes') return true;
  const mine = regs.get(b.id);
  return r === 'missing' ? 'not registered yet' : r === 'fenced' ? 'registered but fenced' : `registered as ${mine?.host}:${mine?.port}, expected ${kafka.endpoint(b)}`;
}

/** Waits (bounded) until the quorum may lose controller `id`: a leader, every other voter caught up. */
export async function guardQuorum(k: KraftClient, inv: Inventory, out: Output, b: Broker, timeoutMs: number): Promise<void> {
  let missing: string[] = [];
  let said = false;
  const ok = await waitFor(
    async () => {
      missing = quorumShortBeforeStop(await k.quorum(), b.id, inv.controllers.map((c) => c.id));
      if (!missing.length) return true;
      if (!said) out.info(`${b.host}: waiting before stopping ${nodeLabel(b)}: ${missing.join('; ')}`);
      said = true;
      return undefined;
    },
    { timeoutMs, firstDelayMs: 300, maxDelayMs: 1000 },
  );
  if (!ok.ok) {
    throw new UserError(`${b.host}: not stopping ${nodeLabel(b)}: the controller quorum is already short (waited ${Math.round(timeoutMs / 1000)}s); nothing more was stopped`, undefined, [
      ...missing,
      'bring that back (zkafka status shows what runs), then run the same command again',
    ]);
  }
}

/** Waits (bounded) until every other broker is registered: a roll never takes a second broker down. */
export async function guardBrokers(k: KraftClient, out: Output, b: Broker, brokers: Broker[], timeoutMs: number): Promise<void> {
  let missing: string[] = [];
  let said = false;
  const ok = await waitFor(
    async () => {
      const regs = await k.brokers();
      missing = regs ? brokers.filter((x) => x.id !== b.id && registeredAs(regs, x, kafka.endpoint(x)) !== 'yes').map((x) => `broker ${x.id} on ${x.host} is not registered`) : ['no broker answers DescribeCluster'];
      if (!missing.length) return true;
      if (!said) out.info(`${b.host}: waiting before stopping ${nodeLabel(b)}: ${missing.join('; ')}`);
      said = true;
      return undefined;
    },
    { timeoutMs, firstDelayMs: 300, maxDelayMs: 1000 },
  );
  if (!ok.ok) throw new UserError(`${b.host}: not stopping ${nodeLabel(b)}: the cluster is already short (waited ${Math.round(timeoutMs / 1000)}s); nothing more was stopped`, undefined, missing);
}
