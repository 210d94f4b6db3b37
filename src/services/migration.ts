// The ZooKeeper → KRaft migration (KIP-866, Kafka 3.9's "ZooKeeper to KRaft Migration") as a pure
// reading of the hosts. Four phases, each one `zkafka up`:
//   controllers  (a) KRaft controllers deployed in migration mode, pointed at the ensemble;
//   brokers      (b) brokers rolled with the migration settings, then the metadata migration completes;
//   kraft        (c) brokers rolled into KRaft mode;
//   finalize     (d) controllers rolled out of migration mode; then `done`.
// Which phase the cluster is in comes only from what the hosts say: each node's running config form (read
// from the server.properties its process runs with), which processes run, and ZooKeeper's /migration
// znode (written by the active migration controller). No state of zkafka's own, so a re-run continues.

export const MIGRATION_FLAG = 'zookeeper.metadata.migration.enable';
/** A broker's copy of the KRaft metadata log, in its first log dir (a broker in migration or KRaft mode keeps one). */
export const METADATA_LOG_PARTITION = '__cluster_metadata-0';
export const PROCESS_ROLES = 'process.roles';
/** The keys a probe reads from a node's running server.properties to know its form. */
export const FORM_KEYS = [PROCESS_ROLES, MIGRATION_FLAG] as const;

export type NodeForm = 'zookeeper' | 'migration' | 'kraft';

/** A node's form from its server.properties: process.roles → KRaft (with the flag: a migrating controller); the flag alone → a ZooKeeper-mode broker in migration. */
export function formOf(props: { processRoles?: string | undefined; migrationFlag?: string | undefined }): NodeForm {
  const flag = props.migrationFlag?.trim().toLowerCase() === 'true';
  if (props.processRoles?.trim()) return flag ? 'migration' : 'kraft';
  return flag ? 'migration' : 'zookeeper';
}

export interface MigrationNodeFacts {
  id: number;
  running: boolean;
  /** The form of the config file on the host (undefined: no file yet). */
  form?: NodeForm;
  /** The file was written after the process started: the process still runs the form before. */
  stale?: boolean;
  /** Log dirs holding KRaft storage: meta.properties (a controller's formatted dir) or __cluster_metadata-0 (a broker's copy of the metadata log). */
  kraftDirs?: string[];
}

/** ZooKeeper's /migration znode, as the active migration controller writes it. */
export interface MigrationZnode {
  kraftMetadataOffset: number;
  kraftControllerId: number;
  kraftMetadataEpoch: number;
  kraftControllerEpoch: number;
}

/**
 * Parses /migration: {"version":0,"kraft_metadata_offset":-1,"kraft_controller_id":-1,...}. Verified on
 * genuine 3.9.1: the controller creates it with every field -1 when it starts in migration mode (waiting
 * for the brokers); once it has copied ZooKeeper's metadata into the KRaft log ("Completed migration of
 * metadata from ZooKeeper to KRaft") it writes the KRaft log's offset and epoch, >= 0.
 */
export function parseMigrationZnode(data: string): MigrationZnode | undefined {
  try {
    const j = JSON.parse(data) as Record<string, unknown>;
    const n = (k: string) => (typeof j[k] === 'number' ? (j[k] as number) : undefined);
    const offset = n('kraft_metadata_offset');
    if (offset === undefined) return undefined;
    return { kraftMetadataOffset: offset, kraftControllerId: n('kraft_controller_id') ?? -1, kraftMetadataEpoch: n('kraft_metadata_epoch') ?? -1, kraftControllerEpoch: n('kraft_controller_epoch') ?? -1 };
  } catch {
    return undefined;
  }
}

/**
 * Whether ZooKeeper's /controller is a KRaft controller's claim (with a kraftControllerEpoch of 0 or more, or
 * naming one of the controllers): a rollback deletes it so that a broker is elected again; a broker's own
 * claim is left alone (deleting it would only force another election).
 */
export function kraftClaimsController(data: string, controllerIds: number[]): boolean {
  try {
    const j = JSON.parse(data) as Record<string, unknown>;
    // A ZooKeeper-mode broker of 3.9 writes kraftControllerEpoch -1 into its own claim.
    return (typeof j.kraftControllerEpoch === 'number' && j.kraftControllerEpoch >= 0) || (typeof j.brokerid === 'number' && controllerIds.includes(j.brokerid));
  } catch {
    return false;
  }
}

/** The metadata migration has completed: the controller recorded the KRaft log offset it migrated to. */
export const migrationCompleted = (z: MigrationZnode | null | undefined): boolean => !!z && z.kraftMetadataOffset >= 0;

export interface MigrationFacts {
  brokers: MigrationNodeFacts[];
  controllers: MigrationNodeFacts[];
  /** null: ZooKeeper answered, no /migration; undefined: ZooKeeper could not be read. */
  znode: MigrationZnode | null | undefined;
}

export type MigrationPhaseName = 'controllers' | 'brokers' | 'kraft' | 'finalize' | 'done' | RollbackPhaseName;

