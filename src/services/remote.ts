// Host-side helpers shared by the services: atomic file writes with backups, directories, log tails.
import { script, type Command } from '../transport/command.js';

const WRITE_FILES = `
ts=$1; shift
while [ $# -gt 0 ]; do
  path=$1 mode=$2 content=$3; shift 3
  mkdir -p "$(dirname "$path")" || exit 1
  tmp="$path.zkafka-tmp"
  if ! { printf '%s' "$content" > "$tmp" && chmod "$mode" "$tmp"; }; then rm -f "$tmp"; exit 1; fi
  if [ -f "$path" ]; then
    if cmp -s "$tmp" "$path"; then rm -f "$tmp"; echo "same $path"; continue; fi
    cp -p "$path" "$path.$ts.bak" || { rm -f "$tmp"; exit 1; }
  fi
  mv -f "$tmp" "$path" || exit 1
  echo "wrote $path"
done
`;

export interface FileToWrite {
  path: string;
  content: string;
  mode: number;
}

/**
 * Writes files atomically (a temporary file beside the target, then rename); a replaced file is kept
 * as `<path>.<timestamp>.bak`. Unchanged files are not touched.
 */
export function writeFiles(files: FileToWrite[], now = new Date()): Command {
  const ts = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  return {
    argv: script(WRITE_FILES, ts, ...files.flatMap((f) => [f.path, f.mode.toString(8), f.content])),
    // The contents may hold secrets (passwords in settings): --verbose names the files only.
    display: `(write ${files.map((f) => f.path).join(' ')})`,
  };
}

export function makeDirs(dirs: string[]): Command {
  return { argv: ['mkdir', '-p', '--', ...dirs] };
}

const LOG_TAIL = `
dir=$1 n=$2; shift 2
cd "$dir" 2>/dev/null || { echo "(no log directory $dir)"; exit 0; }
found=
# The patterns are zkafka's own constants (*.log, server.log), expanded here on purpose.
for f in $(ls -t -- $* 2>/dev/null | head -n 2); do
  # Not the lines zkafka's own srvr polls make ZooKeeper write: they would fill the whole tail.
  found=1; echo "==> $dir/$f <=="; tail -n 2000 -- "$f" | grep -v 'Processing srvr command' | tail -n "$n"
done
[ -n "$found" ] || echo "(no log files in $dir)"
`;

/** The last lines of the newest matching log files in `dir`. */
export function logTail(dir: string, patterns: string[], lines = 20): Command {
  return { argv: script(LOG_TAIL, dir, String(lines), ...patterns) };
}

const MOVE_ASIDE = `
while [ $# -gt 0 ]; do
  from=$1 to=$2; shift 2
  [ -e "$from" ] || { echo "absent $from"; continue; }
  if [ -e "$to" ]; then echo "$to exists: not moving $from over it" >&2; exit 3; fi
  mkdir -p "$(dirname "$to")" && mv -- "$from" "$to" || exit 1
  echo "moved $from $to"
done
`;

/** Renames each `from` to `to` (never over something there); a `from` that is gone already is skipped. */
export function moveAside(moves: Array<{ from: string; to: string }>): Command {
  return { argv: script(MOVE_ASIDE, ...moves.flatMap((m) => [m.from, m.to])) };
}

/** Sends SIGTERM to one process (not every broker on the host, as kafka-server-stop.sh would). */
export function terminate(pid: number): Command {
  return { argv: ['kill', '-TERM', String(pid)] };
}

/** SIGKILL to one process: only where its graceful stop cannot complete (a KRaft node whose quorum is gone). */
export function killHard(pid: number): Command {
  return { argv: ['kill', '-KILL', String(pid)] };
}

const INSTALL = `
tgz=$1 home=$2
parent=$(dirname "$home"); staging="$home.zkafka-unpack"
# Never unpack over something that is there: an empty folder is fine, anything else is the operator's.
if [ -e "$home" ]; then
  if [ -d "$home" ] && [ -z "$(ls -A "$home")" ]; then rmdir "$home" || exit 1
  else echo "$home exists but holds no installation of this service; move it away or set home" >&2; exit 3; fi
fi
mkdir -p "$parent" && rm -rf "$staging" && mkdir -p "$staging" || exit 1
if ! tar -xzf "$tgz" -C "$staging" --strip-components=1 --no-same-owner; then rm -rf "$staging"; exit 1; fi
mv "$staging" "$home"
`;

/** Unpacks a distribution tarball into `home` (its single top folder stripped), atomically. */
export function unpack(tarball: string, home: string): Command {
  return { argv: script(INSTALL, tarball, home), timeoutMs: 600_000 };
}

export function sha256(path: string): Command {
  return { argv: ['sh', '-c', 'sha256sum < "$1" | cut -c1-64', 'zkafka', path] };
}

const READ_FILES = `
for f; do
  if [ -f "$f" ]; then printf '%s\\n' "$(wc -c < "$f")"; cat -- "$f"; else echo -1; fi
done
`;

/** Reads files for diffs: each as its byte length on a line, then its bytes (-1 when absent). */
export function readFiles(paths: string[]): Command {
  return { argv: script(READ_FILES, ...paths), secretOutput: true };
}

export function parseReadFiles(paths: string[], stdout: Buffer | string): Map<string, string | null> {
  const buf = Buffer.isBuffer(stdout) ? stdout : Buffer.from(stdout, 'utf8');
  const out = new Map<string, string | null>();
  let pos = 0;
  for (const p of paths) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) break;
    const len = Number(buf.subarray(pos, nl).toString().trim());
    pos = nl + 1;
    if (len < 0) out.set(p, null);
    else {
      out.set(p, buf.subarray(pos, pos + len).toString('utf8'));
      pos += len;
    }
  }
  return out;
}
