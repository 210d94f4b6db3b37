// The KRaft controller role: every node with the controller role (combined nodes too: one process),
// before the brokers. Started in id order; until a majority runs, a started controller is up when its
// process runs and its CONTROLLER listener answers; from then on the quorum must have a leader that
// sees it caught up (a combined node must also be registered as a broker). Rolled one at a time, the
// active controller last, each only when every other voter is caught up (a majority stays), combined
// nodes also behind the in-sync gate. `down` stops them after the brokers, the active controller last;
// the last combined node, whose quorum is gone, gets a bounded wait and then SIGKILL (see README).
import { hostPort, type Broker, type Inventory } from '../../inventory/model.js';
import type { Output } from '../../ui/output.js';
import { isBroker, isKraftCluster, KraftClient, quorumHealthy, registeredAs, waitInSyncKraft } from '../kraft.js';
import { kafka } from '../../services/kafka.js';
import type { Session } from '../session.js';
import type { ClusterState } from '../state.js';
import { waitFor } from '../wait.js';
import { IN_SYNC_TIMEOUT_MS } from './kafka.js';
import { brokerReady, guardQuorum, KRAFT_LAST_STOP_MS, nodeLabel, startKraftNode, stopKraftNode } from './kraft-node.js';
import { SERVICE_TIMEOUT_MS, StepFailure, type ApplyOptions, type Role, type RunContext } from './role.js';

const controllerIds = (inv: Inventory) => new Set(inv.controllers.map((c) => c.id));

