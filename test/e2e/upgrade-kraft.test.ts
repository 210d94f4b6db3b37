// Issue 10, point 4: a KRaft cluster (3 combined nodes) on genuine Kafka 3.9.1 upgraded to 4.1.1 by
// editing the inventory, with an acks=all producer writing the whole time: plan shows the two phases
// (every node onto the new binaries, controllers first and the active one last; then metadata.version
// finalized, last); `up --one-phase` stops between them and a rollback from there returns every node
// to 3.9.1; `up` then carries out both phases; going back after the finalization is refused; every
// acknowledged number is consumed at the end.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaTgz, labDown, labExec, labUp, type Lab } from '../lab/lab.js';
import { zkafka, zkafkaJson } from './cli.js';
import { runningKafkaVersions } from './running-versions.js';
import { client, consumeNumbers, createTopic, startProducer, type ProducerRun } from './kafka-client.js';

const TOPIC = 'kraft-upgrade';
const OLD = '3.9.1';
const NEW = '4.1.1';
const homeOf = (v: string) => `/opt/kafka_2.13-${v}`;

function inventory(lab: Lab, dir: string, version: string, tgz: string): string {
  const file = join(dir, `kraft-${version}.yaml`);
  writeFileSync(
    file,
    `cluster: kraft-upgrade
ssh: { user: ${lab.user}, identityFile: ${lab.identityFile}, knownHosts: ${lab.knownHosts}, connectTimeout: 5 }
kafka:
  mode: kraft
  version: ${version}
  scalaVersion: "2.13"
  source: ${tgz}
  installDir: /opt
  logDirs: [/data/kafka-logs]
  logDir: /var/log/kafka
  env: { KAFKA_HEAP_OPTS: "-Xmx256m -Xms64m" }
  settings:
    offsets.topic.replication.factor: 3
    transaction.state.log.replication.factor: 3
    transaction.state.log.min.isr: 2
hosts:
${lab.hosts.map((h, i) => `  - { name: ${h.name}, address: ${h.address}, kafka: { id: ${i + 1}, roles: [broker, controller] } }`).join('\n')}
`,
  );
  return file;
}

const nodeVersions = runningKafkaVersions;

/** metadata.version's finalized level as kafka-features.sh on lab1 names it (`3.9-IV0`). */
async function finalizedLevel(lab: Lab, version: string): Promise<string> {
  const r = await labExec('lab1', [`${homeOf(version)}/bin/kafka-features.sh`, '--bootstrap-controller', `${lab.hosts[0]!.address}:9093`, 'describe']);
  const line = r.stdout.split('\n').find((l) => /Feature: metadata\.version\b/.test(l));
  const level = line && /FinalizedVersionLevel: (\S+)/.exec(line)?.[1];
  if (!level) throw new Error(`kafka-features.sh describe: ${r.stdout}${r.stderr}`);
  return level;
}

