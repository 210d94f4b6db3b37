// The host probe: one remote command that reports everything zkafka needs to know about a host
// (service processes, files and their checksums, directories, Java, listening ports), so that status,
// plan and up cost one round trip per host. A probe is a pair: the command (a constant script that
// receives inventory values as quoted arguments) and a pure parser of its output.
import { script } from '../transport/command.js';

export type ProbeItem =
  | { kind: 'proc'; name: string; mainClass: string; config: string }
  | { kind: 'file'; path: string }
  | { kind: 'exec'; path: string }
  | { kind: 'dir'; path: string }
  | { kind: 'content'; path: string }
  | { kind: 'prop'; path: string; key: string }
  /** Whether `dir` holds a file matching `pattern` (a constant of zkafka's, never an inventory value). */
  | { kind: 'glob'; dir: string; pattern: string }
  /** The names in `dir` matching `pattern` (a constant of zkafka's). */
  | { kind: 'ls'; dir: string; pattern: string }
  | { kind: 'java'; home?: string }
  | { kind: 'ports' };

// Arguments come as words: `proc NAME MAINCLASS CONFIG`, `file PATH`, `exec PATH`, `dir PATH`,
// `java HOME|-`, `ports`. Output is one fact per line, fields separated by a tab.
const PROBE_SCRIPT = `
T=$(printf '\\t')
echo "now$T$(date +%s)"
PS=$(ps -ww -eo pid=,etimes=,args= 2>/dev/null)
while [ $# -gt 0 ]; do
  case "$1" in
  proc)
    name=$2 main=$3 cfg=$4; shift 4
    printf '%s\\n' "$PS" | while read -r pid et args; do
      # Only JVMs: the shells running this very probe carry the same words in their arguments.
      case "\${args%% *}" in *java) ;; *) continue ;; esac
      case "$args" in
        *" $main "*) case "$args " in
          *" $cfg "*) echo "proc$T$name$T$pid$T$et$T$args" ;;
          *) echo "proc-other$T$name$T$pid$T$et$T$args" ;;
        esac ;;
      esac
    done ;;
  file)
    f=$2; shift 2
    if [ -f "$f" ]; then
      echo "file$T$(sha256sum < "$f" | cut -c1-64)$T$(stat -c %Y "$f")$T$f"
    else echo "file$T-$T-$T$f"; fi ;;
  exec)
    f=$2; shift 2
    if [ -x "$f" ]; then echo "exec\${T}yes$T$f"; else echo "exec\${T}no$T$f"; fi ;;
  dir)
    d=$2; shift 2; p=$d
    while [ ! -e "$p" ] && [ "$p" != / ]; do p=$(dirname "$p"); done
    if [ -d "$p" ] && [ -w "$p" ]; then echo "dir\${T}ok$T$d"; else echo "dir\${T}no$T$d$T$p"; fi ;;
  prop)
    f=$2 k=$3; shift 3
    if [ -f "$f" ]; then
      v=$(grep -E "^[[:space:]]*$k[[:space:]]*[=:]" "$f" 2>/dev/null | tail -n 1 | sed -E 's/^[^=:]*[=:][[:space:]]*//')
      echo "prop$T$k$T$f$T$v"
    fi ;;
  glob)
    d=$2 pat=$3; shift 3
    found=no
    for g in "$d"/$pat; do [ -e "$g" ] && found=yes; done
    echo "glob$T$found$T$pat$T$d" ;;
  ls)
    d=$2 pat=$3; shift 3
    for g in "$d"/$pat; do if [ -e "$g" ]; then echo "ls$T$d$T\${g##*/}"; fi; done ;;
  content)
    d=$2; shift 2
    if [ ! -e "$d" ]; then echo "content\${T}missing$T$d"
    elif [ -d "$d" ] && [ -z "$(ls -A "$d")" ]; then echo "content\${T}empty$T$d"
    else echo "content\${T}full$T$d"; fi ;;
  java)
    h=$2; shift 2
    if [ "$h" != - ]; then j="$h/bin/java"; else j=$(command -v java || true); fi
    if [ -n "$j" ] && [ -x "$j" ]; then
      # The JDK's release file names its version; starting a JVM for -version costs far more.
      r=$(dirname "$(dirname "$(readlink -f "$j")")")/release
      v=$(sed -n 's/^JAVA_VERSION="\\(.*\\)"$/version "\\1"/p' "$r" 2>/dev/null)
      [ -n "$v" ] || v=$("$j" -version 2>&1 | head -n 1)
      echo "java$T$j$T$v"
    else echo "java$T-$T$h"; fi ;;
  ports)
    shift
    if command -v ss >/dev/null 2>&1; then
      ss -Hltnp 2>/dev/null | while read -r state rq sq local peer rest; do echo "listen$T$local$T$rest"; done
    else echo "listen-unknown"; fi ;;
  *) echo "unknown-probe$T$1"; shift ;;
  esac
done
`;

export function probeArgs(items: ProbeItem[]): string[] {
  const args: string[] = [];
  for (const i of items) {
    if (i.kind === 'proc') args.push('proc', i.name, i.mainClass, i.config);
    else if (i.kind === 'java') args.push('java', i.home ?? '-');
    else if (i.kind === 'ports') args.push('ports');
    else if (i.kind === 'prop') args.push('prop', i.path, i.key);
    else if (i.kind === 'glob') args.push('glob', i.dir, i.pattern);
    else if (i.kind === 'ls') args.push('ls', i.dir, i.pattern);
    else args.push(i.kind, i.path);
  }
  return args;
}

