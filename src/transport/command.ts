// Remote commands are data: an argv array (plus environment and working directory), turned into one
// shell string here and nowhere else, with every element single-quoted. Environment values are
// redacted when a command is displayed, since they may hold secrets (KAFKA_OPTS with passwords).

export interface Command {
  argv: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Text fed to the command's standard input. */
  stdin?: string;
  /** Milliseconds; defaults to the host's commandTimeout. */
  timeoutMs?: number;
  /** Shown instead of the command in --verbose output, when its arguments carry file contents. */
  display?: string;
  /** Its output holds file contents: --verbose shows only its size. */
  secretOutput?: boolean;
}

/** What --verbose shows of a finished command. */
export function describeResult(cmd: Command, r: ExecResult): string {
  if (cmd.secretOutput) return `exit ${r.code} (${r.stdout.length} bytes of file contents not shown)`;
  return `exit ${r.code}${r.stdout ? `\n${r.stdout.trimEnd()}` : ''}${r.stderr ? `\n${r.stderr.trimEnd()}` : ''}`;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** POSIX shell quoting: 'it'\''s'. Plain words are left bare so commands stay readable. */
export function quote(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_\/.,:=@%+-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function shellString(cmd: Command, redact = false): string {
  if (redact && cmd.display) return cmd.display;
  const parts: string[] = [];
  if (cmd.cwd) parts.push(`cd ${quote(cmd.cwd)} &&`);
  const envEntries = Object.entries(cmd.env ?? {});
  if (envEntries.length) {
    parts.push('env');
    for (const [k, v] of envEntries) parts.push(redact ? `${k}=***` : quote(`${k}=${v}`));
  }
  parts.push(...cmd.argv.map(quote));
  return parts.join(' ');
}

/** `sh -c SCRIPT zkafka ARGS...`: a constant script that receives inventory values as $1, $2, ... */
export function script(body: string, ...args: string[]): string[] {
  return ['sh', '-c', body, 'zkafka', ...args];
}

const SECRET_KEY = /(password|passwd|secret|jaas|token|credential|private)/i;

/** A `key=value` config line with a secret-looking key, shown as `key=***` in diffs and logs. */
export function redactSetting(line: string): string {
  const m = /^([-+ ]?\s*)([^=:\s]+)(\s*[=:]\s*)(.*)$/.exec(line);
  return m && SECRET_KEY.test(m[2]!) && m[4] ? `${m[1]}${m[2]}${m[3]}***` : line;
}
