// Two kinds of failure: the user's (bad inventory, unreachable host, unhealthy service: one clear message
// and a documented exit code) and zkafka's own bugs (anything else: a stack trace with --verbose).
// Both are caught in one place, src/cli.ts.

export const ExitCode = {
  ok: 0,
  /** A step failed or the cluster is not healthy. */
  failed: 1,
  /** Invalid inventory, template or command-line usage. */
  usage: 2,
  /** `plan`: changes are pending. */
  changes: 3,
  /** A bug in zkafka. */
  internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.failed,
    /** Extra lines shown under the message (e.g. the tail of a service log). */
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export interface Problem {
  /** `FILE:LINE:COL` where known, else the file. */
  where: string;
  /** Dotted YAML path, e.g. `hosts[1].zookeeper.id`. */
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

export function formatProblem(p: Problem): string {
  return `${p.where}  ${p.path || '(top level)'}  ${p.message}`;
}

/** An inventory (or template) that failed validation: every problem, reported at once. */
export class InventoryError extends UserError {
  constructor(readonly problems: Problem[]) {
    const errors = problems.filter((p) => p.severity === 'error');
    super(
      `invalid inventory: ${errors.length} problem${errors.length === 1 ? '' : 's'}`,
      ExitCode.usage,
      problems.map((p) => (p.severity === 'warning' ? `warning: ${formatProblem(p)}` : formatProblem(p))),
    );
    this.name = 'InventoryError';
  }
}