export function probeCommand(items: ProbeItem[]): string[] {
  return script(PROBE_SCRIPT, ...probeArgs(items));
}

export interface ProcessFact {
  pid: number;
  /** Seconds since the process started. */
  elapsed: number;
  /** Its command line (class path included: it names the jars, and so the version). */
  args?: string;
  /** Set when the process runs from another zkafka home than the inventory's (before an upgrade's roll). */
  home?: string;
}

export interface FileFact {
  sha256: string | null;
  /** Modification time, seconds since the epoch. */
  mtime: number | null;
}

export interface Listener {
  address: string;
  port: number;
  pid?: number;
  process?: string;
}

export interface HostFacts {
  now: number;
  procs: Map<string, ProcessFact[]>;
  /** Processes of the same kind started with another config file. */
  otherProcs: Map<string, Array<ProcessFact & { args: string }>>;
  files: Map<string, FileFact>;
  executables: Map<string, boolean>;
  /** Directory → null when creatable/writable, else the existing path that blocks it. */
  dirs: Map<string, string | null>;
  /** `dir pattern` → whether a file matches. */
  globs: Map<string, boolean>;
  /** dir → the names an `ls` item found there. */
  listings: Map<string, string[]>;
  /** `path key` → the value of a `key=value` line in a properties file that exists. */
  props: Map<string, string>;
  /** Whether a path is missing, an empty folder, or holds something. */
  contents: Map<string, 'missing' | 'empty' | 'full'>;
  java?: { path: string | null; versionLine?: string; major?: number };
  /** undefined when `ss` is not available on the host. */
  listeners?: Listener[];
}

/** `openjdk version "17.0.15"` → 17; `java version "1.8.0_392"` → 8. */
export function javaMajor(line: string): number | undefined {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(line);
  if (!m) return undefined;
  const first = Number(m[1]);
  return first === 1 && m[2] ? Number(m[2]) : first;
}

/** `*:2181`, `0.0.0.0:9092`, `[::ffff:198.18.0.11]:2888`, `127.0.0.1%lo:53` → address and port. */
export function parseLocalAddress(local: string): { address: string; port: number } | undefined {
  const m = /^(.*):(\d+)$/.exec(local);
  if (!m) return undefined;
  let address = m[1]!.replace(/%[^\]]*$/, '');
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  if (address.startsWith('::ffff:')) address = address.slice(7);
  return { address, port: Number(m[2]) };
}

export function parseProbe(stdout: string): HostFacts {
  const facts: HostFacts = { now: 0, procs: new Map(), otherProcs: new Map(), files: new Map(), executables: new Map(), dirs: new Map(), contents: new Map(), props: new Map(), globs: new Map(), listings: new Map() };
  for (const line of stdout.split('\n')) {
    if (!line) continue;
    const f = line.split('\t');
    switch (f[0]) {
      case 'now':
        facts.now = Number(f[1]);
        break;
      case 'proc': {
        const list = facts.procs.get(f[1]!) ?? [];
        list.push({ pid: Number(f[2]), elapsed: Number(f[3]), ...(f.length > 4 ? { args: f.slice(4).join('\t') } : {}) });
        facts.procs.set(f[1]!, list);
        break;
      }
      case 'proc-other': {
        const list = facts.otherProcs.get(f[1]!) ?? [];
        list.push({ pid: Number(f[2]), elapsed: Number(f[3]), args: f.slice(4).join('\t') });
        facts.otherProcs.set(f[1]!, list);
        break;
      }
      case 'file':
        facts.files.set(f.slice(3).join('\t'), {
          sha256: f[1] === '-' ? null : f[1]!,
          mtime: f[2] === '-' ? null : Number(f[2]),
        });
        break;
      case 'exec':
        facts.executables.set(f.slice(2).join('\t'), f[1] === 'yes');
        break;
      case 'dir':
        facts.dirs.set(f[2]!, f[1] === 'ok' ? null : (f[3] ?? f[2]!));
        break;
      case 'glob':
        facts.globs.set(`${f.slice(3).join('\t')} ${f[2]}`, f[1] === 'yes');
        break;
      case 'ls': {
        const list = facts.listings.get(f[1]!) ?? [];
        list.push(f.slice(2).join('\t'));
        facts.listings.set(f[1]!, list);
        break;
      }
      case 'prop':
        facts.props.set(`${f[2]} ${f[1]}`, f.slice(3).join('\t'));
        break;
      case 'content':
        facts.contents.set(f.slice(2).join('\t'), f[1] as 'missing' | 'empty' | 'full');
        break;
      case 'java':
        if (f[1] === '-') facts.java = { path: null };
        else {
          const versionLine = f.slice(2).join('\t');
          const major = javaMajor(versionLine);
          facts.java = { path: f[1]!, versionLine, ...(major !== undefined ? { major } : {}) };
        }
        break;
      case 'listen': {
        const addr = parseLocalAddress(f[1] ?? '');
        if (!addr) break;
        const users = /\("([^"]+)",pid=(\d+)/.exec(f[2] ?? '');
        (facts.listeners ??= []).push({ ...addr, ...(users ? { process: users[1]!, pid: Number(users[2]) } : {}) });
        break;
      }
      case 'listen-unknown':
        facts.listeners = undefined;
        break;
    }
  }
  if (stdout.includes('\nlisten\t') || stdout.startsWith('listen\t')) facts.listeners ??= [];
  return facts;
}
