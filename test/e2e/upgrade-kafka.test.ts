// Issue 9, Kafka: the runbook's cluster on genuine Kafka 2.4.1 upgraded to 3.9.1 by editing the
// inventory, with an acks=all producer writing the whole time. plan shows both phases; `up --one-phase`
// stops between them; a rollback from there returns every broker to 2.4.1; an up killed in the middle
// of the first roll is finished by a re-run, which carries out both phases; a downgrade after the pin
// is lifted and a skip to a ZooKeeper-less 4.x are refused before anything changes. Every acknowledged
// number is consumed at the end.
import { execa } from 'execa';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDists, DIST_DIR, labDown, labExec, labUp, REPO_ROOT, type Lab } from '../lab/lab.js';
import { writeLabInventory, zkafka, zkafkaJson } from './cli.js';
import { runningKafkaVersions } from './running-versions.js';
import { consumeNumbers, createTopic, startProducer, type ProducerRun } from './kafka-client.js';

const TOPIC = 'upgrade';
const OLD = { version: '2.4.1', scala: '2.11' };
const NEW = { version: '3.9.1', scala: '2.13' };
const homeOf = (k: { version: string; scala: string }) => `/opt/kafka_${k.scala}-${k.version}`;

/** The lab inventory with Kafka's home derived from its version (as the runbook's /home/software/kafka_S-V). */
function inventoryFor(base: string, k: { version: string; scala: string }, name: string): string {
  const text = readFileSync(base, 'utf8')
    .replace(/^  version: 2\.4\.1$/m, `  version: ${k.version}`)
    .replace(/^  scalaVersion: "2\.11"$/m, `  scalaVersion: "${k.scala}"`)
    .replace(/^  source: .*kafka_2\.11-2\.4\.1\.tgz$/m, `  source: ${join(DIST_DIR, `kafka_${k.scala}-${k.version}.tgz`)}`)
    .replace(/^  home: \/opt\/kafka$/m, '  installDir: /opt');
  const file = join(dirname(base), name);
  writeFileSync(file, text);
  return file;
}

const brokerVersions = runningKafkaVersions;

