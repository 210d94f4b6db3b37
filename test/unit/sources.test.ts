// http(s) sources: checked in preflight, downloaded once per run into the control machine's cache.
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/commands/plan.js';

describe('sources', () => {
  let base = '';
  let gets = 0;
  const server = createServer((req, res) => {
    if (req.url !== '/dist.tgz') return void res.writeHead(404).end();
    if (req.method === 'GET') gets++;
    res.writeHead(200).end(req.method === 'HEAD' ? undefined : 'tarball bytes');
  });
  const oldHome = process.env.HOME;

  beforeAll(async () => {
    process.env.HOME = mkdtempSync(join(tmpdir(), 'zkafka-cache-'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => {
    server.close();
    process.env.HOME = oldHome;
  });

  const plan = (...sources: string[]): Plan => ({
    installs: sources.map((source, i) => ({ host: `h${i}`, service: 'kafka', home: '/opt/kafka', source })),
    files: [],
    zookeeper: [],
    kafka: [],
    unchanged: [],
  });

  it('preflight names a URL that does not answer, or answers with an error', async () => {
    const { sourceProblems } = await import('../../src/commands/sources.js');
    expect(await sourceProblems(plan(`${base}/dist.tgz`, '/local/file.tgz'))).toEqual([]);
    expect(await sourceProblems(plan(`${base}/missing.tgz`))).toEqual([`source ${base}/missing.tgz answers HTTP 404`]);
    const [problem] = await sourceProblems(plan('http://127.0.0.1:1/dist.tgz'));
    expect(problem).toMatch(/^source http:\/\/127\.0\.0\.1:1\/dist\.tgz cannot be reached/);
  });

  it('downloads a URL once, however many hosts install from it', async () => {
    const { localTarball, cachePath, sourceProblems } = await import('../../src/commands/sources.js');
    const url = `${base}/dist.tgz`;
    const files = await Promise.all([localTarball(url), localTarball(url), localTarball(url)]);
    expect(new Set(files).size).toBe(1);
    expect(files[0]).toBe(cachePath(url));
    expect(readFileSync(files[0]!, 'utf8')).toBe('tarball bytes');
    expect(gets).toBe(1);
    // Cached: preflight no longer needs the server.
    server.closeAllConnections();
    expect(await sourceProblems(plan(url))).toEqual([]);
    await expect(localTarball(`${base}/missing.tgz`)).rejects.toThrow(/cannot download .*HTTP 404/);
  });
});
