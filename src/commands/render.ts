import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Output } from '../ui/output.js';
import type { Inventory } from '../inventory/model.js';
import { renderInventory } from '../render/files.js';

/** Writes each host's files to DIR/<host name>/<absolute remote path>. */
export function renderCommand(inv: Inventory, outDir: string, out: Output, templatesDir?: string): void {
  const files = renderInventory(inv, templatesDir);
  for (const f of files) {
    const target = join(outDir, f.host, f.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, f.content);
    chmodSync(target, f.mode);
  }
  out.result({ out: outDir, files: files.map((f) => ({ host: f.host, path: f.path, file: join(outDir, f.host, f.path) })) });
  out.print(`wrote ${files.length} file(s) for ${inv.hosts.length} host(s) under ${outDir}`);
  for (const f of files) out.info(`  ${join(f.host, f.path)}`);
}
