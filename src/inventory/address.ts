// Host addresses as the inventory writes them: which forms are accepted, when two spellings are the
// same machine, `ssh.jumpHost`, and a broker's `advertised.listeners` (the endpoint it registers).
import { isIPv6 } from 'node:net';
import { quote } from './text.js';

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Why `address` is not an IPv4 address, IPv6 address or DNS name zkafka accepts; undefined when it is. */
export function addressProblem(address: string): string | undefined {
  if (address.startsWith('[') || address.endsWith(']')) return `write an IPv6 address without brackets (got ${quote(address)})`;
  if (address.includes(':')) return isIPv6(address) && !address.includes('%') ? undefined : `not an IPv6 address (got ${quote(address)})`;
  const labels = address.split('.');
  const last = labels.at(-1)!;
  // An all-digit (or 0x) last label is read as (part of) an IPv4 address by inet_aton, ssh and others.
  if (/^\d+$/.test(last) || /^0x[0-9a-f]*$/i.test(last)) {
    if (labels.length !== 4 || !labels.every((l) => /^\d{1,3}$/.test(l) && Number(l) <= 255)) {
      return `not an IPv4 address (four numbers 0-255) nor a DNS name (whose last label is not a number) (got ${quote(address)})`;
    }
    if (labels.some((l) => l.length > 1 && l.startsWith('0'))) {
      return `a number with a leading zero is read as octal by some tools (010 is 8) and as decimal by others: write ${labels.map((l) => String(Number(l))).join('.')} (got ${quote(address)})`;
    }
    return undefined;
  }
  if (address.length > 253 || !labels.every((l) => LABEL.test(l))) return `expected an IP address or DNS name (got ${quote(address)})`;
  return undefined;
}

/** The eight 16-bit groups of a valid IPv6 address. */
function ipv6Groups(address: string): number[] {
  let text = address;
  const tail: number[] = [];
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[2]!.split('.').map(Number) as [number, number, number, number];
    tail.push((a << 8) | b, (c << 8) | d);
    text = v4[1]!.endsWith('::') ? v4[1]! : v4[1]!.slice(0, -1);
  }
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = parse(head!);
  const right = rest === undefined ? [] : parse(rest);
  const fill = 8 - tail.length - left.length - right.length;
  return [...left, ...Array<number>(rest === undefined ? 0 : fill).fill(0), ...right, ...tail];
}

/**
 * One spelling per machine, to find two hosts that are the same one written differently: DNS names
 * compared without case, IPv6 addresses in full form (fd00::1 = fd00:0::1 = FD00:0:0:0:0:0:0:1), an
 * IPv4-mapped IPv6 address (::ffff:10.0.0.1) as its IPv4 address.
 */
export function canonicalAddress(address: string): string {
  if (address.includes(':') && isIPv6(address)) {
    const g = ipv6Groups(address);
    if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
    return g.map((x) => x.toString(16)).join(':');
  }
  return address.toLowerCase();
}

export interface JumpHostSpec {
  user?: string;
  host: string;
  port: number;
}

/** Parses `[user@]host[:port]` (IPv6 as `[addr]` or `[addr]:port`); a string is the problem with it. */
export function parseJumpHostSpec(spec: string): JumpHostSpec | string {
  const at = spec.lastIndexOf('@');
  const user = at >= 0 ? spec.slice(0, at) : undefined;
  const rest = at >= 0 ? spec.slice(at + 1) : spec;
  if (user !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(user)) return `not a valid user name before "@" (got ${quote(user)}); expected [user@]host[:port]`;
  let host: string;
  let port: string | undefined;
  if (rest.startsWith('[') || rest.includes(']')) {
    const m = /^\[([^\][]*)\](?::(.*))?$/.exec(rest);
    if (!m) return `an IPv6 jump host needs both brackets: [ADDRESS] or [ADDRESS]:PORT (got ${quote(rest)})`;
    host = m[1]!;
    port = m[2];
    if (!host.includes(':') || !isIPv6(host)) return `only an IPv6 address goes in brackets (got ${quote(host)})`;
  } else {
    const colons = rest.split(':').length - 1;
    if (colons > 1) return `an IPv6 jump host is written in brackets, [ADDRESS] or [ADDRESS]:PORT (got ${quote(rest)})`;
    [host, port] = colons === 1 ? (rest.split(':') as [string, string]) : [rest, undefined];
  }
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    return `the jump host's port is a number 1-65535 (got ${quote(port)})`;
  }
  const problem = host ? addressProblem(host) : 'no host name; expected [user@]host[:port]';
  if (problem) return `jump host: ${problem}`;
  return { ...(user !== undefined ? { user } : {}), host, port: port === undefined ? 22 : Number(port) };
}

/** zkafka writes `listeners=PLAINTEXT://ADDRESS:PORT`, so a broker can only advertise that listener. */
export const LISTENER_NAME = 'PLAINTEXT';

/**
 * The endpoint a broker registers for `advertised.listeners` (as Kafka writes it into
 * /brokers/ids/<id>: listener name in capitals, IPv6 in brackets, the port as a number), or a string
 * saying what is wrong with the value.
 */
export function advertisedEndpoint(value: string): { endpoint: string } | string {
  const entries = value.trim().split(/\s*,\s*/);
  const expected = `expected ${LISTENER_NAME}://HOST:PORT, the one listener zkafka configures`;
  if (entries.length !== 1) return `advertised.listeners lists ${entries.length} endpoints; ${expected} (got ${quote(value)})`;
  const m = /^([A-Za-z0-9_]+):\/\/(?:\[([^\]]*)\]|([^:[\]]*)):(\d+)$/.exec(entries[0]!);
  if (!m) return `advertised.listeners: ${expected} (got ${quote(value)})`;
  if (m[1]!.toUpperCase() !== LISTENER_NAME) return `advertised.listeners names listener ${quote(m[1]!)}, but the only listener zkafka configures is ${LISTENER_NAME}`;
  const host = m[2] ?? m[3]!;
  if (m[2] !== undefined && !isIPv6(host)) return `advertised.listeners: only an IPv6 address goes in brackets (got ${quote(host)})`;
  if (host === '' || host === '0.0.0.0' || (host.includes(':') && canonicalAddress(host) === '0:0:0:0:0:0:0:0')) {
    return `advertised.listeners needs the host name or address clients connect to (got ${quote(value)})`;
  }
  const problem = m[2] === undefined ? addressProblem(host) : undefined;
  if (problem) return `advertised.listeners: ${problem}`;
  const port = Number(m[4]);
  if (!(port >= 1 && port <= 65535)) return `advertised.listeners: a port is 1-65535 (got ${m[4]})`;
  return { endpoint: `${LISTENER_NAME}://${host.includes(':') ? `[${host}]` : host}:${port}` };
}
