// zkafka up / status / restart / down on KRaft clusters (no ZooKeeper), genuine Kafka 3.9.1 or 4.1.1
// (whichever ZKAFKA_LAB_KAFKA says: the vitest projects kafka-3.9.1 and kafka-4.1.1 each run this file
// once). One lab of 6 hosts: first 3 dedicated controllers + 3 brokers, then (after down --purge) 3
// combined nodes on lab1..lab3. Each: up formats and starts controllers then brokers; status shows the
// quorum; an acks=all producer runs through `zkafka restart` and every acknowledged number is read
// back; a second up does nothing; down stops everything (brokers first, the active controller last).
// ZKAFKA_LAB_INDEX=3 npx vitest run --project kafka-4.1.1 --maxWorkers 1 test/e2e/kraft.test.ts
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildKafkaDist, labDown, labExec, labKafka, labUp, type Lab } from '../lab/lab.js';
import { zkafka, zkafkaJson } from './cli.js';
import { consumeNumbers, createTopic, startProducer } from './kafka-client.js';

const KAFKA = labKafka();
const KRAFT = KAFKA.version.startsWith('3.9.') || KAFKA.version.startsWith('4.');

interface Status {
  healthy: boolean;
  problems: string[];
  kafka: { controller: number | null; brokers: Array<{ host: string; id: number; state: string; registered: boolean; endpoint: string | null }>; partitions: { total: number; underReplicated: string[]; offline: string[] } | null };
  kraft: {
    leader: number | null;
    epoch: number | null;
    highWatermark: number | null;
    voters: Array<{ id: number; logEndOffset: number; lag: number | null; lastCaughtUpTimestamp: number; caughtUp: boolean }>;
    observers: Array<{ id: number }>;
    controllers: Array<{ id: number; quorum: string; state: string }>;
  };
}

function inventory(lab: Lab, tgz: string, topology: 'split' | 'combined'): string {
  const hosts =
    topology === 'combined'
      ? lab.hosts.slice(0, 3).map((h, i) => `  - { name: ${h.name}, address: ${h.address}, kafka: { id: ${i + 1}, roles: [broker, controller] } }`)
      : lab.hosts.map((h, i) => (i < 3 ? `  - { name: ${h.name}, address: ${h.address}, kafka: { id: ${i + 1}, roles: [controller] } }` : `  - { name: ${h.name}, address: ${h.address}, kafka: { id: ${98 + i} } }`));
  const file = join(mkdtempSync(join(tmpdir(), 'zkafka-kraft-')), 'inventory.yaml');
  writeFileSync(
    file,
    `cluster: kraft-${topology}
ssh: { user: ${lab.user}, identityFile: ${lab.identityFile}, knownHosts: ${lab.knownHosts}, connectTimeout: 5 }
kafka:
  mode: kraft
  version: ${KAFKA.version}
  scalaVersion: "${KAFKA.scalaVersion}"
  source: ${tgz}
  home: /opt/kafka
  logDirs: [/data/kafka-logs]
  logDir: /var/log/kafka
  env: { KAFKA_HEAP_OPTS: "-Xmx256m -Xms64m" }
  settings:
    num.partitions: 3
    default.replication.factor: 3
    min.insync.replicas: 2
    offsets.topic.replication.factor: 3
    transaction.state.log.replication.factor: 3
    transaction.state.log.min.isr: 2
    group.initial.rebalance.delay.ms: 0
hosts:
${hosts.join('\n')}
`,
  );
  return file;
}

