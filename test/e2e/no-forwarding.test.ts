// Hosts whose sshd forbids TCP forwarding (AllowTcpForwarding no, common on hardened hosts): zkafka's
// ZooKeeper and listener checks fall back to a relay through bash on the host. The ZooKeeper tarball
// comes from an http:// source here (a server on this machine's loopback), which zkafka downloads once.
import { createReadStream, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDists, labDown, labUp, type Lab } from '../lab/lab.js';
import { writeLabInventory, zkafka, zkafkaJson } from './cli.js';

describe('hosts without TCP forwarding', () => {
  let lab: Lab;
  let inventory: string;
  let server: Server;
  const requests = { GET: 0, HEAD: 0 };
  const home = mkdtempSync(join(tmpdir(), 'zkafka-home-'));

  beforeAll(async () => {
    const dists = await buildDists();
    server = createServer((req, res) => {
      if (req.method === 'GET' || req.method === 'HEAD') requests[req.method]++;
      if (req.url !== `/${basename(dists.zookeeperTgz)}`) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/gzip' });
      if (req.method === 'HEAD') return void res.end();
      createReadStream(dists.zookeeperTgz).pipe(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/${basename(dists.zookeeperTgz)}`;
    process.env.ZKAFKA_LAB_TCP_FORWARDING = 'no';
    try {
      lab = await labUp(3);
    } finally {
      delete process.env.ZKAFKA_LAB_TCP_FORWARDING;
    }
    inventory = writeLabInventory(lab, { zookeeperTgz: url });
  });

  afterAll(async () => {
    server.close();
    await labDown();
  });

  it('up, status and down work through the relay', async () => {
    const up = await zkafka(['up', inventory, '--verbose'], { env: { HOME: home } });
    expect(up.exitCode, up.stderr.slice(-3000)).toBe(0);
    // Checked in preflight, then downloaded once into the control machine's cache, for all three hosts.
    expect(requests).toEqual({ HEAD: 1, GET: 1 });
    const cache = join(home, '.cache', 'zkafka');
    expect(readdirSync(cache).some((d) => existsSync(join(cache, d, 'apache-zookeeper-3.8.0-bin.tar.gz')))).toBe(true);
    expect(up.stderr).toMatch(/TCP forwarding is disabled by sshd; relaying through bash/);
    const s = await zkafkaJson(['status', inventory]);
    expect(s.exitCode).toBe(0);
    expect(s.json.healthy).toBe(true);
    expect(s.json.kafka.brokers.every((b: { registered: boolean }) => b.registered)).toBe(true);
    const down = await zkafkaJson(['down', inventory]);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.json.stopped).toHaveLength(6);
  });
});