export const kraftControllerRole: Role<Broker> = {
  service: 'kafka',
  steps: (plan, inv) => (isKraftCluster(inv) ? plan.kafka.filter((x) => controllerIds(inv).has(x.id)) : []),
  nodes: (inv) => (isKraftCluster(inv) ? inv.controllers : []),
  label: nodeLabel,
  title: (b) => (isBroker(b) ? `Kafka node ${b.id} (broker, controller)` : `Kafka controller ${b.id}`),
  pid: (state, b) => state.brokers.find((x) => x.broker.id === b.id)?.pid,
  last: (state: ClusterState) => state.kraft?.quorum?.leader ?? undefined,
  lastIs: 'active controller',
  consoleLog: (b) => ({ dir: b.logDir, patterns: ['kafkaServer.out'] }),

  open(s: Session, inv: Inventory, state: ClusterState, out: Output, opts: ApplyOptions, ctx: RunContext) {
    const k = new KraftClient(s, inv);
    const inSyncTimeoutMs = opts.inSyncTimeoutMs ?? IN_SYNC_TIMEOUT_MS;
    const voters = inv.controllers;
    const majority = Math.floor(voters.length / 2) + 1;
    const running = new Set(state.brokers.filter((b) => b.pid !== undefined && voters.some((v) => v.id === b.broker.id)).map((b) => b.broker.id));
    const mine = voters.filter((c) => ctx.scope.hosts.has(c.host));

    /** `b` up: a voter the leader sees caught up (once a majority runs), a combined node registered too. */
    const ready = async (b: Broker): Promise<true | string> => {
      if (running.size + 1 < majority) {
        // No quorum can exist yet: the process and its CONTROLLER listener are all there is to see.
        try {
          (await s.transport(b.host).connect(b.address, b.controllerPort)).destroy();
          return true;
        } catch {
          return `its controller listener on ${hostPort(b.address, b.controllerPort)} refuses connections`;
        }
      }
      // Asked on its own listener first: the leader's entry for a voter restarted a moment ago still
      // shows the old process caught up.
      const sees = await k.controllerSees(b);
      if (sees === undefined) return `its controller listener on ${hostPort(b.address, b.controllerPort)} does not answer yet`;
      if (sees < 0) return 'it knows no quorum leader yet';
      const q = await k.quorum();
      if (!q || q.leader === null) return 'the quorum has no leader yet';
      const v = q.voters.find((x) => x.id === b.id);
      if (!v) return `leader ${q.leader} does not list it as a voter`;
      if (!v.caughtUp) return `leader ${q.leader} sees it ${Number.isFinite(v.lag) ? `${v.lag} record(s) behind` : 'without a log end offset'}`;
      return isBroker(b) ? brokerReady(k, b) : true;
    };

    const waitQuorum = async (nodes: Broker[]) => {
      let seen = '';
      const ok = await waitFor(
        async () => {
          const q = await k.quorum();
          const behind = q ? nodes.filter((n) => !q.voters.find((v) => v.id === n.id)?.caughtUp).map((n) => n.id) : nodes.map((n) => n.id);
          seen = !q ? 'no controller answers DescribeQuorum' : q.leader === null ? 'no leader' : `leader ${q.leader}${behind.length ? `, controllers ${behind.join(',')} not caught up` : ''}`;
          return q && q.leader !== null && !behind.length ? true : undefined;
        },
        { timeoutMs: SERVICE_TIMEOUT_MS, firstDelayMs: 300, maxDelayMs: 1000 },
      );
      if (!ok.ok) throw new StepFailure(`kafka: expected a KRaft quorum leader with every controller caught up, saw ${seen}`);
    };

    return {
      beforeStop: async (b) => {
        await guardQuorum(k, inv, out, b, SERVICE_TIMEOUT_MS);
        if (isBroker(b)) await waitInSyncKraft(k, `before stopping ${nodeLabel(b)}`, inSyncTimeoutMs, out, b.id);
      },
      stop: async (b, pid) => {
        // A combined node's broker half shuts down first, with a controlled shutdown the active controller
        // must grant: without a quorum (the last one of `down`) it would wait 5 minutes, so it is bounded.
        const quorumLeft = running.size >= majority;
        await stopKraftNode(s, inv, out, b, pid, isBroker(b) && !quorumLeft ? KRAFT_LAST_STOP_MS : undefined);
        running.delete(b.id);
      },
      start: async (b) => {
        await startKraftNode(s, inv, b, running.size + 1 < majority ? 'a running kafka.Kafka process with its controller listener open' : 'a voter the quorum leader sees caught up' + (isBroker(b) ? ', registered as a broker' : ''), () => ready(b));
        running.add(b.id);
      },
      afterStart: async () => {},
      settle: async (steps) => {
        if (!mine.length) return;
        const combined = mine.filter(isBroker);
        const healthyNow =
          !steps.length &&
          quorumHealthy(state.kraft?.quorum, voters.length) &&
          state.kraft!.quorum!.voters.filter((v) => mine.some((m) => m.id === v.id)).every((v) => v.caughtUp) &&
          combined.every((b) => registeredAs(state.kraft?.registered, b, kafka.endpoint(b)) === 'yes');
        if (healthyNow) return;
        await out.step(`KRaft quorum of ${voters.length}: a leader, ${mine.length} controller(s) caught up`, () => waitQuorum(mine));
        if (combined.length) {
          if (steps.some((x) => x.action === 'restart')) await out.step('Kafka: every partition fully replicated', () => waitInSyncKraft(k, 'after the rolling restart', inSyncTimeoutMs, out));
          await out.step(`Kafka: ${combined.length} combined node(s) registered as brokers`, async () => {
            let seen = '';
            const ok = await waitFor(
              async () => {
                const regs = await k.brokers();
                const missing = combined.filter((b) => registeredAs(regs, b, kafka.endpoint(b)) !== 'yes').map((b) => b.id);
                seen = regs ? (missing.length ? `nodes ${missing.join(',')} not registered` : 'all registered') : 'no broker answers';
                return regs && !missing.length ? true : undefined;
              },
              { timeoutMs: SERVICE_TIMEOUT_MS, firstDelayMs: 300, maxDelayMs: 1000 },
            );
            if (!ok.ok) throw new StepFailure(`kafka: expected every combined node registered as a broker, saw ${seen}`);
          });
        }
      },
      close: () => k.close(),
    };
  },
};