async function kafkaPids(host: string): Promise<number[]> {
  const r = await labExec(host, ['sh', '-c', 'ps -ww -eo pid=,stat=,args= | grep " kafka\\.Kafka " | grep -v grep | grep -v " Z" | awk "{print \\$1}"']);
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

/** The step lines (`ok    start Kafka controller 1 on lab1 ...`) of a run, in order. */
const steps = (stderr: string, re: RegExp) => stderr.split('\n').filter((l) => re.test(l));

describe.runIf(KRAFT)(`zkafka on KRaft clusters, genuine Kafka ${KAFKA.version}`, () => {
  let lab: Lab;
  let tgz: string;

  beforeAll(async () => {
    tgz = await buildKafkaDist();
    lab = await labUp(6);
  });

  afterAll(async () => {
    // Whatever a failed test left running, stopped inside each lab host only; then the lab goes.
    if (lab) for (const h of lab.hosts) for (const pid of await kafkaPids(h.name)) await labExec(h.name, ['kill', '-9', String(pid)]);
    await labDown();
  });

  for (const topology of ['split', 'combined'] as const) {
    describe(topology === 'split' ? '3 controllers + 3 brokers' : '3 combined nodes', () => {
      let file: string;
      let bootstrap: string[];
      const brokerIds = topology === 'split' ? [101, 102, 103] : [1, 2, 3];
      let acked: number[] = [];

      beforeAll(() => {
        file = inventory(lab, tgz, topology);
        bootstrap = (topology === 'split' ? lab.hosts.slice(3) : lab.hosts.slice(0, 3)).map((h) => `${h.address}:9092`);
      });

      it('plan shows a format step per node; up formats, starts the controllers, then the brokers', async () => {
        const plan = await zkafkaJson(['plan', file]);
        expect(plan.exitCode).toBe(3);
        const formats = plan.json.formats as Array<{ id: number; clusterId: string; clusterIdSource: string }>;
        expect(formats.map((f) => f.id).sort((a, b) => a - b)).toEqual(topology === 'split' ? [1, 2, 3, 101, 102, 103] : [1, 2, 3]);
        expect(new Set(formats.map((f) => f.clusterIdSource))).toEqual(new Set(['new']));
        const t0 = Date.now();
        const up = await zkafka(['up', file]);
        console.log(`up (${topology}) ${((Date.now() - t0) / 1000).toFixed(1)} s\n${up.stderr.split('\n').filter((l) => /^(ok|FAIL)/.test(l)).join('\n')}`);
        expect(up.exitCode, up.stderr).toBe(0);
        expect(up.stderr).toMatch(/format KRaft storage of \d node\(s\) \(cluster id \S+, generated\)/);
        const starts = steps(up.stderr, /^ok\s+start Kafka/);
        const kinds = starts.map((l) => (/controller/.test(l) ? 'c' : 'b')).join('');
        expect(kinds).toBe(topology === 'split' ? 'cccbbb' : 'ccc');
        // One cluster id on every node, read back from meta.properties.
        const ids = new Set<string>();
        for (const h of topology === 'split' ? lab.hosts : lab.hosts.slice(0, 3)) {
          const meta = await labExec(h.name, ['cat', '/data/kafka-logs/meta.properties']);
          ids.add(/^cluster\.id=(\S+)$/m.exec(meta.stdout)?.[1] ?? 'none');
        }
        expect([...ids]).toHaveLength(1);
      }, 300_000);

      it('status: a quorum leader, 3 voters caught up, every broker registered, healthy', async () => {
        const st = await zkafkaJson<Status>(['status', file]);
        expect(st.exitCode, JSON.stringify(st.json.problems)).toBe(0);
        expect(st.json.healthy).toBe(true);
        expect([1, 2, 3]).toContain(st.json.kraft.leader);
        expect(st.json.kraft.epoch).toBeGreaterThan(0);
        expect(st.json.kraft.voters.map((v) => v.id).sort()).toEqual([1, 2, 3]);
        expect(st.json.kraft.voters.every((v) => v.caughtUp && v.lag !== null && v.lag <= 10)).toBe(true);
        if (topology === 'split') expect(st.json.kraft.observers.map((o) => o.id).sort()).toEqual(brokerIds);
        expect(st.json.kafka.brokers.map((b) => [b.id, b.registered])).toEqual(brokerIds.map((id) => [id, true]));
        const text = await zkafka(['status', file]);
        console.log(text.stdout);
        expect(text.stdout).toMatch(/voter, leader \(epoch \d+\)/);
        expect(text.stdout).toMatch(/voters 3\/3 caught up, brokers 3\/3 registered.*: healthy/);
      });

      it('rolls through zkafka restart with an acks=all producer running: controllers keep a majority, the active controller last; every acknowledged number is read back', async () => {
        const topic = `kraft-${topology}`;
        await createTopic(bootstrap, topic);
        const before = await zkafkaJson<Status>(['status', file]);
        const leader = before.json.kraft.leader;
        const producer = await startProducer(bootstrap, topic);
        await new Promise((r) => setTimeout(r, 2000));
        const t0 = Date.now();
        const r = await zkafka(['restart', file]);
        const seconds = (Date.now() - t0) / 1000;
        await new Promise((r) => setTimeout(r, 2000));
        const sent = await producer.stop();
        acked = sent.acked;
        console.log(`restart (${topology}) ${seconds.toFixed(1)} s, ${sent.acked.length} acknowledged, ${sent.errors} retried send(s)${sent.lastError ? ` (${sent.lastError})` : ''}\n${r.stderr.split('\n').filter((l) => /^(ok|FAIL|waiting|error)/.test(l)).join('\n')}`);
        expect(r.exitCode, r.stderr).toBe(0);
        const restarts = steps(r.stderr, /^ok\s+restart Kafka/);
        expect(restarts).toHaveLength(topology === 'split' ? 6 : 3);
        const controllers = restarts.filter((l) => /controller/.test(l));
        expect(controllers.at(-1)).toMatch(new RegExp(`(controller|node) ${leader}\\b`));
        if (topology === 'split') expect(restarts.slice(0, 3).every((l) => /controller/.test(l))).toBe(true);
        expect(sent.acked.length).toBeGreaterThan(100);
        const got = await consumeNumbers(bootstrap, topic, sent.acked);
        expect(got.missing).toEqual([]);
        const after = await zkafkaJson<Status>(['status', file]);
        expect(after.json.healthy, JSON.stringify(after.json.problems)).toBe(true);
      }, 480_000);

      it('a second up does nothing (no format, no restart)', async () => {
        const r = await zkafkaJson(['up', file]);
        expect(r.exitCode, r.stderr).toBe(0);
        expect(r.json.changed).toBe(false);
        expect(r.json.plan.formats).toBeUndefined();
        expect(r.json.services).toEqual([]);
      });

      it('down stops everything: brokers first, then the controllers, the active controller last; up again brings every number back', async () => {
        const st = await zkafkaJson<Status>(['status', file]);
        const t0 = Date.now();
        const r = await zkafka(['down', file]);
        const seconds = (Date.now() - t0) / 1000;
        console.log(`down (${topology}) ${seconds.toFixed(1)} s\n${r.stderr.split('\n').filter((l) => /^(ok|FAIL|warning)/.test(l)).join('\n')}`);
        expect(r.exitCode, r.stderr).toBe(0);
        const stops = steps(r.stderr, /^ok\s+stop Kafka/);
        expect(stops).toHaveLength(topology === 'split' ? 6 : 3);
        if (topology === 'split') expect(stops.map((l) => (/controller/.test(l) ? 'c' : 'b')).join('')).toBe('bbbccc');
        expect(stops.at(-1)).toMatch(new RegExp(`(controller|node) ${st.json.kraft.leader}\\b.*\\(active controller\\)`));
        // The 5-minute wait of the last voter's controlled shutdown is bounded (20 s, then SIGKILL).
        expect(seconds).toBeLessThan(90);
        for (const h of lab.hosts) expect(await kafkaPids(h.name)).toEqual([]);
        // The node stopped last (SIGKILL after the bound, for combined nodes) comes back with the data.
        const again = await zkafka(['up', file]);
        expect(again.exitCode, again.stderr).toBe(0);
        expect(again.stderr).not.toMatch(/format KRaft storage/);
        const back = await zkafkaJson<Status>(['status', file]);
        expect(back.json.healthy, JSON.stringify(back.json.problems)).toBe(true);
        expect((await consumeNumbers(bootstrap, `kraft-${topology}`, acked)).missing).toEqual([]);
        const t1 = Date.now();
        const purge = await zkafka(['down', file, '--purge', '--yes']);
        console.log(`down --purge (${topology}) after the second up ${((Date.now() - t1) / 1000).toFixed(1)} s`);
        expect(purge.exitCode, purge.stderr).toBe(0);
      }, 300_000);
    });
  }
});
