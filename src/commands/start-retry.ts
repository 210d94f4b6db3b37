// Starts that fail for a reason a retry can fix are retried: a bounded number of attempts with a short
// pause, each failed attempt shown as it happens and kept for --json. What counts as transient is read
// from the service's console log of that attempt (services/start-failure.ts); a lasting or unknown
// cause fails at once, with the log tail as before.
import type { Output } from '../ui/output.js';
import { UserError } from '../errors.js';
import type { ServiceName } from '../render/files.js';
import { logTail } from '../services/remote.js';
import { classifyStartFailure, type StartFailureKind } from '../services/start-failure.js';
import type { Session } from './session.js';

/** Attempts per start, including the first (ZKAFKA_START_ATTEMPTS). */
export const START_ATTEMPTS = Math.max(1, Number(process.env.ZKAFKA_START_ATTEMPTS ?? 3) || 3);
export const RETRY_PAUSE_MS = 2_000;

/** A start in which the service's process exited (or never showed): the case that may be retried. */
export class StartExited extends UserError {}

export interface StartAttempt {
  host: string;
  service: ServiceName;
  id: number;
  attempt: number;
  kind: StartFailureKind;
  reason: string;
  retried: boolean;
}

export interface Startable {
  host: string;
  service: ServiceName;
  id: number;
  /** `broker 0`, `ZooKeeper member 1`. */
  label: string;
  /** The console log the start script truncates on every start. */
  consoleLog: { dir: string; patterns: string[] };
}

/** The text of the attempt that just failed (its console log), or '' when it cannot be read. */
async function attemptLog(s: Session, x: Startable): Promise<string> {
  try {
    return (await s.exec(x.host, logTail(x.consoleLog.dir, x.consoleLog.patterns, 100_000))).stdout;
  } catch (e) {
    if (e instanceof UserError) return '';
    throw e;
  }
}

export function describeAttempt(a: StartAttempt): string {
  return `attempt ${a.attempt} of ${START_ATTEMPTS}: ${a.kind === 'transient' ? 'transient' : a.kind === 'lasting' ? 'lasting' : 'unrecognised'} failure: ${a.reason}`;
}

export async function startWithRetries(s: Session, out: Output, x: Startable, attempts: StartAttempt[], start: () => Promise<void>, pauseMs = RETRY_PAUSE_MS): Promise<void> {
  const mine: StartAttempt[] = [];
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      return;
    } catch (e) {
      if (!(e instanceof StartExited)) throw e;
      const c = classifyStartFailure(x.service, await attemptLog(s, x));
      const retried = c.kind === 'transient' && attempt < START_ATTEMPTS;
      const a: StartAttempt = { host: x.host, service: x.service, id: x.id, attempt, kind: c.kind, reason: c.reason, retried };
      attempts.push(a);
      mine.push(a);
      if (!retried) {
        const verdict =
          c.kind === 'transient' ? `still failing after ${attempt} attempt(s): ${c.reason}` : c.kind === 'lasting' ? `not retried (a lasting cause): ${c.reason}` : 'not retried: no known transient cause in its log';
        throw new UserError(`${e.message}; ${verdict}`, e.exitCode, [...mine.map(describeAttempt), ...(c.evidence ? [`log: ${c.evidence}`] : []), ...e.details]);
      }
      out.info(`${x.host}: ${x.label} did not start, ${describeAttempt(a)}; starting it again in ${pauseMs / 1000}s`);
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  }
}
