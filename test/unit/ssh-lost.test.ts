// A connection that drops in the middle of a command fails that command at once, naming the host, and
// every later call on that host fails at once too. A real SSH server (ssh2's) on loopback, reached
// through a TCP relay that the test cuts, as a killed sshd session would.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInventory } from '../../src/inventory/load.js';
import { SshTransport } from '../../src/transport/ssh.js';
import { UserError } from '../../src/errors.js';

const { Server, utils } = ssh2;

describe('a lost SSH connection', () => {
  let sshd: InstanceType<typeof Server>;
  let relay: NetServer;
  const relayed: Socket[] = [];
  let dir: string;
  let relayPort = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zkafka-ssh-lost-'));
    const hostKey = utils.generateKeyPairSync('ed25519');
    const clientKey = utils.generateKeyPairSync('ed25519');
    writeFileSync(join(dir, 'id'), clientKey.private, { mode: 0o600 });
    // The server runs whatever is asked and never answers `hang`; `echo` answers at once.
    sshd = new Server({ hostKeys: [hostKey.private] }, (client) => {
      client.on('authentication', (ctx) => (ctx.method === 'publickey' ? ctx.accept() : ctx.reject(['publickey'])));
      client.on('session', (accept) => {
        accept().on('exec', (acceptExec, _reject, info) => {
          const ch = acceptExec();
          if (info.command.startsWith('echo')) {
            ch.write('hi\n');
            ch.exit(0);
            ch.end();
          }
        });
      });
      client.on('error', () => undefined);
    });
    await new Promise<void>((r) => sshd.listen(0, '127.0.0.1', () => r()));
    const sshdPort = (sshd.address() as { port: number }).port;
    relay = createServer((inbound) => {
      const outbound = connect(sshdPort, '127.0.0.1');
      relayed.push(inbound, outbound);
      inbound.pipe(outbound).pipe(inbound);
      inbound.on('error', () => undefined);
      outbound.on('error', () => undefined);
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
    relayPort = (relay.address() as { port: number }).port;
    writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${relayPort} ${hostKey.public}\n`);
  });

  afterAll(async () => {
    relay?.close();
    sshd?.close();
  });

  it('fails the command in flight at once with the host named, and every later call too', async () => {
    const inv = parseInventory(
      `ssh: { identityFile: ${join(dir, 'id')}, knownHosts: ${join(dir, 'known_hosts')}, port: ${relayPort}, commandTimeout: 300 }\nhosts:\n  - { name: node7, address: 127.0.0.1 }\n`,
      join(dir, 'inventory.yaml'),
    );
    const t = await SshTransport.open(inv.hosts[0]!, { debug: () => undefined });
    expect((await t.exec({ argv: ['echo', 'hi'] })).stdout).toBe('hi\n');
    expect(t.lost).toBeUndefined();

    const started = Date.now();
    const hanging = t.exec({ argv: ['hang'] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    setTimeout(() => {
      for (const s of relayed) s.destroy();
    }, 300);
    const e = await hanging;
    expect(e).toBeInstanceOf(UserError);
    expect((e as Error).message).toMatch(/^node7: SSH connection lost \(.*\) while running hang$/);
    // At once, not after the 300 s command timeout.
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(t.lost?.message).toMatch(/^node7: SSH connection lost/);

    const later = Date.now();
    await expect(t.exec({ argv: ['echo', 'again'] })).rejects.toThrow(/^node7: SSH connection lost .* while running echo again$/);
    await expect(t.connect('127.0.0.1', 2181)).rejects.toThrow(/^node7: SSH connection lost .* while connecting to 127\.0\.0\.1:2181$/);
    await expect(t.upload(join(dir, 'known_hosts'), '/tmp/x')).rejects.toThrow(/^node7: SSH connection lost .* while uploading /);
    expect(Date.now() - later).toBeLessThan(500);
    await t.close();
  });
});