/**
 * Going back to ZooKeeper mode before phase (d) (`up --rollback`), Kafka's documented revert in two steps:
 *   rollback-brokers    (from c) brokers rolled out of KRaft, back onto their migration-mode file;
 *   rollback-zookeeper  (from a or b) the controllers deprovisioned (stopped, their log dirs moved aside so
 *                       a later attempt starts fresh), /controller and /migration deleted so a broker
 *                       becomes the ZooKeeper-mode controller again, then the brokers rolled onto their
 *                       ZooKeeper-mode file, each broker's copy of the metadata log moved aside;
 *   rolled-back         brokers in ZooKeeper mode, no controller running or formatted: the cluster of before (a).
 */
export type RollbackPhaseName = 'rollback-brokers' | 'rollback-zookeeper' | 'rolled-back';

export const ROLLBACK_PHASES: Array<{ name: Exclude<RollbackPhaseName, 'rolled-back'>; what: string }> = [
  { name: 'rollback-brokers', what: 'brokers rolled out of KRaft mode, back onto their migration-mode file' },
  { name: 'rollback-zookeeper', what: 'controllers deprovisioned, /controller and /migration deleted, brokers rolled back onto their ZooKeeper-mode file' },
];

export const isRollback = (p: MigrationPhaseName): p is RollbackPhaseName => p.startsWith('rollback') || p === 'rolled-back';

export const PHASES: Array<{ name: Exclude<MigrationPhaseName, 'done'>; letter: string; what: string }> = [
  { name: 'controllers', letter: 'a', what: 'KRaft controllers deployed in migration mode, pointed at the ensemble' },
  { name: 'brokers', letter: 'b', what: 'brokers rolled with the migration settings' },
  { name: 'kraft', letter: 'c', what: 'brokers rolled into KRaft mode' },
  { name: 'finalize', letter: 'd', what: 'controllers rolled out of migration mode' },
];

export interface MigrationPhase {
  phase: MigrationPhaseName;
  /** The form each kind of node is rendered in for this phase. */
  brokerForm: NodeForm;
  controllerForm: NodeForm;
  /** Phase (b) with every broker rolled: what up waits for (the metadata migration). */
  waiting?: string;
  /** Why the cluster is in no state zkafka can continue from (preflight refuses). */
  problems: string[];
}

const at = (n: MigrationNodeFacts, form: NodeForm) => n.running && !n.stale && n.form === form;
const ids = (ns: MigrationNodeFacts[]) => ns.map((n) => n.id).join(',');

function target(phase: MigrationPhaseName): Pick<MigrationPhase, 'brokerForm' | 'controllerForm'> {
  switch (phase) {
    case 'controllers':
      return { brokerForm: 'zookeeper', controllerForm: 'migration' };
    case 'brokers':
      return { brokerForm: 'migration', controllerForm: 'migration' };
    case 'kraft':
      return { brokerForm: 'kraft', controllerForm: 'migration' };
    default:
      return { brokerForm: 'kraft', controllerForm: 'kraft' };
  }
}

/**
 * The phase the cluster is in. The furthest evidence wins (a controller out of migration mode: (d); a
 * broker in KRaft: (c); a broker in migration mode: (b)); without any, (a) until every controller runs in
 * migration mode, then (b). A phase whose predecessor has not finished is a problem, with the reason.
 */
export function migrationPhase(f: MigrationFacts): MigrationPhase {
  const problems: string[] = [];
  const mk = (phase: MigrationPhaseName, extra: Partial<MigrationPhase> = {}): MigrationPhase => ({ phase, ...target(phase), problems, ...extra });
  const completed = migrationCompleted(f.znode);
  const kraftControllers = f.controllers.filter((c) => c.form === 'kraft');
  const kraftBrokers = f.brokers.filter((b) => b.form === 'kraft');
  const migrationBrokers = f.brokers.filter((b) => b.form === 'migration');

  if (kraftControllers.length) {
    const notKraft = f.brokers.filter((b) => !at(b, 'kraft'));
    if (notKraft.length) problems.push(`controller(s) ${ids(kraftControllers)} are out of migration mode (phase d) but broker(s) ${ids(notKraft)} do not run in KRaft mode yet (phase c): put the controllers back in migration mode by hand (zkafka does not), see README "Migrating from ZooKeeper"`);
    if (f.controllers.every((c) => at(c, 'kraft'))) return mk('done');
    return mk('finalize');
  }
  if (kraftBrokers.length) {
    if (!completed) problems.push(`broker(s) ${ids(kraftBrokers)} are in KRaft mode, but ZooKeeper's /migration says the metadata migration has not completed (${f.znode === undefined ? 'ZooKeeper not readable' : f.znode === null ? 'no /migration znode' : `kraft_metadata_offset ${f.znode.kraftMetadataOffset}`})`);
    const down = f.controllers.filter((c) => !at(c, 'migration'));
    if (down.length) problems.push(`controller(s) ${ids(down)} do not run in migration mode: phase c needs the migration controllers`);
    if (f.brokers.every((b) => at(b, 'kraft'))) return mk('finalize');
    return mk('kraft');
  }
  if (migrationBrokers.length || f.controllers.every((c) => at(c, 'migration'))) {
    if (!f.brokers.every((b) => at(b, 'migration'))) return mk('brokers');
    if (completed) return mk('kraft');
    const why = f.znode === undefined ? 'ZooKeeper could not be read' : f.znode === null ? 'no /migration znode yet' : `/migration has kraft_metadata_offset ${f.znode.kraftMetadataOffset}`;
    return mk('brokers', { waiting: `the metadata migration from ZooKeeper to KRaft to complete (${why})` });
  }
  const notZk = f.brokers.filter((b) => b.form !== undefined && b.form !== 'zookeeper');
  if (notZk.length) problems.push(`broker(s) ${ids(notZk)} are not in ZooKeeper mode before the controllers run`);
  return mk('controllers');
}

