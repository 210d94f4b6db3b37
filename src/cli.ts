// The command line: parses arguments, runs one command, and is the one place where errors become
// messages and exit codes (see errors.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { packageRoot } from './paths.js';
import { Output } from './ui/output.js';
import { ExitCode, UserError, InventoryError, formatProblem } from './errors.js';
import { loadInventory } from './inventory/load.js';
import { validateCommand } from './commands/validate.js';
import { renderCommand } from './commands/render.js';
// Commands that reach hosts are loaded when run, so that validate and render start fast.
const commands = {
  up: () => import('./commands/up.js'),
  status: () => import('./commands/status.js'),
  down: () => import('./commands/down.js'),
  plan: () => import('./commands/plan-command.js'),
  restart: () => import('./commands/restart.js'),
};

interface GlobalOptions {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

const DEFAULT_INVENTORY = 'inventory.yaml';

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

export function inventoryPath(arg: string | undefined): string {
  return arg ?? process.env.ZKAFKA_INVENTORY ?? DEFAULT_INVENTORY;
}

export async function main(argv: string[]): Promise<number> {
  let out = new Output();
  const program = new Command('zkafka')
    .description('Stand up, check and take down a ZooKeeper ensemble and the Kafka brokers on it, over SSH.')
    .version(packageVersion(), '-V, --version')
    .option('--json', 'print one JSON document on stdout (progress goes to stderr)')
    .option('-q, --quiet', 'print only results and errors')
    .option('-v, --verbose', 'show each remote command and its output, and stack traces of internal errors')
    .exitOverride()
    .hook('preAction', (cmd) => {
      out = new Output(cmd.optsWithGlobals<GlobalOptions>());
    });

  program
    .command('validate')
    .description('check an inventory and summarise it')
    .argument('[inventory]', `inventory file (default: $ZKAFKA_INVENTORY or ./${DEFAULT_INVENTORY})`)
    .action((file: string | undefined) => {
      validateCommand(loadInventory(inventoryPath(file)), out);
    });

  program
    .command('render')
    .description("write every host's files to DIR/<host>/<remote path>")
    .argument('[inventory]', `inventory file (default: $ZKAFKA_INVENTORY or ./${DEFAULT_INVENTORY})`)
    .requiredOption('-o, --out <dir>', 'output folder')
    .addOption(new Option('--templates <dir>', 'templates that replace the built-in ones, file by file'))
    .action((file: string | undefined, opts: { out: string; templates?: string }) => {
      renderCommand(loadInventory(inventoryPath(file)), opts.out, out, opts.templates);
    });

  /** Loads the inventory for a command that reaches hosts; its warnings are shown, not fatal. */
  const inventory = (file: string | undefined) => {
    const inv = loadInventory(inventoryPath(file));
    for (const w of inv.warnings) out.warn(formatProblem(w));
    return inv;
  };
  const inventoryArg = `inventory file (default: $ZKAFKA_INVENTORY or ./${DEFAULT_INVENTORY})`;
  const hostList = (v: string) => v.split(',').map((h) => h.trim()).filter(Boolean);
  const skipHelp = 'go on without hosts that cannot be reached (they are left out and count as down)';
  type ScopeOpts = { hosts?: string[]; skipUnreachable?: boolean };
  const inSyncOption = () =>
    new Option('--in-sync-timeout <seconds>', 'how long a rolling restart waits for under-replicated partitions before stopping a broker (default: $ZKAFKA_IN_SYNC_TIMEOUT or 300)').argParser((v: string) => {
      if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0) throw new InvalidArgumentError('a positive number of seconds');
      return Number(v) * 1000;
    });
  const rollbackOption = () => new Option('--rollback', 'ZooKeeper → KRaft migration, before phase d: go back to ZooKeeper mode (Kafka\'s documented revert: brokers out of KRaft, controllers deprovisioned, brokers back in ZooKeeper mode)');
  // Commander names the option after its flag; the commands take it in milliseconds, by that name.
  const rollOptions = <T extends { inSyncTimeout?: number }>({ inSyncTimeout, ...rest }: T) => ({ ...rest, ...(inSyncTimeout ? { inSyncTimeoutMs: inSyncTimeout } : {}) });
  let exit: number = ExitCode.ok;

