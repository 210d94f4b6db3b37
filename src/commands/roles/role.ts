// A role is one kind of service process in the cluster (a ZooKeeper member, a Kafka broker, later a
// KRaft controller), as a module: its nodes, how to start and stop one, what must hold before a stop,
// when a started one counts as up, which node goes last in a roll, and the role's check at the end of a
// run. The orchestrator (../orchestrate.ts) walks the roles in order and never knows which is which.
import type { Inventory } from '../../inventory/model.js';
import type { ServiceName } from '../../render/files.js';
import type { Output } from '../../ui/output.js';
import { ExitCode, UserError } from '../../errors.js';
import { logTail } from '../../services/remote.js';
import type { ServiceStep } from '../plan.js';
import type { Scope } from '../scope.js';
import type { Session } from '../session.js';
import { StartExited, type StartAttempt } from '../start-retry.js';
import type { ClusterState } from '../state.js';

/** How long one service may take to come up or go down. */
export const SERVICE_TIMEOUT_MS = Number(process.env.ZKAFKA_SERVICE_TIMEOUT ?? 90) * 1000;

export class StepFailure extends UserError {}

/** What one run carries through its steps: the hosts it may touch, and the start attempts that failed. */
export interface RunContext {
  scope: Scope;
  attempts: StartAttempt[];
}

export interface ApplyOptions {
  /** How long a roll waits for under-replicated partitions before stopping a broker (default IN_SYNC_TIMEOUT_MS). */
  inSyncTimeoutMs?: number;
}

export interface LogFiles {
  dir: string;
  patterns: string[];
}

export interface RoleNode {
  id: number;
  host: string;
}

/** One run's dealings with a role: what its checks share (a ZooKeeper session) lives here. */
export interface RoleRun<N extends RoleNode> {
  /** What must hold before `n` stops in a roll (the rest serving, partitions in sync); waits, bounded. */
  beforeStop(n: N): Promise<void>;
  stop(n: N, pid: number): Promise<void>;
  /** Starts `n` and returns when it is up by the role's own measure (serving, registered). */
  start(n: N): Promise<void>;
  /** After a start in a plan: what must hold before the next step goes (a member back in the ensemble). */
  afterStart(n: N, step: ServiceStep): Promise<void>;
  /** The role's check when its steps are done (or when it had none). */
  settle(steps: ServiceStep[]): Promise<void>;
  close(): Promise<void>;
}

export interface Role<N extends RoleNode = RoleNode> {
  service: ServiceName;
  /** The plan's steps for this role. */
  steps(plan: { zookeeper: ServiceStep[]; kafka: ServiceStep[] }, inv: Inventory): ServiceStep[];
  nodes(inv: Inventory): N[];
  /** `ZooKeeper member 1`, `broker 0`: as messages name it. */
  label(n: N): string;
  /** `ZooKeeper member 1`, `Kafka broker 0`: as plan steps name it. */
  title(n: N): string;
  /** The pid the state saw for `n`. */
  pid(state: ClusterState, n: N): number | undefined;
  /** The node a roll restarts last and `down` stops last (the leader, the controller), if any. */
  last(state: ClusterState): number | undefined;
  /** What that last node is: `leader`, `controller`. */
  lastIs: string;
  /** The console log the start script truncates on every start (the last attempt only). */
  consoleLog(n: N): LogFiles;
  open(s: Session, inv: Inventory, state: ClusterState, out: Output, opts: ApplyOptions, ctx: RunContext): RoleRun<N>;
}

export async function failWithLog(s: Session, host: string, step: string, expected: string, seen: string, log: LogFiles, exited = false): Promise<never> {
  let tail: string[] = [];
  try {
    const r = await s.exec(host, logTail(log.dir, log.patterns, 20));
    tail = r.stdout.trimEnd().split('\n');
  } catch {
    tail = ['(could not read the log)'];
  }
  const Failure = exited ? StartExited : StepFailure;
  throw new Failure(`${host}: ${step}: expected ${expected}, saw ${seen}`, ExitCode.failed, [`last lines of the log on ${host}:`, ...tail]);
}