/**
 * Where `up --rollback` stands: the furthest evidence wins again, backwards. A broker still in KRaft (or
 * one whose migration-mode file is not in effect yet): step 1. Otherwise, while a broker is in migration
 * mode or a controller runs or keeps formatted storage: step 2. A controller out of migration mode
 * (phase d) is a problem: the controllers no longer write ZooKeeper, there is no way back.
 */
export function rollbackPhase(f: MigrationFacts): MigrationPhase {
  const problems: string[] = [];
  const mk = (phase: RollbackPhaseName, brokerForm: NodeForm): MigrationPhase => ({ phase, brokerForm, controllerForm: 'migration', problems });
  const finalized = f.controllers.filter((c) => c.form === 'kraft');
  if (finalized.length) {
    problems.push(`controller(s) ${ids(finalized)} are out of migration mode (phase d): the controllers no longer write to ZooKeeper, so there is no way back to ZooKeeper mode (Kafka allows a rollback only before phase d)`);
    return mk('rollback-zookeeper', 'zookeeper');
  }
  const inKraft = f.brokers.filter((b) => b.form === 'kraft' || (b.stale && b.form === 'migration'));
  // The brokers in KRaft need the migration controllers to go back: a stopped one is started first.
  if (inKraft.length) return mk('rollback-brokers', 'migration');
  const pending = f.brokers.some((b) => b.form === 'migration' || b.stale) || f.controllers.some((c) => c.running || (c.kraftDirs?.length ?? 0) > 0);
  return mk(pending ? 'rollback-zookeeper' : 'rolled-back', 'zookeeper');
}

/** `b: brokers rolled with the migration settings` etc., as plan and up name a phase. */
export function phaseTitle(p: MigrationPhaseName): string {
  if (p === 'rolled-back') return 'ZooKeeper → KRaft migration rolled back: the brokers run in ZooKeeper mode, no controller runs';
  if (isRollback(p)) {
    const i = ROLLBACK_PHASES.findIndex((x) => x.name === p);
    return `ZooKeeper → KRaft migration rollback, step ${i + 1} of 2: ${ROLLBACK_PHASES[i]!.what}`;
  }
  if (p === 'done') return 'ZooKeeper → KRaft migration done: the ensemble is no longer used (zkafka down --service zookeeper takes it down)';
  const i = PHASES.findIndex((x) => x.name === p);
  return `ZooKeeper → KRaft migration, phase ${PHASES[i]!.letter} (${i + 1} of 4): ${PHASES[i]!.what}`;
}

export function nextPhase(p: MigrationPhaseName): MigrationPhaseName | undefined {
  if (p === 'rollback-brokers') return 'rollback-zookeeper';
  if (isRollback(p)) return undefined;
  const i = PHASES.findIndex((x) => x.name === p);
  return i < 0 ? undefined : i === PHASES.length - 1 ? 'done' : PHASES[i + 1]!.name;
}

/** Phase names as --phase takes them: a letter or a name. */
export function parsePhaseOption(v: string): MigrationPhaseName | undefined {
  const p = PHASES.find((x) => x.letter === v || x.name === v);
  return p?.name;
}

/** Why asking for phase `asked` is refused when the hosts are in `at` (undefined: allowed). */
export function phaseRequestProblem(asked: MigrationPhaseName, at: MigrationPhase): string | undefined {
  const order = (p: MigrationPhaseName) => (p === 'done' || isRollback(p) ? PHASES.length : PHASES.findIndex((x) => x.name === p));
  if (order(asked) === order(at.phase)) return undefined;
  if (order(asked) < order(at.phase)) return `phase ${asked} is finished: the hosts are in ${phaseTitle(at.phase)}; going back to ZooKeeper mode is zkafka up --rollback (before phase d only)`;
  return `phase ${asked} cannot run yet: the hosts are in ${phaseTitle(at.phase)}${at.waiting ? `, waiting for ${at.waiting}` : ''}; finish it first (zkafka up)`;
}