  program
    .command('up')
    .description('install, configure and start the ensemble, then the brokers, checking each step')
    .argument('[inventory]', inventoryArg)
    .option('--hosts <names>', 'only these hosts (comma-separated)', hostList)
    .option('--skip-unreachable', skipHelp)
    .option('--break-lock', 'take over the run lock left by a killed run')
    .addOption(inSyncOption())
    .option('--one-phase', 'stop after the first phase of a version change (to check the cluster on the new binaries before the protocol is lifted)')
    .addOption(new Option('--phase <phase>', 'ZooKeeper → KRaft migration: run only if the hosts are in this phase (a|controllers, b|brokers, c|kraft, d|finalize)').choices(['a', 'b', 'c', 'd', 'controllers', 'brokers', 'kraft', 'finalize']).conflicts('rollback'))
    .addOption(rollbackOption())
    .action(async (file: string | undefined, opts: ScopeOpts & { breakLock?: boolean; inSyncTimeout?: number; onePhase?: boolean; phase?: string; rollback?: boolean }) => {
      exit = await (await commands.up()).upCommand(inventory(file), out, { ...rollOptions(opts), ...(opts.onePhase ? { onePhase: true } : {}), ...(opts.phase ? { phase: opts.phase } : {}), ...(opts.rollback ? { rollback: true } : {}) });
    });

  program
    .command('plan')
    .description('show what up would do, with a diff of every changed file (exit 3 when changes are pending)')
    .argument('[inventory]', inventoryArg)
    .addOption(rollbackOption())
    .action(async (file: string | undefined, opts: { rollback?: boolean }) => {
      exit = await (await commands.plan()).planCommand(inventory(file), out, { rollback: !!opts.rollback });
    });

  program
    .command('restart')
    .description('rolling restart: ZooKeeper followers first and the leader last, then brokers with the controller last')
    .argument('[inventory]', inventoryArg)
    .option('--hosts <names>', 'only these hosts (comma-separated)', hostList)
    .option('--skip-unreachable', skipHelp)
    .addOption(new Option('--service <service>', 'only this service').choices(['zookeeper', 'kafka']))
    .option('--break-lock', 'take over the run lock left by a killed run')
    .addOption(inSyncOption())
    .action(async (file: string | undefined, opts: ScopeOpts & { service?: 'zookeeper' | 'kafka'; breakLock?: boolean; inSyncTimeout?: number }) => {
      exit = await (await commands.restart()).restartCommand(inventory(file), out, rollOptions(opts));
    });

  program
    .command('status')
    .description('what runs where: ZooKeeper modes, brokers registered, the controller (exit 1 unless healthy)')
    .argument('[inventory]', inventoryArg)
    .action(async (file: string | undefined) => {
      exit = await (await commands.status()).statusCommand(inventory(file), out);
    });

  program
    .command('down')
    .description('stop the brokers, then the ensemble, in reverse order')
    .argument('[inventory]', inventoryArg)
    .option('--hosts <names>', 'only these hosts (comma-separated)', hostList)
    .option('--skip-unreachable', skipHelp)
    .option('--purge', 'also delete data and log directories')
    .option('-y, --yes', 'do not ask before --purge')
    .option('--break-lock', 'take over the run lock left by a killed run')
    .addOption(new Option('--service <service>', 'only this service (zookeeper: the ensemble a finished ZooKeeper → KRaft migration no longer uses)').choices(['zookeeper', 'kafka']))
    .action(async (file: string | undefined, opts: ScopeOpts & { purge?: boolean; yes?: boolean; breakLock?: boolean; service?: 'zookeeper' | 'kafka' }) => {
      exit = await (await commands.down()).downCommand(inventory(file), out, opts);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exit;
  } catch (e) {
    return handleError(e, out);
  }
}

function handleError(e: unknown, out: Output): number {
  if (e instanceof CommanderError) {
    // Help and version are not errors; every other usage problem is exit 2.
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return ExitCode.ok;
    return ExitCode.usage;
  }
  if (e instanceof InventoryError) {
    if (out.json) out.result({ valid: false, problems: e.problems });
    out.error(e.message, e.details);
    return e.exitCode;
  }
  if (e instanceof UserError) {
    if (out.json) out.result({ error: e.message, details: e.details });
    out.error(e.message, e.details);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  out.error(`internal error: ${err.message}${out.verbose ? '' : ' (run with --verbose for the stack trace)'}`, out.verbose && err.stack ? err.stack.split('\n') : []);
  return ExitCode.internal;
}
