// The roles of a ZooKeeper → KRaft migration (see ../../services/migration.ts for the phases): the
// ensemble; the dedicated KRaft controllers (the KRaft controller role, in migration mode or plain);
// the brokers, with the role of the form the phase gives them: the ZooKeeper-mode broker role while they
// run in ZooKeeper or migration mode (registered under /brokers/ids, the in-sync gate from ZooKeeper),
// the KRaft broker role once the phase rolls them into KRaft (registered with the controllers).
import type { Broker, Inventory } from '../../inventory/model.js';
import { ExitCode } from '../../errors.js';
import { migrationCompleted, type NodeForm } from '../../services/migration.js';
import type { Output } from '../../ui/output.js';
import type { Session } from '../session.js';
import { readMigrationZnode } from '../state.js';
import { waitFor } from '../wait.js';
import { kafkaRole } from './kafka.js';
import { kraftBrokerRole } from './kraft-broker.js';
import { kraftControllerRole } from './kraft-controller.js';
import { StepFailure, type Role } from './role.js';
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

/** In start order: the ensemble, the controllers, the brokers. */
export function migrationRoles(brokerForm: NodeForm): Role[] {
  return [zookeeperRole as unknown as Role, migrationControllerRole as unknown as Role, migrationBrokerRole(brokerForm) as unknown as Role];
}

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
