// Shared by the unit tests: builds dist/ once when it is older than src/, runs the CLI as a user would,
// and writes small inventories to temporary folders.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseInventory } from '../../src/inventory/load.js';
import type { Inventory } from '../../src/inventory/model.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(ROOT, 'bin', 'zkafka.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Compiles src/ into dist/ when dist/cli.js is missing or older than any source file. */
export function ensureBuilt(): void {
  const entry = join(ROOT, 'dist', 'cli.js');
  if (existsSync(entry) && statSync(entry).mtimeMs >= newestMtime(join(ROOT, 'src'))) return;
  // Other parts of src/ may be mid-edit and fail to type-check; tsc still emits, which is all we need.
  spawnSync('npx', ['tsc', '-p', '.'], { cwd: ROOT, stdio: 'ignore' });
  if (!existsSync(entry)) throw new Error('npx tsc -p . did not produce dist/cli.js');
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/zkafka.js ARGS` without colours or a TTY. */
export function zkafka(args: string[], opts: { cwd?: string } = {}): RunResult {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
  delete env.ZKAFKA_INVENTORY;
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? ROOT, encoding: 'utf8', env });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix = 'zkafka-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes `files` (relative path → content) under `dir`. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
}

/** Every file under `dir`, as paths relative to it, sorted. */
export function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

/** Three hosts a, b, c, each a ZooKeeper member (ids 1-3) and a broker (ids 0-2): the plan and roll tests' cluster. */
export function threeHosts(): Inventory {
  return parseInventory(
    `zookeeper: { home: /opt/zk, source: /dist/zk.tgz, metrics: { enabled: false } }
kafka: { home: /opt/kafka, version: 3.9.1, source: /dist/kafka.tgz }
hosts:
  - { name: a, address: 198.18.0.11, zookeeper: { id: 1 }, kafka: { id: 0 } }
  - { name: b, address: 198.18.0.12, zookeeper: { id: 2 }, kafka: { id: 1 } }
  - { name: c, address: 198.18.0.13, zookeeper: { id: 3 }, kafka: { id: 2 } }
`,
    '/tmp/inventory.yaml',
  );
}
