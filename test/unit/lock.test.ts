// The run lock, on a host that is this machine (`local: true`): taken and given back, refused while
// its holder runs, released automatically when its holder ran here and is gone, and kept when the
// holder is another machine's.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { parseInventory } from '../../src/inventory/load.js';
import { Session } from '../../src/commands/session.js';
import { Output } from '../../src/ui/output.js';
import { acquireLock, formatHolder, lockPath, machineTag, parseHolder } from '../../src/commands/lock.js';

const cluster = `locktest-${process.pid}`;
const path = lockPath(cluster);
const inv = parseInventory(`cluster: ${cluster}\nhosts:\n  - { name: here, address: 127.0.0.1, local: true, zookeeper: { id: 1 } }\n`, '/tmp/inventory.yaml');

function session(): Promise<{ s: Session; stderr: () => string }> {
  let text = '';
  const stderr = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  const out = new Output({ stderr, stdout: new Writable({ write: (_c, _e, d) => d() }), tty: false });
  return Session.open(inv, out).then((s) => ({ s, stderr: () => text }));
}

/** A pid that no longer exists: a child that ran and exited. */
function deadPid(): number {
  const r = spawnSync('true');
  expect(r.pid).toBeGreaterThan(0);
  return r.pid;
}

function leaveLock(holder: string): void {
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'holder'), `${holder}\n`);
}

const holderText = () => readFileSync(join(path, 'holder'), 'utf8').trim();

beforeEach(() => rmSync(path, { recursive: true, force: true }));
afterAll(() => rmSync(path, { recursive: true, force: true }));

describe('the run lock', () => {
  it('is taken with this run as its holder, and given back', async () => {
    const { s } = await session();
    try {
      const lock = await acquireLock(s, 'up');
      const h = parseHolder(holderText());
      expect(h).toMatchObject({ host: hostname(), pid: process.pid, command: 'up', machine: machineTag() });
      await lock.release();
      expect(existsSync(path)).toBe(false);
    } finally {
      await s.close();
    }
  });

  it('is refused while its holder runs (here: this very process)', async () => {
    const { s } = await session();
    try {
      const lock = await acquireLock(s, 'up');
      await expect(acquireLock(s, 'down')).rejects.toThrow(new RegExp(`cluster ${cluster} is locked by another run: \\S+@${hostname()} pid ${process.pid} \\(zkafka up\\).*--break-lock`));
      await lock.release();
    } finally {
      await s.close();
    }
  });

  it('left by a run of this machine whose process is gone, is released with a line saying so', async () => {
    const pid = deadPid();
    const stale = formatHolder({ user: 'root', host: hostname(), pid, command: 'up', since: '2026-01-01T00:00:00.000Z', machine: machineTag() });
    leaveLock(stale);
    const { s, stderr } = await session();
    try {
      const lock = await acquireLock(s, 'restart');
      expect(stderr()).toContain(`warning: released the stale run lock here:${path} of ${stale}: that process no longer runs on this machine`);
      expect(parseHolder(holderText())).toMatchObject({ pid: process.pid, command: 'restart' });
      expect(existsSync(`${path}.breaking`)).toBe(false);
      await lock.release();
    } finally {
      await s.close();
    }
  });

  it('left by another machine, or another machine of the same name, still needs --break-lock', async () => {
    const pid = deadPid();
    for (const other of [
      formatHolder({ user: 'root', host: `not-${hostname()}`, pid, command: 'up', since: '2026-01-01T00:00:00.000Z', machine: machineTag() }),
      formatHolder({ user: 'root', host: hostname(), pid, command: 'up', since: '2026-01-01T00:00:00.000Z', machine: '0123456789abcdef' }),
      `root@${hostname()} pid ${pid} (zkafka up) since 2026-01-01T00:00:00.000Z`,
    ]) {
      rmSync(path, { recursive: true, force: true });
      leaveLock(other);
      const { s, stderr } = await session();
      try {
        await expect(acquireLock(s, 'up')).rejects.toThrow(/is locked by another run: .*If that run is gone \(killed\), run again with --break-lock/);
        expect(holderText()).toBe(other);
        expect(stderr()).not.toContain('released');
        const lock = await acquireLock(s, 'up', { breakLock: true });
        expect(stderr()).toContain(`warning: broke any earlier lock here:${path}`);
        expect(parseHolder(holderText())?.pid).toBe(process.pid);
        await lock.release();
      } finally {
        await s.close();
      }
    }
  });

  it('held by a live process of this machine is not released, even with a pid of another user', async () => {
    // pid 1 always exists (signalling it from a non-root user gives EPERM, which still means alive).
    const live = formatHolder({ user: 'root', host: hostname(), pid: 1, command: 'up', since: '2026-01-01T00:00:00.000Z', machine: machineTag() });
    leaveLock(live);
    const { s } = await session();
    try {
      await expect(acquireLock(s, 'up')).rejects.toThrow(/is locked by another run: root@\S+ pid 1 \(zkafka up\)/);
      expect(holderText()).toBe(live);
    } finally {
      await s.close();
    }
  });
});
