// A run lock, so that two runs that change the same cluster cannot interleave. It lives on the first
// reachable host of the inventory (a directory made atomically with mkdir, with who and since when inside), so
// it works across control machines. A lock left by a killed run is broken deliberately (--break-lock).
import { hostname, userInfo } from 'node:os';
import { UserError, ExitCode } from '../errors.js';
import { script } from '../transport/command.js';
import type { Session } from './session.js';

const ACQUIRE = `
d=$1 info=$2 force=$3
if [ "$force" = yes ]; then rm -rf "$d"; fi
mkdir -p "$(dirname "$d")" 2>/dev/null
if mkdir "$d" 2>/dev/null; then printf '%s\\n' "$info" > "$d/holder"; echo acquired; exit 0; fi
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

export async function acquireLock(s: Session, command: string, opts: { breakLock?: boolean } = {}): Promise<Lock> {
  // The first host that answers: with --skip-unreachable the first host may be the one left out.
  const host = (s.inv.hosts.find((h) => s.reachable(h.name)) ?? s.inv.hosts[0]!).name;
  const path = lockPath(s.inv.cluster);
  const holder = `${userInfo().username}@${hostname()} pid ${process.pid} (zkafka ${command}) since ${new Date().toISOString()}`;
  const r = await s.run(host, 'taking the run lock', { argv: script(ACQUIRE, path, holder, opts.breakLock ? 'yes' : 'no') });
  const [state, ...rest] = r.stdout.trim().split('\n');
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
