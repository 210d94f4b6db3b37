// The local transport runs the same shell strings as SSH does, on this machine.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalTransport } from '../../src/transport/local.js';
import { moveAside, writeFiles } from '../../src/services/remote.js';

const log = { debug: () => undefined };

describe('LocalTransport', () => {
  const t = new LocalTransport('control', 10_000, log);
  const dir = mkdtempSync(join(tmpdir(), 'zkafka-local-'));

  it('runs commands with their environment and working directory, and reports the exit code', async () => {
    const r = await t.exec({ argv: ['sh', '-c', 'printf "%s %s" "$GREETING" "$(pwd)"; exit 3'], env: { GREETING: "it's me" }, cwd: dir });
    expect(r).toEqual({ code: 3, stdout: `it's me ${dir}`, stderr: '' });
    expect(t.stats.commands).toBe(1);
  });

  it('writes files atomically, keeps a backup of a replaced one, and leaves an identical one alone', async () => {
    const path = join(dir, 'conf', 'zoo.cfg');
    const first = await t.exec(writeFiles([{ path, content: 'a=1\n', mode: 0o640 }]));
    expect(first.stdout.trim()).toBe(`wrote ${path}`);
    const same = await t.exec(writeFiles([{ path, content: 'a=1\n', mode: 0o640 }]));
    expect(same.stdout.trim()).toBe(`same ${path}`);
    await t.exec(writeFiles([{ path, content: 'a=2\n', mode: 0o640 }], new Date('2026-01-02T03:04:05Z')));
    expect(readFileSync(path, 'utf8')).toBe('a=2\n');
    expect(readFileSync(`${path}.20260102T030405.bak`, 'utf8')).toBe('a=1\n');
    const mode = await t.exec({ argv: ['stat', '-c', '%a', path] });
    expect(mode.stdout.trim()).toBe('640');
  });

  it('moves directories aside, skips one that is gone, and never moves over something there', async () => {
    const from = join(dir, 'logs', '__cluster_metadata-0');
    mkdirSync(from, { recursive: true });
    writeFileSync(join(from, 'leader-epoch-checkpoint'), '0\n');
    const to = join(dir, 'logs.zkafka-rollback-20261201T000000Z', '__cluster_metadata-0');
    const r = await t.exec(moveAside([{ from, to }]));
    expect(r.code).toBe(0);
    expect(existsSync(from)).toBe(false);
    expect(readFileSync(join(to, 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n');
    // A re-run after the move: nothing to move, no error.
    expect((await t.exec(moveAside([{ from, to }]))).stdout.trim()).toBe(`absent ${from}`);
    mkdirSync(from);
    const clash = await t.exec(moveAside([{ from, to }]));
    expect(clash.code).toBe(3);
    expect(clash.stderr).toContain('exists: not moving');
    expect(existsSync(from)).toBe(true);
  });

  it('uploads files and opens TCP connections', async () => {
    const src = join(dir, 'src.bin');
    writeFileSync(src, Buffer.from([0, 1, 2, 255]));
    await t.upload(src, join(dir, 'up', 'dst.bin'));
    expect(readFileSync(join(dir, 'up', 'dst.bin'))).toEqual(Buffer.from([0, 1, 2, 255]));
    const server = createServer((c) => c.end('hello'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const conn = await t.connect('127.0.0.1', port);
    const text = await new Promise<string>((r) => {
      let s = '';
      conn.on('data', (d: Buffer) => (s += d.toString()));
      conn.on('end', () => r(s));
    });
    expect(text).toBe('hello');
    server.close();
    await expect(t.connect('127.0.0.1', port)).rejects.toThrow();
  });
});

describe('unpacking a distribution', () => {
  const t = new LocalTransport('control', 30_000, log);

  it('unpacks into a missing or empty home, and never over files that are there', async () => {
    const { unpack } = await import('../../src/services/remote.js');
    const { execFileSync } = await import('node:child_process');
    const { mkdirSync, existsSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'zkafka-unpack-'));
    mkdirSync(join(dir, 'src', 'dist-1.0', 'bin'), { recursive: true });
    writeFileSync(join(dir, 'src', 'dist-1.0', 'bin', 'start.sh'), '#!/bin/sh\n');
    execFileSync('tar', ['-czf', join(dir, 'dist.tgz'), '-C', join(dir, 'src'), 'dist-1.0']);

    expect((await t.exec(unpack(join(dir, 'dist.tgz'), join(dir, 'a', 'home')))).code).toBe(0);
    expect(existsSync(join(dir, 'a', 'home', 'bin', 'start.sh'))).toBe(true);

    mkdirSync(join(dir, 'empty'));
    expect((await t.exec(unpack(join(dir, 'dist.tgz'), join(dir, 'empty')))).code).toBe(0);
    expect(existsSync(join(dir, 'empty', 'bin', 'start.sh'))).toBe(true);

    mkdirSync(join(dir, 'taken'));
    writeFileSync(join(dir, 'taken', 'notes.txt'), 'mine');
    const r = await t.exec(unpack(join(dir, 'dist.tgz'), join(dir, 'taken')));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/exists but holds no installation/);
    expect(readFileSync(join(dir, 'taken', 'notes.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(dir, 'taken', 'bin'))).toBe(false);

    const bad = await t.exec(unpack(join(dir, 'missing.tgz'), join(dir, 'b', 'home')));
    expect(bad.code).not.toBe(0);
    expect(existsSync(join(dir, 'b', 'home'))).toBe(false);
  });
});
