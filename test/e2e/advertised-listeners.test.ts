// advertised.listeners as a normal setting, on the lab: a broker known by a DNS name (lab1, which the
// lab's /etc/hosts resolves on every host) registers that name, and `up` and `status` expect it rather
// than PLAINTEXT://ADDRESS:PORT. A second broker without the setting keeps the address form.
// It runs on the lab's Kafka (test/lab/kafka-dist.mjs: 2.4.1 unless ZKAFKA_LAB_KAFKA or
// ZKAFKA_KAFKA_TGZ say otherwise), whose version and Scala version the lab inventory already writes.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDists, labDown, labExec, labKafka, labUp, type Lab } from '../lab/lab.js';
import { writeLabInventory, zkafka, zkafkaJson } from './cli.js';

interface Status {
  healthy: boolean;
  kafka: { controller: number | null; brokers: Array<{ host: string; id: number; state: string; registered: boolean; endpoint: string | null }> };
}

/** The lab inventory: lab1 a member and broker 0 advertised as lab1:9092, lab2 broker 1 as it is. */
function inventoryFor(lab: Lab, advertised: string): string {
  const file = writeLabInventory(lab, { zookeeper: 1, kafka: 2 });
  const text = readFileSync(file, 'utf8').replace('    kafka: { id: 0 }', `    kafka: { id: 0, settings: { advertised.listeners: "${advertised}" } }`);
  writeFileSync(file, text);
  return file;
}

describe('a broker with advertised.listeners', () => {
  let lab: Lab;
  let inventory: string;

  beforeAll(async () => {
    await buildDists();
    lab = await labUp(2);
    inventory = inventoryFor(lab, 'PLAINTEXT://lab1:9092');
  });

  afterAll(async () => {
    await labDown();
  });

  it('up waits for the advertised endpoint, and status expects it', async () => {
    const valid = await zkafka(['validate', inventory]);
    expect(valid.exitCode, valid.stderr).toBe(0);
    // The name resolves on the hosts (the other broker and clients connect to it).
    expect((await labExec('lab2', ['getent', 'hosts', 'lab1'])).stdout).toContain(lab.hosts[0]!.address);

    const up = await zkafka(['up', inventory]);
    expect(up.exitCode, up.stderr + up.stdout).toBe(0);
    const props = await labExec('lab1', ['cat', '/opt/kafka/config/server.properties']);
    expect(props.stdout).toContain(`\nlisteners=PLAINTEXT://${lab.hosts[0]!.address}:9092\n`);
    expect(props.stdout).toMatch(/^advertised\.listeners=PLAINTEXT:\/\/lab1:9092$/m);
    // The run used the lab's genuine Kafka, of the version the inventory names.
    const k = labKafka();
    expect((await labExec('lab1', ['ls', '/opt/kafka/libs'])).stdout.split('\n')).toContain(`kafka_${k.scalaVersion}-${k.version}.jar`);

    const s = await zkafkaJson<Status>(['status', inventory]);
    expect(s.exitCode, s.stderr).toBe(0);
    expect(s.json.healthy).toBe(true);
    expect(s.json.kafka.brokers.map((b) => [b.id, b.state, b.registered, b.endpoint])).toEqual([
      [0, 'running', true, 'PLAINTEXT://lab1:9092'],
      [1, 'running', true, `PLAINTEXT://${lab.hosts[1]!.address}:9092`],
    ]);
    const text = await zkafka(['status', inventory]);
    expect(text.stdout).toMatch(new RegExp(`^lab1 +kafka +broker 0 +running +\\d+ +${labKafka().version.replace(/\./g, '\\.')} +registered PLAINTEXT://lab1:9092`, 'm'));
  });

  it('status compares the registration with the advertised endpoint the inventory gives', async () => {
    // The broker still registers lab1:9092; an inventory that now advertises another port is not healthy.
    const other = inventoryFor(lab, 'PLAINTEXT://lab1:19092');
    const s = await zkafkaJson<Status>(['status', other]);
    expect(s.exitCode).toBe(1);
    expect(s.json.healthy).toBe(false);
    expect(s.json.kafka.brokers.find((b) => b.id === 0)!.endpoint).toBe('PLAINTEXT://lab1:9092');
  });

  it('a second up has nothing to do, and down stops both brokers', async () => {
    const again = await zkafkaJson<{ changed: boolean }>(['up', inventory]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.json.changed).toBe(false);
    const down = await zkafka(['down', inventory]);
    expect(down.exitCode, down.stderr).toBe(0);
    const s = await zkafkaJson<Status>(['status', inventory]);
    expect(s.json.kafka.brokers.map((b) => b.state)).toEqual(['down', 'down']);
  });
});
