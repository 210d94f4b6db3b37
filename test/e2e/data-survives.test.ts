// The data survives: a topic with replication factor 3 and min.insync.replicas=2, written by an acks=all
// producer the whole time, through `zkafka restart` and through an `up` that rolls every broker after a
// server.properties change; then every acknowledged number is consumed, and no partition is
// under-replicated. Also the in-sync gate: with a broker stopped by hand, the roll of another broker
// waits (or fails naming the partitions), and goes on once the replicas are back in sync.
import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDists, labDown, labExec, labKafka, labUp, REPO_ROOT, type Lab } from '../lab/lab.js';
import { writeLabInventory, zkafka, zkafkaJson } from './cli.js';
import { consumeNumbers, createTopic, startProducer } from './kafka-client.js';
import { join } from 'node:path';

const TOPIC = 'numbers';

/** pid of the broker's JVM on a host, or undefined. */
async function brokerPid(host: string): Promise<number | undefined> {
  const r = await labExec(host, ['sh', '-c', "ps -ww -eo pid=,args= | grep '[k]afka\\.Kafka' | awk '{print $1}'"]);
  const pid = Number(r.stdout.trim().split('\n')[0]);
  return pid > 0 ? pid : undefined;
}

describe(`the data survives rolling broker restarts (Kafka ${labKafka().version})`, () => {
  let lab: Lab;
  let inventory: string;
  let bootstrap: string[];

  beforeAll(async () => {
    await buildDists();
    lab = await labUp(3);
    inventory = writeLabInventory(lab, { zookeeper: 3, kafka: 3 });
    const up = await zkafka(['up', inventory]);
    expect(up.exitCode, up.stderr).toBe(0);
    bootstrap = lab.hosts.map((h) => `${h.address}:9092`);
    await createTopic(bootstrap, TOPIC);
  });

  afterAll(async () => {
    if (!process.env.ZKAFKA_E2E_KEEP_LAB) await labDown();
  });

  it('restart, then an up that rolls every broker for a server.properties change: every acknowledged number is read back', async () => {
    const producer = await startProducer(bootstrap, TOPIC);
    const before = await zkafkaJson(['status', inventory]);
    const pids = await Promise.all(lab.hosts.map((h) => brokerPid(h.name)));
    // Let it write for a moment before the first broker goes.
    while (producer.count() < 200) await new Promise((r) => setTimeout(r, 100));

    const restart = await zkafka(['restart', inventory, '--service', 'kafka']);
    expect(restart.exitCode, restart.stderr).toBe(0);
    expect(restart.stderr).toMatch(/every partition fully replicated/);
    const afterRestart = await Promise.all(lab.hosts.map((h) => brokerPid(h.name)));
    afterRestart.forEach((p, i) => expect(p, `broker on lab${i + 1} restarted`).not.toBe(pids[i]));
    const midway = producer.count();

    const changed = inventory.replace(/inventory\.yaml$/, 'inventory-changed.yaml');
    writeFileSync(changed, readFileSync(inventory, 'utf8').replace('    offsets.topic.replication.factor: 3', '    offsets.topic.replication.factor: 3\n    log.retention.hours: 100'));
    const plan = await zkafkaJson(['plan', changed]);
    expect(plan.exitCode).toBe(3);
    expect(plan.json.services.filter((s: { service: string }) => s.service === 'kafka').map((s: { action: string }) => s.action)).toEqual(['restart', 'restart', 'restart']);
    const up = await zkafkaJson(['up', changed]);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.json.services).toHaveLength(3);
    const afterUp = await Promise.all(lab.hosts.map((h) => brokerPid(h.name)));
    afterUp.forEach((p, i) => expect(p).not.toBe(afterRestart[i]));
    for (const h of lab.hosts) {
      const cfg = await labExec(h.name, ['cat', '/opt/kafka/config/server.properties']);
      expect(cfg.stdout).toMatch(/^log\.retention\.hours=100$/m);
    }
    // Writes went on through the whole second roll too.
    while (producer.count() < midway + 200) await new Promise((r) => setTimeout(r, 100));

    const { acked, errors } = await producer.stop();
    const { missing, seen } = await consumeNumbers(bootstrap, TOPIC, acked);
    if (missing.length && process.env.ZKAFKA_E2E_KEEP_LAB) writeFileSync('/tmp/missing.json', JSON.stringify({ missing, acked: acked.length }));
    expect(missing, `${missing.length} of ${acked.length} acknowledged numbers lost (producer saw ${errors} failed requests; first ${missing.slice(0, 20).join(',')}; seen ${seen.size})`).toEqual([]);
    expect(seen.size).toBeGreaterThanOrEqual(acked.length);

    const status = await zkafkaJson(['status', changed]);
    expect(status.exitCode, JSON.stringify(status.json.problems)).toBe(0);
    expect(status.json.kafka.partitions.underReplicated).toEqual([]);
    expect(status.json.kafka.partitions.offline).toEqual([]);
    // 3 partitions of the topic plus Kafka's own __consumer_offsets (50), led by somebody each.
    expect(status.json.kafka.partitions.total).toBe(53);
    const led = status.json.kafka.brokers.reduce((n: number, b: { partitions: { leader: number } }) => n + b.partitions.leader, 0);
    expect(led).toBe(53);
    expect(before.json.kafka.partitions.total).toBe(3);
  }, 900_000);

  it('the gate: with broker 1 stopped by hand, restarting broker 2 waits, fails after --in-sync-timeout naming the partitions, and goes on once broker 1 is back', async () => {
    const pid1 = (await brokerPid('lab2'))!;
    const pid2 = (await brokerPid('lab3'))!;
    await labExec('lab2', ['kill', String(pid1)]);
    await waitFor(async () => (await brokerPid('lab2')) === undefined);

    const status = await zkafkaJson(['status', inventory]);
    expect(status.exitCode).toBe(1);
    expect(status.json.healthy).toBe(false);
    expect(status.json.kafka.partitions.underReplicated).toEqual(expect.arrayContaining([`${TOPIC}-0`, `${TOPIC}-1`, `${TOPIC}-2`]));
    expect(status.json.problems.join('\n')).toMatch(/^\d+ partition\(s\) under-replicated: \S+-\d+ \(replicas [0-9,]+, in sync [0-9,]+, leader \d\)/m);
    const human = await zkafka(['status', inventory]);
    expect(human.stdout).toMatch(/under-replicated/);

    const short = await zkafka(['restart', inventory, '--hosts', 'lab3', '--service', 'kafka', '--in-sync-timeout', '3']);
    expect(short.exitCode).toBe(1);
    expect(short.stderr).toMatch(/before stopping broker 2: expected every partition in sync within 3s/);
    expect(short.stderr).toMatch(new RegExp(`${TOPIC}-[0-2] \\(replicas`));
    expect(await brokerPid('lab3'), 'broker 2 was not stopped').toBe(pid2);

    // Now a roll that may wait: it must hold broker 2 until broker 1 has caught up.
    const roll = execa('node', [join(REPO_ROOT, 'bin', 'zkafka.js'), 'restart', inventory, '--hosts', 'lab3', '--service', 'kafka'], { reject: false, stdin: 'ignore', env: { FORCE_COLOR: '0' } });
    let stderr = '';
    roll.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitFor(async () => /waiting before stopping broker 2: \d+ partition\(s\) under-replicated/.test(stderr), 60_000);
    expect(await brokerPid('lab3'), 'broker 2 still running while the gate waits').toBe(pid2);

    const start = await labExec('lab2', ['sh', '-c', 'cd /opt/kafka && LOG_DIR=/var/log/kafka KAFKA_HEAP_OPTS="-Xmx256m -Xms64m" bin/kafka-server-start.sh -daemon /opt/kafka/config/server.properties']);
    expect(start.exitCode, start.stderr).toBe(0);
    const done = await roll;
    expect(done.exitCode, stderr).toBe(0);
    expect(await brokerPid('lab3')).not.toBe(pid2);
    const end = await zkafkaJson(['status', inventory]);
    expect(end.exitCode, JSON.stringify(end.json)).toBe(0);
  }, 300_000);
});

async function waitFor(fn: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}
