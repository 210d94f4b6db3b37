// The runbook's own inventory (inventory.example.yaml), with only its addresses, SSH files and sources
// changed to the lab's, comes up healthy: three members serving with the Prometheus metrics provider
// on :7000 (ZooKeeper's own metrics and the JVM's), three brokers registered, a controller.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDists, labDown, labExec, labKafka, labUp, REPO_ROOT, type Lab } from '../lab/lab.js';
import { zkafka, zkafkaJson } from './cli.js';

const EXAMPLE_ADDRESSES = ['192.168.154.146', '192.168.154.147', '192.168.154.148'];

describe('the runbook inventory on the lab', () => {
  let lab: Lab;
  let inventory: string;
  let original: string;

  beforeAll(async () => {
    const dists = await buildDists();
    lab = await labUp(3);
    original = readFileSync(join(REPO_ROOT, 'inventory.example.yaml'), 'utf8');
    let text = original;
    EXAMPLE_ADDRESSES.forEach((a, i) => (text = text.replace(`address: ${a}`, `address: ${lab.hosts[i]!.address}`)));
    text = text
      .replace('identityFile: ~/.ssh/id_ed25519', `identityFile: ${lab.identityFile}`)
      .replace('knownHosts: ~/.ssh/known_hosts', `knownHosts: ${lab.knownHosts}`)
      .replace('source: ./dist/apache-zookeeper-3.8.0-bin.tar.gz', `source: ${dists.zookeeperTgz}`)
      .replace('source: ./dist/kafka_2.11-2.4.1.tgz', `source: ${dists.kafkaTgz}`);
    inventory = join(mkdtempSync(join(tmpdir(), 'zkafka-runbook-')), 'inventory.yaml');
    writeFileSync(inventory, text);
  });

  afterAll(async () => {
    await labDown();
  });

  it('differs from inventory.example.yaml only in addresses, SSH files and sources', () => {
    const a = original.split('\n');
    const b = readFileSync(inventory, 'utf8').split('\n');
    expect(b).toHaveLength(a.length);
    const changed = a.map((l, i) => (l === b[i] ? null : l.trim().split(':')[0])).filter(Boolean);
    expect(changed.sort()).toEqual(['address', 'address', 'address', 'identityFile', 'knownHosts', 'source', 'source']);
    for (const x of EXAMPLE_ADDRESSES) expect(b.join('\n')).not.toContain(x);
  });

  it.skipIf(labKafka().version !== '2.4.1')('comes up healthy, with the metrics endpoint answering on every member', async () => {
    const up = await zkafka(['up', inventory]);
    expect(up.exitCode, up.stderr).toBe(0);

    const status = await zkafkaJson(['status', inventory]);
    expect(status.exitCode, JSON.stringify(status.json)).toBe(0);
    expect(status.json.zookeeper.members.map((m: { state: string }) => m.state).sort()).toEqual(['follower', 'follower', 'leader']);
    expect(status.json.kafka.brokers.map((b: { registered: boolean }) => b.registered)).toEqual([true, true, true]);
    expect(status.json.kafka.controller).not.toBeNull();

    for (const [i, h] of lab.hosts.entries()) {
      // The runbook's files, where the runbook puts them.
      const zoo = await labExec(h.name, ['cat', '/home/software/apache-zookeeper-3.8.0-bin/conf/zoo.cfg']);
      expect(zoo.stdout).toMatch(/^metricsProvider\.className=org\.apache\.zookeeper\.metrics\.prometheus\.PrometheusMetricsProvider$/m);
      expect(zoo.stdout).toMatch(/^metricsProvider\.httpPort=7000$/m);
      // The id and a newline, nothing else (execa trims the output's last newline: mark the end).
      const myid = await labExec(h.name, ['sh', '-c', 'cat /home/software/apache-zookeeper-3.8.0-bin/data/zookeeper/myid; echo END']);
      expect(myid.stdout).toBe(`${i + 1}\nEND`);
      const meta = await labExec(h.name, ['cat', '/usr/local/data/kafka-logs/meta.properties']);
      expect(meta.stdout).toMatch(new RegExp(`^broker\\.id=${i}$`, 'm'));

      const res = await fetch(`http://${h.address}:7000/metrics`);
      expect(res.status).toBe(200);
      const body = await res.text();
      expect(body).toMatch(/^znode_count \d+/m);
      expect(body).toMatch(/^jvm_memory_bytes_used\{/m);
      expect(body).toMatch(/^jvm_threads_current \d+/m);
    }

    const down = await zkafka(['down', inventory]);
    expect(down.exitCode, down.stderr).toBe(0);
  }, 600_000);
});
