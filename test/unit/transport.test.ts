// Command quoting and known_hosts verification: pure functions, tested on files ssh-keygen wrote.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { quote, script, shellString } from '../../src/transport/command.js';
import { fingerprint, knownHostsName, parseKnownHosts, verifyHostKey } from '../../src/transport/known-hosts.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const KEY1 = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIDOvieY1e+D+57O9ldY0zbaVhKw7JyU5bwpdWiwr7pWE', 'base64');
const KEY2 = Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAIPnevS3osIRTSpX0162VNwFKsvtI619pjghNxGaWUGHY', 'base64');

describe('shell quoting', () => {
  const hostile = ["it's", '$(rm -rf /)', '`id`', 'a b', 'x;y', 'new\nline', '', '"q"', '\\', '*', '~root', '-n'];

  it('round-trips every argument through a real shell unchanged', () => {
    const cmd = shellString({ argv: ['printf', '%s\\0', ...hostile] });
    const out = execFileSync('sh', ['-c', cmd]).toString();
    expect(out.split('\0').slice(0, -1)).toEqual(hostile);
  });

  it('passes environment values and the working directory quoted, and redacts values for display', () => {
    const cmd = { argv: ['sh', '-c', 'printf "%s|%s" "$SECRET" "$(pwd)"'], env: { SECRET: "p@ss w'rd $HOME" }, cwd: '/tmp' };
    expect(execFileSync('sh', ['-c', shellString(cmd)]).toString()).toBe("p@ss w'rd $HOME|/tmp");
    expect(shellString(cmd, true)).toContain('SECRET=***');
    expect(shellString(cmd, true)).not.toContain('p@ss');
  });

  it('leaves plain words bare and quotes the rest', () => {
    expect(quote('/opt/zookeeper/bin/zkServer.sh')).toBe('/opt/zookeeper/bin/zkServer.sh');
    expect(quote("it's")).toBe(`'it'\\''s'`);
    expect(quote('')).toBe("''");
  });

  it('hands inventory values to constant scripts as positional arguments', () => {
    const argv = script('printf "%s" "$1"', '$(touch /tmp/zkafka-pwned)');
    expect(execFileSync('sh', ['-c', shellString({ argv })]).toString()).toBe('$(touch /tmp/zkafka-pwned)');
  });
});

describe('known_hosts', () => {
  const plain = parseKnownHosts(readFileSync(join(fixtures, 'known_hosts'), 'utf8'));
  const hashed = parseKnownHosts(readFileSync(join(fixtures, 'known_hosts.hashed'), 'utf8'));

  it('names hosts as OpenSSH does', () => {
    expect(knownHostsName('198.18.0.11', 22)).toBe('198.18.0.11');
    expect(knownHostsName('198.18.0.12', 2222)).toBe('[198.18.0.12]:2222');
  });

  for (const [kind, entries] of [['plain', plain], ['hashed', hashed]] as const) {
    it(`trusts the recorded key, and tells unknown from changed (${kind} entries)`, () => {
      expect(verifyHostKey(entries, '198.18.0.11', KEY1)).toBe('trusted');
      expect(verifyHostKey(entries, '198.18.0.11', KEY2)).toBe('changed');
      expect(verifyHostKey(entries, '[198.18.0.12]:2222', KEY2)).toBe('trusted');
      // The same address on another port is another host for SSH.
      expect(verifyHostKey(entries, '198.18.0.12', KEY2)).toBe('unknown');
      expect(verifyHostKey(entries, '198.18.0.13', KEY1)).toBe('unknown');
    });
  }

  it('honours @revoked, wildcards and negations', () => {
    const entries = parseKnownHosts(
      [`@revoked * ssh-ed25519 ${KEY2.toString('base64')}`, `198.18.0.*,!198.18.0.13 ssh-ed25519 ${KEY1.toString('base64')}`, '# comment', ''].join('\n'),
    );
    expect(verifyHostKey(entries, '198.18.0.44', KEY1)).toBe('trusted');
    expect(verifyHostKey(entries, '198.18.0.13', KEY1)).toBe('unknown');
    expect(verifyHostKey(entries, '198.18.0.44', KEY2)).toBe('revoked');
  });

  it('prints fingerprints as ssh-keygen does', () => {
    const expected = execFileSync('ssh-keygen', ['-l', '-f', join(fixtures, 'known_hosts')]).toString().split('\n')[0]!.split(' ')[1];
    expect(fingerprint(KEY1)).toBe(expected);
  });
});

describe('secrets', () => {
  it('redacts secret-looking settings in diffs, and file contents in --verbose', async () => {
    const { unifiedDiff } = await import('../../src/commands/plan-view.js');
    const { writeFiles } = await import('../../src/services/remote.js');
    const diff = unifiedDiff('/opt/kafka/config/server.properties', 'a=1\nssl.keystore.password=old\n', 'a=2\nssl.keystore.password=new\nsasl.jaas.config=x required password="p";\n');
    expect(diff).toMatch(/^-a=1$/m);
    expect(diff).toMatch(/^\+a=2$/m);
    expect(diff).toMatch(/^[-+]ssl\.keystore\.password=\*\*\*$/m);
    expect(diff).not.toMatch(/old|new|password="p"/);
    const cmd = writeFiles([{ path: '/etc/x.properties', content: 'ssl.key.password=hunter2\n', mode: 0o600 }]);
    expect(shellString(cmd, true)).toBe('(write /etc/x.properties)');
    expect(shellString(cmd)).toContain('hunter2');
    const { readFiles } = await import('../../src/services/remote.js');
    const { describeResult } = await import('../../src/transport/command.js');
    const shown = describeResult(readFiles(['/etc/x.properties']), { code: 0, stdout: '24\nssl.key.password=hunter2\n', stderr: '' });
    expect(shown).not.toContain('hunter2');
    expect(shown).toMatch(/exit 0/);
  });
});
