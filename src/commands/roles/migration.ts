// The roles of a ZooKeeper → KRaft migration (see ../../services/migration.ts for the phases): the
// ensemble; the dedicated KRaft controllers (the KRaft controller role, in migration mode or plain);
// the brokers, with the role of the form the phase gives them: the ZooKeeper-mode broker role while they
// run in ZooKeeper or migration mode (registered under /brokers/ids, the in-sync gate from ZooKeeper),
// the KRaft broker role once the phase rolls them into KRaft (registered with the controllers).
import type { Broker, Inventory } from '../../inventory/model.js';
import { ExitCode } from '../../errors.js';
import { kraftClaimsController, migrationCompleted, type MigrationPhaseName, type NodeForm } from '../../services/migration.js';
import { moveAside } from '../../services/remote.js';
import type { DeprovisionStep } from '../plan.js';
import type { Output } from '../../ui/output.js';
import type { Session } from '../session.js';
import { openZk, readMigrationZnode, Registry, servicePid, type ClusterState } from '../state.js';
import { KraftClient } from '../kraft.js';
import { waitFor } from '../wait.js';
import { kafkaRole } from './kafka.js';
import { kraftBrokerRole } from './kraft-broker.js';
import { kraftControllerRole } from './kraft-controller.js';
import { KRAFT_LAST_STOP_MS, stopKraftNode } from './kraft-node.js';
import { SERVICE_TIMEOUT_MS, StepFailure, type Role } from './role.js';
import { zookeeperRole } from './zookeeper.js';

const controllerIds = (inv: Inventory) => new Set(inv.controllers.map((c) => c.id));

export const migrationControllerRole: Role<Broker> = {
  ...kraftControllerRole,
  steps: (plan, inv) => plan.kafka.filter((x) => controllerIds(inv).has(x.id)),
  nodes: (inv) => inv.controllers,
};

/** The brokers' role for a phase whose brokers end up (or, for down, run) in `form`. */
export function migrationBrokerRole(form: NodeForm): Role<Broker> {
  const base = form === 'kraft' ? kraftBrokerRole : kafkaRole;
  return { ...base, steps: (plan, inv) => plan.kafka.filter((x) => !controllerIds(inv).has(x.id)), nodes: (inv) => inv.brokers };
}

/**
 * A rollback's step 1: brokers leave KRaft for their migration-mode file. Each still runs in KRaft when it
 * stops (the KRaft in-sync gate and roll guard, which see brokers of both kinds), and comes back as a
 * ZooKeeper-mode broker (up when registered under /brokers/ids; ZooKeeper's partition state, which the
 * controller keeps in dual-write, for the final check).
 */
export const rollbackBrokerRole: Role<Broker> = {
  ...migrationBrokerRole('migration'),
  open(s, inv, state, out, opts, ctx) {
    const leaving = kraftBrokerRole.open(s, inv, state, out, opts, ctx);
    const back = kafkaRole.open(s, inv, state, out, opts, ctx);
    return {
      beforeStop: (b) => leaving.beforeStop(b),
      stop: (b, pid) => leaving.stop(b, pid),
      start: (b) => back.start(b),
      afterStart: (b, step) => back.afterStart(b, step),
      settle: (steps) => back.settle(steps),
      close: async () => {
        await Promise.all([leaving.close(), back.close()]);
      },
    };
  },
};

/** In start order: the ensemble, the controllers, the brokers (of the form the phase gives them). */
export function migrationRoles(phase: MigrationPhaseName, brokerForm: NodeForm): Role[] {
  const brokers = phase === 'rollback-brokers' ? rollbackBrokerRole : migrationBrokerRole(brokerForm);
  // A rollback's step 2 takes the controllers away (deprovisionControllers): no role of theirs to walk or check.
  const controllers = phase === 'rollback-zookeeper' || phase === 'rolled-back' ? [] : [migrationControllerRole as unknown as Role];
  return [zookeeperRole as unknown as Role, ...controllers, brokers as unknown as Role];
}

/**
 * A rollback's step 2, before the brokers roll (Kafka's "Reverting to ZooKeeper mode"): the controller
 * quorum deprovisioned (each stopped, its storage moved aside so that a later migration formats afresh),
 * then /controller (the KRaft controller's claim) and /migration deleted, so that a broker is elected
 * the ZooKeeper-mode controller again; done quickly, as the cluster has no controller in between.
 */