describe('rolling Kafka upgrade 2.4.1 → 3.9.1, two phases, no message lost', () => {
  let lab: Lab;
  let oldInv: string;
  let newInv: string;
  let bootstrap: string[];
  let producer: ProducerRun;

  beforeAll(async () => {
    await buildDists();
    if (!existsSync(join(DIST_DIR, `kafka_${NEW.scala}-${NEW.version}.tgz`))) {
      await execa(join(REPO_ROOT, 'test/lab/build-kafka.sh'), [NEW.version, NEW.scala, DIST_DIR], { stdin: 'ignore' });
    }
    lab = await labUp(3);
    const base = writeLabInventory(lab, { zookeeper: 3, kafka: 3 });
    oldInv = inventoryFor(base, OLD, 'old.yaml');
    newInv = inventoryFor(base, NEW, 'new.yaml');
    const up = await zkafka(['up', oldInv]);
    expect(up.exitCode, up.stderr).toBe(0);
    bootstrap = lab.hosts.map((h) => `${h.address}:9092`);
    await createTopic(bootstrap, TOPIC);
    producer = await startProducer(bootstrap, TOPIC);
    while (producer.count() < 200) await new Promise((r) => setTimeout(r, 100));
  }, 600_000);

  afterAll(async () => {
    await producer?.stop().catch(() => undefined);
    if (!process.env.ZKAFKA_E2E_KEEP_LAB) await labDown();
  });

  it('plan shows both phases: new binaries with the protocol pinned at 2.4, then the pin lifted', async () => {
    const plan = await zkafkaJson(['plan', newInv]);
    expect(plan.exitCode, JSON.stringify(plan.json.problems)).toBe(3);
    expect(plan.json.phase).toMatch(/^Kafka 2\.4\.1 → 3\.9\.1, phase 1 of 2: .*inter\.broker\.protocol\.version pinned at 2\.4/);
    expect(plan.json.installs.map((i: { home: string }) => i.home)).toEqual([homeOf(NEW), homeOf(NEW), homeOf(NEW)]);
    const restarts = plan.json.services.filter((s: { service: string }) => s.service === 'kafka');
    expect(restarts.map((s: { action: string }) => s.action)).toEqual(['restart', 'restart', 'restart']);
    for (const r of restarts) expect(r.reason).toBe(`upgrade 2.4.1 → 3.9.1 onto ${homeOf(NEW)}, inter.broker.protocol.version pinned at 2.4; logs stay in /data/kafka-logs`);
    const files = plan.json.files.filter((f: { path: string }) => f.path === `${homeOf(NEW)}/config/server.properties`);
    expect(files).toHaveLength(3);
    expect(plan.json.next.phase).toMatch(/phase 2 of 2 .*lift inter\.broker\.protocol\.version 2\.4/);
    expect(plan.json.next.services).toHaveLength(3);
    const human = await zkafka(['plan', newInv]);
    expect(human.stdout).toMatch(/phase 1 of 2/);
    expect(human.stdout).toMatch(/then:\n.*phase 2 of 2/);
    // Nothing was touched: still 2.4.1 everywhere.
    expect(await brokerVersions(lab)).toEqual(['2.4.1', '2.4.1', '2.4.1']);
  }, 120_000);

  it('up --one-phase stops between the phases: every broker on 3.9.1 with the protocol pinned at 2.4', async () => {
    const up = await zkafkaJson(['up', newInv, '--one-phase']);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/stopping after this phase \(--one-phase\); next: .*phase 2 of 2/);
    expect(await brokerVersions(lab)).toEqual(['3.9.1', '3.9.1', '3.9.1']);
    for (const h of lab.hosts) {
      const cfg = await labExec(h.name, ['cat', `${homeOf(NEW)}/config/server.properties`]);
      expect(cfg.stdout).toMatch(/^inter\.broker\.protocol\.version=2\.4$/m);
      expect(cfg.stdout).toMatch(/^log\.message\.format\.version=2\.4$/m);
    }
    const plan = await zkafkaJson(['plan', newInv]);
    expect(plan.json.phase).toMatch(/phase 2 of 2: lift inter\.broker\.protocol\.version 2\.4/);
    expect(plan.json.services.map((s: { reason: string }) => s.reason)).toEqual(Array(3).fill('lift inter.broker.protocol.version 2.4: every broker runs 3.9.1'));
  }, 600_000);

  it('a rollback between the phases returns every broker to 2.4.1', async () => {
    const plan = await zkafkaJson(['plan', oldInv]);
    expect(plan.json.phase, JSON.stringify(plan.json.problems)).toMatch(/^Kafka rollback 3\.9\.1 → 2\.4\.1/);
    const up = await zkafka(['up', oldInv]);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/rollback 3\.9\.1 → 2\.4\.1 onto \/opt\/kafka_2\.11-2\.4\.1/);
    expect(await brokerVersions(lab)).toEqual(['2.4.1', '2.4.1', '2.4.1']);
    const status = await zkafkaJson(['status', oldInv]);
    expect(status.exitCode, JSON.stringify(status.json.problems)).toBe(0);
    expect(status.json.versions.kafka).toEqual(['2.4.1']);
  }, 600_000);

  it('an up killed during the first roll: status shows mixed versions, plan continues phase 1', async () => {
    const run = execa('node', [join(REPO_ROOT, 'bin', 'zkafka.js'), 'up', newInv], { reject: false, stdin: 'ignore', env: { FORCE_COLOR: '0' } });
    let stderr = '';
    run.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    // Killed as soon as the first broker runs 3.9.1, while the roll goes on.
    const deadline = Date.now() + 300_000;
    while (!(await brokerVersions(lab)).includes('3.9.1') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    run.kill('SIGKILL');
    await run;
    const versions = await brokerVersions(lab);
    expect(versions, stderr).toContain('3.9.1');
    expect(versions).toContain('2.4.1');

    const status = await zkafkaJson(['status', newInv]);
    expect(status.json.versions).toEqual({ zookeeper: ['3.8.0'], kafka: ['2.4.1', '3.9.1'], mixed: true });
    expect(status.json.notes.join('\n')).toMatch(/mixed Kafka versions: 2\.4\.1 \(brokers? [0-9,]+\), 3\.9\.1 \(broker/);

    const plan = await zkafkaJson(['plan', newInv]);
    expect(plan.json.phase ?? '', JSON.stringify(plan.json)).toMatch(/phase 1 of 2.*pinned at 2\.4/);
    // The broker already upgraded stays as it is.
    expect(plan.json.unchanged.filter((u: { service: string }) => u.service === 'kafka').length).toBeGreaterThanOrEqual(1);
    // A restart would start brokers from the new home without the upgrade's steps: refused.
    const restart = await zkafka(['restart', newInv, '--service', 'kafka']);
    expect(restart.exitCode).toBe(1);
    expect(restart.stderr).toMatch(/restart: a version change is pending .*nothing was restarted/);
    expect(restart.stderr).toMatch(/broker \d on lab\d runs from \/opt\/kafka_2\.11-2\.4\.1/);
  }, 600_000);

  it('the re-run finishes the upgrade in both phases; status shows 3.9.1 everywhere; every acknowledged number is consumed', async () => {
    const before = producer.count();
    const up = await zkafkaJson(['up', newInv]);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.json.phases).toEqual([expect.stringMatching(/phase 1 of 2/), expect.stringMatching(/phase 2 of 2: lift inter\.broker\.protocol\.version 2\.4/)]);
    // Phase 1 restarts only the brokers still on 2.4.1; phase 2 all three.
    const restarts = up.json.services.filter((s: string) => s.startsWith('restart kafka')).length;
    expect(restarts).toBeGreaterThanOrEqual(4);
    expect(restarts).toBeLessThanOrEqual(5);
    expect(await brokerVersions(lab)).toEqual(['3.9.1', '3.9.1', '3.9.1']);
    for (const h of lab.hosts) {
      const cfg = await labExec(h.name, ['cat', `${homeOf(NEW)}/config/server.properties`]);
      expect(cfg.stdout).not.toMatch(/inter\.broker\.protocol\.version/);
      // The old home stays for a rollback; the log dirs are the same ones.
      expect((await labExec(h.name, ['test', '-x', `${homeOf(OLD)}/bin/kafka-server-start.sh`])).exitCode).toBe(0);
    }
    const status = await zkafkaJson(['status', newInv]);
    expect(status.exitCode, JSON.stringify(status.json.problems)).toBe(0);
    expect(status.json.versions).toEqual({ zookeeper: ['3.8.0'], kafka: ['3.9.1'], mixed: false });
    expect(status.json.kafka.brokers.map((b: { version: string }) => b.version)).toEqual(['3.9.1', '3.9.1', '3.9.1']);
    expect(status.json.kafka.partitions.underReplicated).toEqual([]);
    const again = await zkafkaJson(['plan', newInv]);
    expect(again.exitCode).toBe(0);

    while (producer.count() < before + 200) await new Promise((r) => setTimeout(r, 100));
    const { acked, errors } = await producer.stop();
    const { missing, seen } = await consumeNumbers(bootstrap, TOPIC, acked);
    expect(missing, `${missing.length} of ${acked.length} acknowledged numbers lost (${errors} failed requests; first ${missing.slice(0, 20).join(',')}; seen ${seen.size})`).toEqual([]);
  }, 1_200_000);

  it('refused before anything changes: a downgrade after the pin was lifted, and 4.x in ZooKeeper mode', async () => {
    const down = await zkafka(['up', oldInv]);
    expect(down.exitCode).toBe(1);
    expect(down.stderr).toMatch(/preflight failed/);
    expect(down.stderr).toMatch(/broker \d runs Kafka 3\.9\.1 with inter\.broker\.protocol\.version=3\.9 \(its default\): the protocol was lifted past 2\.4, so Kafka cannot go back to 2\.4\.1/);
    expect(await brokerVersions(lab)).toEqual(['3.9.1', '3.9.1', '3.9.1']);

    const four = join(dirname(newInv), 'four.yaml');
    // The tarball is never reached: the refusal comes first (validation or preflight).
    writeFileSync(four, readFileSync(newInv, 'utf8').replace(/^  version: 3\.9\.1$/m, '  version: 4.1.1').replace(/^  source: .*$/m, `  source: ${join(DIST_DIR, `kafka_${NEW.scala}-${NEW.version}.tgz`)}`));
    const r = await zkafka(['plan', four]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/4\.1\.1 has no ZooKeeper mode|ZooKeeper mode/);
    expect(await brokerVersions(lab)).toEqual(['3.9.1', '3.9.1', '3.9.1']);
  }, 300_000);
});
