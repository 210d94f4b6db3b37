// Hosts whose sshd forbids TCP forwarding (AllowTcpForwarding no, common on hardened hosts): zkafka's
// ZooKeeper and listener checks fall back to a relay through bash on the host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDists, labDown, labUp, type Lab } from '../lab/lab.js';
import { writeLabInventory, zkafka, zkafkaJson } from './cli.js';

describe('hosts without TCP forwarding', () => {
  let lab: Lab;
  let inventory: string;

  beforeAll(async () => {
    await buildDists();
    process.env.ZKAFKA_LAB_TCP_FORWARDING = 'no';
    try {
      lab = await labUp(3);
    } finally {
      delete process.env.ZKAFKA_LAB_TCP_FORWARDING;
    }
    inventory = writeLabInventory(lab);
  });

  afterAll(async () => {
    await labDown();
  });

  it('up, status and down work through the relay', async () => {
    const up = await zkafka(['up', inventory, '--verbose']);
    expect(up.exitCode, up.stderr.slice(-3000)).toBe(0);
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
