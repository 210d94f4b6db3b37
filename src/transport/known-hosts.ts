// known_hosts matching for SSH host-key verification (OpenSSH format, including hashed `|1|salt|hash`
// entries and `[host]:port` for non-standard ports). Pure functions, tested on recorded files.
import { createHmac, createHash } from 'node:crypto';

export interface KnownHostEntry {
  patterns: string[];
  keyType: string;
  key: Buffer;
  marker?: '@revoked' | '@cert-authority';
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift() as KnownHostEntry['marker'];
    const [hosts, keyType, key] = fields;
    if (!hosts || !keyType || !key) continue;
    entries.push({ patterns: hosts.split(','), keyType, key: Buffer.from(key, 'base64'), ...(marker ? { marker } : {}) });
  }
  return entries;
}

/** The name known_hosts uses for a host: `addr`, or `[addr]:port` when the port is not 22. */
export function knownHostsName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

function matchesPattern(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  const glob = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return glob.test(name);
}

function hostMatches(entry: KnownHostEntry, name: string): boolean {
  let matched = false;
  for (const p of entry.patterns) {
    if (p.startsWith('!')) {
      if (matchesPattern(p.slice(1), name)) return false;
    } else if (matchesPattern(p, name)) matched = true;
  }
  return matched;
}

export type HostKeyVerdict = 'trusted' | 'unknown' | 'changed' | 'revoked';

/** Whether `key` (the raw public key blob the server presented) is the known key for `name`. */
export function verifyHostKey(entries: KnownHostEntry[], name: string, key: Buffer): HostKeyVerdict {
  if (entries.some((e) => e.marker === '@revoked' && e.key.equals(key))) return 'revoked';
  const candidates = entries.filter((e) => !e.marker && hostMatches(e, name));
  if (candidates.some((e) => e.key.equals(key))) return 'trusted';
  return candidates.length ? 'changed' : 'unknown';
}

/** OpenSSH-style SHA256 fingerprint of a raw public key blob. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}
