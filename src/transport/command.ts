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
