// The package a user installs: `npm pack` (which builds dist/ itself, through prepack), then
// `npm install -g --prefix` of the tarball into an empty folder, then the installed `zkafka` run from
// outside the source tree. Needs npm and its registry (or a cache holding zkafka's dependencies).
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, listFiles, tempDir } from './helpers.js';

const GOLDEN = join(ROOT, 'test/unit/golden/example');

function run(cmd: string, args: string[], cwd: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
  delete env.ZKAFKA_INVENTORY;
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

let work: string;
let tarball: string;
let entries: string[];
let zkafkaBin: string;
let installed: string;

let source: string;

beforeAll(() => {
  work = tempDir('zkafka-pack-');
  // The pack runs in a copy of the project: prepack empties and rebuilds dist/, which must not pull the
  // CLI away from tests running at the same time.
  source = join(work, 'source');
  mkdirSync(source);
  for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'src', 'bin', 'templates', 'README.md', 'LICENSE', 'inventory.example.yaml']) {
    cpSync(join(ROOT, f), join(source, f), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(source, 'node_modules'));
  // A leftover of an earlier build must not be shipped: the pack starts from an empty dist/.
  mkdirSync(join(source, 'dist'), { recursive: true });
  writeFileSync(join(source, 'dist', 'stale-leftover.js'), 'throw new Error("stale");\n');
  const packed = run('npm', ['pack', '--pack-destination', work, '--json'], source);
  expect(packed.code, packed.stderr).toBe(0);
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string }>;
  tarball = join(work, info!.filename);
  const listing = run('tar', ['-tzf', tarball], work);
  expect(listing.code, listing.stderr).toBe(0);
  entries = listing.stdout.split('\n').filter(Boolean).map((e) => e.replace(/^package\//, ''));

  const prefix = join(work, 'prefix');
  const inst = run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], work);
  expect(inst.code, inst.stderr).toBe(0);
  zkafkaBin = join(prefix, 'bin', 'zkafka');
  installed = join(prefix, 'lib', 'node_modules', 'zkafka');
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('holds the compiled code, bin, templates, README and LICENSE', () => {
    for (const f of ['package.json', 'bin/zkafka.js', 'dist/cli.js', 'dist/inventory/load.js', 'templates/zoo.cfg', 'templates/myid', 'templates/server.properties', 'README.md', 'LICENSE', 'inventory.example.yaml']) {
      expect(entries, f).toContain(f);
    }
    // Every compiled module of src/ is in it (the pack built dist/ itself).
    const sources = listFiles(join(ROOT, 'src')).filter((f) => f.endsWith('.ts'));
    expect(sources.length).toBeGreaterThan(20);
    for (const s of sources) expect(entries, s).toContain(`dist/${s.replace(/\.ts$/, '.js')}`);
    expect(entries).not.toContain('dist/stale-leftover.js');
    expect(existsSync(join(source, 'dist', 'stale-leftover.js'))).toBe(false);
  });

  it('holds nothing of the tests, the sources or the lab', () => {
    const stray = entries.filter((e) => /^(test|src|bench|scripts|build|coverage|node_modules|\.ci)\//.test(e) || e.endsWith('.map') || e.endsWith('.ts'));
    expect(stray).toEqual([]);
  });

  it('carries the Apache-2.0 licence the package declares', () => {
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { license: string; dependencies: Record<string, string> };
    expect(pkg.license).toBe('Apache-2.0');
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toContain('Apache License\n                           Version 2.0, January 2004');
    expect(Object.keys(pkg.dependencies)).not.toContain('ini');
  });
});

describe('the installed zkafka', () => {
  it('prints its version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = run(zkafkaBin, ['--version'], work);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('validates the example inventory', () => {
    const r = run(zkafkaBin, ['validate', join(ROOT, 'inventory.example.yaml')], work);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('valid. Cluster runbook: 3 host(s), ZooKeeper ensemble of 3, 3 Kafka broker(s).');
  });

  it('refuses a bad inventory with exit 2', () => {
    const r = run(zkafkaBin, ['validate', join(ROOT, 'test/unit/fixtures/no-such.yaml')], work);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no-such.yaml not found');
  });

  it('renders the example inventory exactly as the golden files, with the templates of the installed package', () => {
    const out = join(work, 'out');
    const r = run(zkafkaBin, ['render', join(installed, 'inventory.example.yaml'), '--out', out], work);
    expect(r.code, r.stderr).toBe(0);
    const golden = listFiles(GOLDEN);
    expect(listFiles(out)).toEqual(golden);
    for (const rel of golden) expect(readFileSync(join(out, rel), 'utf8'), rel).toBe(readFileSync(join(GOLDEN, rel), 'utf8'));

    // The templates come from the installed package, not from this source tree.
    appendFileSync(join(installed, 'templates', 'zoo.cfg'), '# from the installed package\n');
    const out2 = join(work, 'out2');
    expect(run(zkafkaBin, ['render', join(installed, 'inventory.example.yaml'), '--out', out2], work).code).toBe(0);
    const zooCfg = listFiles(out2).find((f) => f.endsWith('/conf/zoo.cfg'))!;
    expect(readFileSync(join(out2, zooCfg), 'utf8')).toContain('# from the installed package\n');
    expect(readFileSync(join(ROOT, 'templates', 'zoo.cfg'), 'utf8')).not.toContain('from the installed package');
  });
});