describe(`rolling KRaft upgrade ${OLD} → ${NEW}, metadata.version finalized last`, () => {
  let lab: Lab;
  let oldInv: string;
  let newInv: string;
  let bootstrap: string[];
  let producer: ProducerRun;

  beforeAll(async () => {
    const [oldTgz, newTgz] = [await kafkaTgz(OLD), await kafkaTgz(NEW)];
    lab = await labUp(3);
    const dir = mkdtempSync(join(tmpdir(), 'zkafka-kraft-upgrade-'));
    oldInv = inventory(lab, dir, OLD, oldTgz);
    newInv = inventory(lab, dir, NEW, newTgz);
    const up = await zkafka(['up', oldInv]);
    expect(up.exitCode, up.stderr).toBe(0);
    bootstrap = lab.hosts.map((h) => `${h.address}:9092`);
    await createTopic(bootstrap, TOPIC).catch(() => undefined);
    const admin = client(bootstrap).admin();
    await admin.connect();
    for (let i = 0; i < 60; i++) {
      const md = await admin.fetchTopicMetadata({ topics: [TOPIC] }).catch(() => undefined);
      const parts = md?.topics[0]?.partitions ?? [];
      if (parts.length === 3 && parts.every((p) => p.leader >= 0 && p.isr.length === 3)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await admin.disconnect();
    producer = await startProducer(bootstrap, TOPIC);
    while (producer.count() < 200) await new Promise((r) => setTimeout(r, 100));
  }, 600_000);

  afterAll(async () => {
    await producer?.stop().catch(() => undefined);
    if (!process.env.ZKAFKA_E2E_KEEP_LAB) await labDown();
  });

  it('plan shows both phases; up --one-phase stops between them, metadata.version still 3.9\'s', async () => {
    const before = await finalizedLevel(lab, OLD);
    expect(before).toMatch(/^3\.9-IV\d+$/);
    const plan = await zkafkaJson(['plan', newInv]);
    expect(plan.exitCode, JSON.stringify(plan.json.problems)).toBe(3);
    expect(plan.json.phase).toMatch(/^Kafka 3\.9\.1 → 4\.1\.1 \(KRaft\), phase 1 of 2/);
    expect(plan.json.services.map((s: { action: string }) => s.action)).toEqual(['restart', 'restart', 'restart']);
    for (const s of plan.json.services) expect(s.reason).toBe(`upgrade 3.9.1 → 4.1.1 onto ${homeOf(NEW)}; logs stay in /data/kafka-logs`);
    expect(plan.json.next.phase).toMatch(/phase 2 of 2 .*finalize metadata\.version/);
    expect(plan.json.next.finalize).toMatchObject({ feature: 'metadata.version', level: null });

    const up = await zkafkaJson(['up', newInv, '--one-phase']);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(await nodeVersions(lab)).toEqual([NEW, NEW, NEW]);
    expect(await finalizedLevel(lab, NEW)).toBe(before);
    const next = await zkafkaJson(['plan', newInv]);
    expect(next.json.phase).toMatch(/phase 2 of 2: finalize metadata\.version \d+ → \d+/);
    expect(next.json.finalize.level).toBeGreaterThan(next.json.finalize.from);
  }, 900_000);

  it('a rollback before the finalization returns every node to 3.9.1', async () => {
    const plan = await zkafkaJson(['plan', oldInv]);
    expect(plan.json.phase, JSON.stringify(plan.json.problems)).toMatch(/^Kafka rollback 4\.1\.1 → 3\.9\.1: .*metadata\.version not yet finalized/);
    const up = await zkafka(['up', oldInv]);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(await nodeVersions(lab)).toEqual([OLD, OLD, OLD]);
  }, 900_000);

  it('up carries out both phases; a downgrade after the finalization is refused; every acknowledged number is read back', async () => {
    const before = producer.count();
    const up = await zkafkaJson(['up', newInv]);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.json.phases).toEqual([expect.stringMatching(/phase 1 of 2/), expect.stringMatching(/phase 2 of 2: finalize metadata\.version/)]);
    expect(up.json.services.at(-1)).toMatch(/^finalize metadata\.version \d+ through kafka \d on lab\d$/);
    expect(await nodeVersions(lab)).toEqual([NEW, NEW, NEW]);
    expect(await finalizedLevel(lab, NEW)).toMatch(/^4\.1-IV\d+$/);
    const level = Number(/metadata\.version (\d+) /.exec(up.json.services.at(-1))![1]);
    const again = await zkafkaJson(['plan', newInv]);
    expect(again.exitCode, JSON.stringify(again.json)).toBe(0);

    const back = await zkafka(['plan', oldInv]);
    expect(back.exitCode).toBe(1);
    expect(back.stdout + back.stderr).toMatch(new RegExp(`metadata\\.version ${level} was finalized on Kafka 4\\.1\\.1: Kafka cannot go back to 3\\.9\\.1`));

    while (producer.count() < before + 200) await new Promise((r) => setTimeout(r, 100));
    const { acked, errors } = await producer.stop();
    const { missing, seen } = await consumeNumbers(bootstrap, TOPIC, acked);
    expect(missing, `${missing.length} of ${acked.length} acknowledged numbers lost (${errors} failed requests; seen ${seen.size})`).toEqual([]);
  }, 1_200_000);
});