export async function deprovisionControllers(s: Session, inv: Inventory, state: ClusterState, step: DeprovisionStep, out: Output): Promise<void> {
  const active = state.kraft?.quorum?.leader;
  const order = [...step.controllers].sort((a, b) => Number(a.id === active) - Number(b.id === active) || a.id - b.id);
  for (const c of order) {
    const node = inv.controllers.find((x) => x.id === c.id)!;
    const pid = await servicePid(s, inv, c.host, 'kafka');
    if (pid !== undefined) await out.step(`stop controller ${c.id} on ${c.host} (deprovision)`, () => stopKraftNode(s, inv, out, node, pid, KRAFT_LAST_STOP_MS));
    if (c.moves.length) await out.step(`move controller ${c.id}'s storage aside on ${c.host}: ${c.moves.map((m) => `${m.from} → ${m.to}`).join(', ')}`, () => s.run(c.host, 'moving KRaft storage aside', moveAside(c.moves)).then(() => undefined));
  }
  const chroot = inv.brokers[0]?.chroot ?? '';
  await out.step('ZooKeeper: delete the KRaft controller\'s /controller claim and /migration', async () => {
    const zk = await openZk(s, inv.members);
    if (!zk) throw new StepFailure('kafka: no ZooKeeper member serving: cannot delete /controller and /migration; nothing more was changed', ExitCode.failed, ['bring the ensemble back, then run up --rollback again']);
    try {
      const ctl = await zk.getData(`${chroot}/controller`);
      if (ctl && kraftClaimsController(ctl.data, inv.controllers.map((x) => x.id))) {
        await zk.delete(`${chroot}/controller`);
        out.info(`deleted ${chroot}/controller (${ctl.data.trim()})`);
      }
      const mig = await zk.getData(`${chroot}/migration`);
      if (mig) {
        // Kafka's procedure reads it before deleting it: what it said helps to find why a migration was rolled back.
        out.info(`deleting ${chroot}/migration, which said: ${mig.data.trim()}`);
        await zk.delete(`${chroot}/migration`);
      }
    } finally {
      await zk.close();
    }
  });
  const reg = new Registry(s, inv);
  try {
    await out.step('Kafka: a broker elected as the ZooKeeper-mode controller', async () => {
      const brokerIds = new Set(inv.brokers.map((b) => b.id));
      let seen = 'no controller';
      const ok = await waitFor(
        async () => {
          const r = await reg.read();
          seen = r ? `controller ${r.controller ?? 'none'}` : 'no ZooKeeper member serving';
          return r?.controller != null && brokerIds.has(r.controller) ? true : undefined;
        },
        { timeoutMs: SERVICE_TIMEOUT_MS, firstDelayMs: 500, maxDelayMs: 1000 },
      );
      if (!ok.ok) throw new StepFailure(`kafka: expected a broker to become the ZooKeeper-mode controller once /controller was deleted, saw ${seen}`, ExitCode.failed, ['the brokers\' server.log says why none claimed /controller', 'run up --rollback again']);
    });
    // A migration-mode broker that still takes the (now deprovisioned) KRaft controller for the active one
    // waits 5 minutes for it when stopped ("Notifying KRaft of controlled shutdown"), so none is stopped
    // before it has the new controller's UpdateMetadata. Metadata's controller id tells, with one catch:
    // while a broker knows a KRaft controller it answers a random live broker instead, so the same id
    // must come back several times in a row.
    await out.step('Kafka: every broker follows the ZooKeeper-mode controller', async () => {
      const k = new KraftClient(s, inv);
      let seen = '';
      try {
        const ok = await waitFor(
          async () => {
            const controller = (await reg.read())?.controller;
            if (controller == null) return undefined;
            for (const b of inv.brokers.filter((x) => s.reachable(x.host))) {
              for (let i = 0; i < CONTROLLER_READS; i++) {
                const id = await k.controllerSeenBy(b);
                // One that does not answer is down: it learns the controller when it starts.
                if (id === undefined) break;
                if (id !== controller) {
                  seen = `broker ${b.id} answers controller ${id}, ZooKeeper says ${controller}`;
                  return undefined;
                }
              }
            }
            return true;
          },
          { timeoutMs: SERVICE_TIMEOUT_MS, firstDelayMs: 500, maxDelayMs: 1000 },
        );
        if (!ok.ok) throw new StepFailure(`kafka: expected every broker to follow the ZooKeeper-mode controller, saw ${seen}`, ExitCode.failed, ['a broker stopped before it follows it waits 5 minutes for the KRaft controller', 'run up --rollback again']);
      } finally {
        await k.close();
      }
    });
  } finally {
    await reg.close();
  }
}

/** How many Metadata answers in a row must name the ZooKeeper-mode controller (a random one matches 3 brokers' 1 in 3 times: 10 in a row, about 1 in 59 000). */
const CONTROLLER_READS = 10;

/** How long phase (b) waits for the metadata migration once every broker is rolled. */
export const MIGRATION_TIMEOUT_MS = Number(process.env.ZKAFKA_MIGRATION_TIMEOUT ?? 300) * 1000;

/**
 * The end of phase (b): the active controller has copied ZooKeeper's metadata into the KRaft log, which it
 * records in ZooKeeper's /migration (kraft_metadata_offset >= 0; -1 until then). Bounded; the failure
 * names what it waited for and what /migration said.
 */
export async function waitMigrationCompleted(s: Session, inv: Inventory, out: Output, timeoutMs = MIGRATION_TIMEOUT_MS): Promise<void> {
  await out.step('ZooKeeper → KRaft: the metadata migration completed (/migration kraft_metadata_offset >= 0)', async () => {
    let seen = 'ZooKeeper not readable';
    const ok = await waitFor(
      async () => {
        const z = await readMigrationZnode(s, inv);
        seen = z === undefined ? 'ZooKeeper not readable' : z === null ? 'no /migration znode' : `/migration kraft_metadata_offset ${z.kraftMetadataOffset} (controller ${z.kraftControllerId})`;
        return migrationCompleted(z) ? true : undefined;
      },
      { timeoutMs, firstDelayMs: 500, maxDelayMs: 2000 },
    );
    if (!ok.ok) {
      throw new StepFailure(
        `kafka: expected the metadata migration from ZooKeeper to KRaft to complete within ${timeoutMs / 1000}s, saw ${seen}`,
        ExitCode.failed,
        ['the active controller logs "Completed migration of metadata from ZooKeeper to KRaft" when it is done; until then it waits for every broker to register in migration mode (see its server.log)', 'run up again to keep waiting'],
      );
    }
  });
}
