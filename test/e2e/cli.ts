// Helpers for end-to-end tests: run the built zkafka CLI against an inventory of the lab.
import { execa } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, type Lab } from '../lab/lab.js';
// @ts-expect-error: a plain .mjs module shared with scripts/demo.sh
import { labInventory } from '../lab/lab-inventory.mjs';

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function zkafka(args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CliResult> {
  const r = await execa('node', [join(REPO_ROOT, 'bin', 'zkafka.js'), ...args], {
    reject: false,
    stdin: 'ignore',
    timeout: opts.timeoutMs ?? 300_000,
    env: { ...opts.env, FORCE_COLOR: '0' },
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

export async function zkafkaJson<T = any>(args: string[], env?: Record<string, string>): Promise<{ exitCode: number; json: T; stderr: string }> {
  const r = await zkafka([...args, '--json'], env ? { env } : {});
  let json: T;
  try {
    json = JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`zkafka ${args.join(' ')} printed no JSON (exit ${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
  }
  return { exitCode: r.exitCode, json, stderr: r.stderr };
}

/** Writes an inventory for the lab into a fresh temporary folder; returns its path. */
export function writeLabInventory(lab: Lab, opts: Record<string, unknown> = {}, extraHosts = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'zkafka-e2e-'));
  const file = join(dir, 'inventory.yaml');
  writeFileSync(file, labInventory(lab, opts) + extraHosts);
  return file;
}
