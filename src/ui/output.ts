// All of zkafka's output goes through here: people at a terminal get spinners, colour and tables;
// pipelines get plain lines (no TTY) or one JSON document on stdout (--json) with progress on stderr.
import { stripVTControlCharacters } from 'node:util';
import chalk, { Chalk } from 'chalk';
import type { Ora } from 'ora';

export interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  /** Defaults to whether stderr is a terminal. */
  tty?: boolean;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

export type Cell = string | number | boolean | null | undefined;

export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly tty: boolean;
  private readonly out: NodeJS.WritableStream;
  private readonly err: NodeJS.WritableStream;
  readonly color: InstanceType<typeof Chalk>;
  private spinner: Ora | undefined;

  constructor(opts: OutputOptions = {}) {
    this.json = !!opts.json;
    this.quiet = !!opts.quiet;
    this.verbose = !!opts.verbose;
    this.out = opts.stdout ?? process.stdout;
    this.err = opts.stderr ?? process.stderr;
    this.tty = opts.tty ?? !!(process.stderr.isTTY && process.stdout.isTTY);
    // Colour for people at a terminal, unless they said NO_COLOR (or FORCE_COLOR=0).
    const noColor = 'NO_COLOR' in process.env || process.env.FORCE_COLOR === '0';
    this.color = new Chalk({ level: this.tty && !this.json && !noColor ? chalk.level || 1 : 0 });
  }

  /** Human-readable result text (suppressed with --json, where `result` carries the data). */
  print(text: string): void {
    if (this.json) return;
    this.withSpinnerPaused(() => this.out.write(text.endsWith('\n') ? text : `${text}\n`));
  }

  /** Progress and notes: stderr, silenced by --quiet. */
  info(text: string): void {
    if (this.quiet) return;
    this.withSpinnerPaused(() => this.err.write(`${text}\n`));
  }

  warn(text: string): void {
    this.withSpinnerPaused(() => this.err.write(`${this.color.yellow('warning:')} ${text}\n`));
  }

  error(text: string, details: string[] = []): void {
    this.stopSpinner();
    this.err.write(`${this.color.red('error:')} ${text}\n`);
    for (const d of details) this.err.write(`  ${d}\n`);
  }

  /** --verbose only: remote commands and their output. Never pass secrets here unredacted. */
  debug(text: string): void {
    if (!this.verbose) return;
    this.withSpinnerPaused(() => this.err.write(`${this.color.gray(text)}\n`));
  }

  /** The machine-readable result of a command: one JSON document on stdout with --json. */
  result(value: unknown): void {
    if (this.json) this.out.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** Runs `fn` as a named step: a spinner at a TTY, one line when it ends otherwise. */
  async step<T>(title: string, fn: () => Promise<T>): Promise<T> {
    const started = Date.now();
    const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
    const live = this.tty && !this.quiet && !this.json && !this.verbose;
    if (live) {
      const { default: ora } = await import('ora');
      this.spinner = ora({ text: title, stream: this.err as NodeJS.WriteStream }).start();
    }
    try {
      const value = await fn();
      if (live) this.spinner?.succeed(`${title} ${this.color.gray(elapsed())}`);
      else this.info(`ok    ${title} (${elapsed()})`);
      return value;
    } catch (e) {
      if (live) this.spinner?.fail(title);
      else this.info(`FAIL  ${title} (${elapsed()})`);
      throw e;
    } finally {
      this.spinner = undefined;
    }
  }

  /** A table for people; columns are aligned on plain text. */
  table(headers: string[], rows: Cell[][]): void {
    if (this.json) return;
    const text = rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))));
    // Widths of what shows: colour codes take no room on the screen.
    const visible = (c: string) => stripVTControlCharacters(c).length;
    const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => visible(r[i] ?? ''))));
    const line = (cells: string[]) =>
      cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - visible(c))))).join('  ').trimEnd();
    this.print(this.color.bold(line(headers)));
    for (const r of text) this.print(line(r));
  }

  private withSpinnerPaused(write: () => void): void {
    const s = this.spinner;
    if (s?.isSpinning) {
      s.clear();
      write();
      s.render();
    } else write();
  }

  private stopSpinner(): void {
    if (this.spinner?.isSpinning) this.spinner.stop();
  }
}
