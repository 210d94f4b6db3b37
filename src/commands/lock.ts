// A run lock, so that two runs that change the same cluster cannot interleave. It lives on the first
// reachable host of the inventory (a directory made atomically with mkdir, with who and since when inside), so
// it works across control machines. A lock whose holder ran on this very machine (same host name,
// machine and process namespace) and whose pid is gone was left by a killed run: it is released with a
// line saying so. Any other holder's lock is broken deliberately (--break-lock).
import { createHash } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { UserError, ExitCode } from '../errors.js';
import { script } from '../transport/command.js';
import type { Session } from './session.js';

const ACQUIRE = `
d=$1 info=$2 force=$3
if [ "$force" = yes ]; then rm -rf "$d" "$d.breaking"; fi
mkdir -p "$(dirname "$d")" 2>/dev/null
if mkdir "$d" 2>/dev/null; then printf '%s\\n' "$info" > "$d/holder"; echo acquired; exit 0; fi
echo held; cat "$d/holder" 2>/dev/null
`;

/**
 * Replaces the lock only if it still holds exactly the stale holder we saw. "$d.breaking" (made with
 * mkdir, so one run at a time) keeps two runs that both found the same stale lock from removing each
 * other's fresh one.
 */
const TAKE_STALE = `
d=$1 stale=$2 info=$3
if ! mkdir "$d.breaking" 2>/dev/null; then echo held; cat "$d/holder" 2>/dev/null; exit 0; fi
[ "$(cat "$d/holder" 2>/dev/null)" = "$stale" ] && rm -rf "$d"
if mkdir "$d" 2>/dev/null; then printf '%s\\n' "$info" > "$d/holder"; rmdir "$d.breaking"; echo acquired; exit 0; fi
rmdir "$d.breaking"
echo held; cat "$d/holder" 2>/dev/null
`;

const RELEASE = `
d=$1 info=$2
[ "$(cat "$d/holder" 2>/dev/null)" = "$info" ] && rm -rf "$d"
exit 0
`;

export function lockPath(cluster: string): string {
  return `/var/tmp/zkafka-${cluster}.lock`;
}

export interface Lock {
  release(): Promise<void>;
}

function readFirst(paths: string[], read: (p: string) => string): string {
  for (const p of paths) {
    try {
      const v = read(p).trim();
      if (v) return v;
    } catch {
      // not on this system
    }
  }
  return '';
}

/**
 * This control machine and process namespace, as a short hash: the machine id (else the boot id) and
 * the pid namespace, so that a pid in a lock means something here. The ids themselves never leave the
 * machine.
 */
export function machineTag(): string {
  const machine = readFirst(['/etc/machine-id', '/var/lib/dbus/machine-id', '/proc/sys/kernel/random/boot_id'], (p) => readFileSync(p, 'utf8'));
  const pidNamespace = readFirst(['/proc/self/ns/pid'], (p) => readlinkSync(p));
  return createHash('sha256').update(`zkafka run lock\n${machine}\n${pidNamespace}`).digest('hex').slice(0, 16);
}

export interface Holder {
  user: string;
  host: string;
  pid: number;
  command: string;
  since: string;
  machine?: string;
}

export function formatHolder(h: Holder): string {
  return `${h.user}@${h.host} pid ${h.pid} (zkafka ${h.command}) since ${h.since}${h.machine ? ` on machine ${h.machine}` : ''}`;
}

export function parseHolder(text: string): Holder | undefined {
  const m = /^(\S+)@(\S+) pid (\d+) \(zkafka (\S+)\) since (\S+)(?: on machine ([0-9a-f]+))?$/.exec(text.trim());
  if (!m) return undefined;
  return { user: m[1]!, host: m[2]!, pid: Number(m[3]), command: m[4]!, since: m[5]!, ...(m[6] ? { machine: m[6] } : {}) };
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, under another user.
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** The holder ran on this control machine (same host name, machine and pid namespace) and its process is gone. */
export function isStaleHere(h: Holder | undefined): h is Holder {
  return !!h && h.host === hostname() && h.machine === machineTag() && h.pid !== process.pid && !processExists(h.pid);
}

export async function acquireLock(s: Session, command: string, opts: { breakLock?: boolean } = {}): Promise<Lock> {
  // The first host that answers: with --skip-unreachable the first host may be the one left out.
  const host = (s.inv.hosts.find((h) => s.reachable(h.name)) ?? s.inv.hosts[0]!).name;
  const path = lockPath(s.inv.cluster);
  const holder = formatHolder({ user: userInfo().username, host: hostname(), pid: process.pid, command, since: new Date().toISOString(), machine: machineTag() });
  let r = await s.run(host, 'taking the run lock', { argv: script(ACQUIRE, path, holder, opts.breakLock ? 'yes' : 'no') });
  let [state, ...rest] = r.stdout.trim().split('\n');
  const seen = rest.join('\n').trim();
  if (state !== 'acquired' && isStaleHere(parseHolder(seen))) {
    r = await s.run(host, 'taking over a stale run lock', { argv: script(TAKE_STALE, path, seen, holder) });
    [state, ...rest] = r.stdout.trim().split('\n');
    if (state === 'acquired') {
      s.out.warn(`released the stale run lock ${host}:${path} of ${seen}: that process no longer runs on this machine`);
    }
  }
  if (state !== 'acquired') {
    throw new UserError(
      `cluster ${s.inv.cluster} is locked by another run: ${rest.join(' ').trim() || 'unknown holder'} (lock ${host}:${path}). ` +
        'If that run is gone (killed), run again with --break-lock.',
      ExitCode.failed,
    );
  }
  if (opts.breakLock) s.out.warn(`broke any earlier lock ${host}:${path}`);
  return {
    release: async () => {
      // Only our own lock: someone may have broken it and taken it meanwhile.
      await s.exec(host, { argv: script(RELEASE, path, holder) }).catch(() => undefined);
    },
  };
}
