// The KRaft broker role: nodes with the broker role only (combined nodes belong to the controller
// role: one process), after the controllers. A broker is up when it runs, its listener answers and it
// lists itself registered, unfenced, with the endpoint the inventory gives it (DescribeCluster).
// Rolled one at a time behind the in-sync gate (Metadata: no partition under-replicated) with every
// other broker registered; `down` stops them first, while the quorum still grants controlled shutdowns.
import type { Broker, Inventory } from '../../inventory/model.js';
import type { Output } from '../../ui/output.js';
import { kafka } from '../../services/kafka.js';
import { isController, isKraftCluster, KraftClient, registeredAs, waitInSyncKraft } from '../kraft.js';
import type { Session } from '../session.js';
import type { ClusterState } from '../state.js';
import { waitFor } from '../wait.js';
import { IN_SYNC_TIMEOUT_MS } from './kafka.js';
import { brokerReady, guardBrokers, nodeLabel, startKraftNode, stopKraftNode } from './kraft-node.js';
import { SERVICE_TIMEOUT_MS, StepFailure, type ApplyOptions, type Role, type RunContext } from './role.js';

const brokerOnly = (inv: Inventory) => (isKraftCluster(inv) ? inv.brokers.filter((b) => !isController(b)) : []);

export const kraftBrokerRole: Role<Broker> = {
  service: 'kafka',
  steps: (plan, inv) => {
    const ids = new Set(brokerOnly(inv).map((b) => b.id));
    return plan.kafka.filter((x) => ids.has(x.id));
  },
  nodes: brokerOnly,
  label: nodeLabel,
  title: (b) => `Kafka broker ${b.id}`,
  pid: (state, b) => state.brokers.find((x) => x.broker.id === b.id)?.pid,
  // KRaft brokers have no controller among them: any order.
  last: () => undefined,
  lastIs: 'last',
  consoleLog: (b) => ({ dir: b.logDir, patterns: ['kafkaServer.out'] }),

  open(s: Session, inv: Inventory, state: ClusterState, out: Output, opts: ApplyOptions, ctx: RunContext) {
    const k = new KraftClient(s, inv);
    const inSyncTimeoutMs = opts.inSyncTimeoutMs ?? IN_SYNC_TIMEOUT_MS;
    const all = brokerOnly(inv);
    const mine = all.filter((b) => ctx.scope.hosts.has(b.host));
    return {
      beforeStop: async (b) => {
        await waitInSyncKraft(k, `before stopping broker ${b.id}`, inSyncTimeoutMs, out, b.id);
        await guardBrokers(k, out, b, inv.brokers, SERVICE_TIMEOUT_MS);
      },
      stop: (b, pid) => stopKraftNode(s, inv, out, b, pid),
      start: (b) => startKraftNode(s, inv, b, `registration as ${kafka.endpoint(b)} (unfenced) and its listener answering`, () => brokerReady(k, b)),
      afterStart: async () => {},
      settle: async (steps) => {
        if (!mine.length) return;
        if (!steps.length && mine.every((b) => registeredAs(state.kraft?.registered, b, kafka.endpoint(b)) === 'yes')) return;
        if (steps.some((x) => x.action === 'restart')) await out.step('Kafka: every partition fully replicated', () => waitInSyncKraft(k, 'after the rolling restart', inSyncTimeoutMs, out));
        const leftOut = all.length - mine.length;
        await out.step(`Kafka: ${mine.length} broker(s) registered${leftOut ? ` (${leftOut} left out)` : ''}`, async () => {
          let seen = '';
          const ok = await waitFor(
            async () => {
              const regs = await k.brokers();
              const missing = mine.filter((b) => registeredAs(regs, b, kafka.endpoint(b)) !== 'yes').map((b) => b.id);
              seen = regs ? (missing.length ? `brokers ${missing.join(',')} not registered` : 'all registered') : 'no broker answers';
              return regs && !missing.length ? true : undefined;
            },
            { timeoutMs: SERVICE_TIMEOUT_MS, firstDelayMs: 300, maxDelayMs: 1000 },
          );
          if (!ok.ok) throw new StepFailure(`kafka: expected every broker registered, saw ${seen}`);
        });
      },
      close: () => k.close(),
    };
  },
};
