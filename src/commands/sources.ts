// Distribution sources: a local tarball is used as it is; an http(s) URL is downloaded once into the
// control machine's cache (~/.cache/zkafka), then uploaded like a local one.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { UserError } from '../errors.js';
import type { Plan } from './plan.js';

const DOWNLOAD_TIMEOUT_MS = 30 * 60 * 1000;
const downloads = new Map<string, Promise<string>>();

export const isUrl = (source: string) => /^https?:\/\//i.test(source);

/** Where a URL's download is kept on the control machine. */
export function cachePath(url: string): string {
  const dir = join(homedir(), '.cache', 'zkafka', createHash('sha256').update(url).digest('hex').slice(0, 16));
  return join(dir, basename(new URL(url).pathname) || 'dist.tgz');
}

/** The local file for a source, downloading a URL once per run (and once per cache). */
export function localTarball(source: string): Promise<string> {
  if (!isUrl(source)) return Promise.resolve(source);
  let p = downloads.get(source);
  if (!p) {
    p = download(source);
    downloads.set(source, p);
  }
  return p;
}

async function download(url: string): Promise<string> {
  const file = cachePath(url);
  if (existsSync(file)) return file;
  const res = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) }).catch((e: Error) => {
    throw new UserError(`cannot download ${url}: ${e.message}`);
  });
  if (!res.ok) throw new UserError(`cannot download ${url}: HTTP ${res.status}`);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(`${file}.part`, Buffer.from(await res.arrayBuffer()));
  renameSync(`${file}.part`, file);
  return file;
}

/** Preflight: every URL still to be downloaded answers a HEAD request, before anything changes. */
export async function sourceProblems(plan: Plan): Promise<string[]> {
  const urls = [...new Set(plan.installs.map((i) => i.source).filter((u): u is string => !!u && isUrl(u) && !existsSync(cachePath(u))))];
  const problems = await Promise.all(
    urls.map(async (url) => {
      try {
        const res = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(15_000) });
        return res.ok ? undefined : `source ${url} answers HTTP ${res.status}`;
      } catch (e) {
        return `source ${url} cannot be reached: ${(e as Error).message}`;
      }
    }),
  );
  return problems.filter((p): p is string => !!p);
}
