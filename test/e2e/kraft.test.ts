// zkafka up / status / restart / down on KRaft clusters (no ZooKeeper), genuine Kafka 3.9.1 or 4.1.1
// (whichever ZKAFKA_LAB_KAFKA says: the vitest projects kafka-3.9.1 and kafka-4.1.1 each run this file
// once). One lab of 6 hosts: first 3 dedicated controllers + 3 brokers, then (after down --purge) 3
// combined nodes on lab1..lab3. Each: up formats and starts controllers then brokers; status shows the
// quorum; an acks=all producer runs through `zkafka restart` and every acknowledged number is read
// back; a second up does nothing; down stops everything (brokers first, the active controller last).
// The split cluster has a static quorum (controller.quorum.voters), the combined one a dynamic quorum
// (kafka.controllerQuorum: dynamic, KIP-853: controller.quorum.bootstrap.servers, voters formatted with
// --initial-controllers), checked on the hosts' files, by status and by Kafka's own kafka-features.sh.
// ZKAFKA_LAB_INDEX=3 npx vitest run --project kafka-4.1.1 --maxWorkers 1 test/e2e/kraft.test.ts
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildKafkaDist, labDown, labExec, labKafka, labUp, REPO_ROOT, sshConnect, type Lab } from '../lab/lab.js';
import { API, KafkaWireClient, type WireExchange } from '../../src/services/kafka-wire.js';
import { zkafka, zkafkaJson } from './cli.js';
import { client, consumeNumbers, createTopic, startProducer } from './kafka-client.js';
import { controllerDirectoryId } from '../../src/services/kafka.js';

const KAFKA = labKafka();
const KRAFT = KAFKA.version.startsWith('3.9.') || KAFKA.version.startsWith('4.');

interface Status {
  healthy: boolean;
  problems: string[];
  kafka: { controller: number | null; brokers: Array<{ host: string; id: number; state: string; registered: boolean; endpoint: string | null }>; partitions: { total: number; underReplicated: string[]; offline: string[] } | null };
  kraft: {
    controllerQuorum: 'static' | 'dynamic' | null;
    kraftVersion: number | null;
    leader: number | null;
    epoch: number | null;
    highWatermark: number | null;
    voters: Array<{ id: number; directoryId: string | null; logEndOffset: number; lag: number | null; lastCaughtUpTimestamp: number; caughtUp: boolean }>;
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
  mode: kraft${topology === 'combined' ? '\n  controllerQuorum: dynamic' : ''}
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

/**
 * createTopic, retried: right after a KRaft cluster came up, kafkajs' wait for leaders can meet a broker
 * that does not know the new partitions yet ("This server does not host this topic-partition", seen on
 * 3.9.1). Done when every partition has a leader.
 */
async function createTopicReady(bootstrap: string[], topic: string): Promise<void> {
  await createTopic(bootstrap, topic).catch((e: unknown) => console.log(`createTopic ${topic}: ${String(e)}; waiting for its leaders`));
  const admin = client(bootstrap).admin();
  await admin.connect();
  try {
    for (let i = 0; ; i++) {
      const md = await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
      const parts = md?.topics[0]?.partitions ?? [];
      if (parts.length === 3 && parts.every((p) => p.leader >= 0 && p.isr.length === 3)) return;
      if (i > 60) throw new Error(`topic ${topic}: no leaders after 30 s`);
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await admin.disconnect();
  }
}

/** Status until healthy (bounded): partitions elect their leaders a moment after the brokers register. */
async function healthyStatus(file: string, timeoutMs = 90_000): Promise<{ json: Status; seconds: number }> {
  const t0 = Date.now();
  for (;;) {
    const st = await zkafkaJson<Status>(['status', file]);
    if (st.json.healthy || Date.now() - t0 > timeoutMs) return { json: st.json, seconds: (Date.now() - t0) / 1000 };
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** `key=value` of a properties file on a lab host (undefined when the key is not there). */
async function hostProperty(host: string, path: string, key: string): Promise<string | undefined> {
  const r = await labExec(host, ['cat', path]);
  const line = r.stdout.split('\n').find((l) => l.startsWith(`${key}=`));
  return line?.slice(key.length + 1);
}

/** kraft.version's finalized level as Kafka's own kafka-features.sh describes it, asked on lab1's controller listener. */
async function kraftVersionByKafka(lab: Lab): Promise<number> {
  const r = await labExec('lab1', ['env', 'KAFKA_HEAP_OPTS=-Xmx128m', '/opt/kafka/bin/kafka-features.sh', '--bootstrap-controller', `${lab.hosts[0]!.address}:9093`, 'describe']);
  const line = r.stdout.split('\n').find((l) => /Feature: kraft\.version\b/.test(l));
  const level = line && /FinalizedVersionLevel: (\d+)/.exec(line)?.[1];
  if (level === undefined) throw new Error(`kafka-features.sh describe: ${r.stdout}${r.stderr}`);
  return Number(level);
}

/**
 * ZKAFKA_RECORD_KAFKA_WIRE=1: the dynamic quorum's DescribeQuorum and ApiVersions answers on the
 * leader's controller listener (through lab1's SSH session), saved as unit-test fixtures (test/unit/fixtures/kafka-wire/) with the directory
 * ids the hosts' meta.properties hold, which the unit tests compare the decoded voters with.
 */
async function recordDynamicQuorum(lab: Lab, leader: number, directoryIds: Record<number, string>): Promise<void> {
  const ssh = await sshConnect(lab, lab.hosts[0]!);
  const seen: WireExchange[] = [];
  try {
    // The leader's controller listener: only the leader answers DescribeQuorum with the voters.
    const to = lab.hosts[leader - 1]!.address;
    const stream = await new Promise<Duplex>((resolve, reject) => ssh.connection!.forwardOut('127.0.0.1', 0, to, 9093, (err, ch) => (err ? reject(err) : resolve(ch))));
    const c = await KafkaWireClient.connect(stream, { timeoutMs: 5000, tap: (x) => seen.push(x) });
    await c.apiVersions();
    await c.describeQuorum();
    await c.close();
  } finally {
    ssh.dispose();
  }
  const dir = join(REPO_ROOT, 'test', 'unit', 'fixtures', 'kafka-wire');
  for (const [apiKey, name] of [[API.apiVersions, 'api-versions'], [API.describeQuorum, 'describe-quorum']] as const) {
    const x = seen.filter((e) => e.apiKey === apiKey).at(-1)!;
    const file = `${KAFKA.version}-${name}-v${x.version}-dynamic`;
    writeFileSync(join(dir, `${file}.bin`), x.response);
    writeFileSync(join(dir, `${file}.json`), `${JSON.stringify({ kafka: KAFKA.version, apiKey, version: x.version, controllerQuorum: 'dynamic', directoryIds }, null, 2)}\n`);
  }
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
        const formats = plan.json.formats as Array<{ id: number; clusterId: string; clusterIdSource: string; initialControllers?: string | null }>;
        expect(formats.map((f) => f.id).sort((a, b) => a - b)).toEqual(topology === 'split' ? [1, 2, 3, 101, 102, 103] : [1, 2, 3]);
        expect(new Set(formats.map((f) => f.clusterIdSource))).toEqual(new Set(['new']));
        // Dynamic: every controller gets the same initial voters, ID@ADDRESS:9093:DIRECTORYID; static: none.
        const voterArgs = new Set(formats.map((f) => f.initialControllers));
        if (topology === 'split') expect([...voterArgs]).toEqual([undefined]);
        else expect([...voterArgs][0]).toMatch(new RegExp(`^${lab.hosts.slice(0, 3).map((h, i) => `${i + 1}@${h.address.replaceAll('.', '\\.')}:9093:[A-Za-z0-9_-]{22}`).join(',')}$`));
        if (topology === 'combined') expect(voterArgs.size).toBe(1);
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
        const nodes = topology === 'split' ? lab.hosts : lab.hosts.slice(0, 3);
        for (const h of nodes) ids.add((await hostProperty(h.name, '/data/kafka-logs/meta.properties', 'cluster.id')) ?? 'none');
        expect([...ids]).toHaveLength(1);
        // The quorum key each node runs with, read from the hosts' files: the voters (static) or the bootstrap servers (dynamic).
        const controllers = lab.hosts.slice(0, 3).map((h) => `${h.address}:9093`);
        for (const h of nodes) {
          const config = '/opt/kafka/config/server.properties';
          const [voters, bootstrapServers] = [await hostProperty(h.name, config, 'controller.quorum.voters'), await hostProperty(h.name, config, 'controller.quorum.bootstrap.servers')];
          if (topology === 'split') {
            expect(voters, h.name).toBe(controllers.map((c, i) => `${i + 1}@${c}`).join(','));
            expect(bootstrapServers, h.name).toBeUndefined();
          } else {
            expect(bootstrapServers, h.name).toBe(controllers.join(','));
            expect(voters, h.name).toBeUndefined();
            // Each voter's metadata log dir holds the directory id derived for it, as the genuine format wrote it.
            const dirId = await hostProperty(h.name, '/data/kafka-logs/meta.properties', 'directory.id');
            expect(dirId, h.name).toBe(controllerDirectoryId([...ids][0]!, nodes.indexOf(h) + 1));
          }
        }
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
        // The quorum's kind: kraft.version as the nodes answer ApiVersions, and as kafka-features.sh describes it.
        const kind = topology === 'combined' ? 'dynamic' : 'static';
        expect(st.json.kraft.controllerQuorum).toBe(kind);
        expect(st.json.kraft.kraftVersion).toBe(kind === 'dynamic' ? 1 : 0);
        expect(await kraftVersionByKafka(lab)).toBe(st.json.kraft.kraftVersion);
        // A dynamic quorum's voters carry the directory ids of their metadata log dirs (a static one's are all zero).
        const directoryIds: Record<number, string> = {};
        for (const v of st.json.kraft.voters) {
          const onHost = await hostProperty(lab.hosts[v.id - 1]!.name, '/data/kafka-logs/meta.properties', 'directory.id');
          expect(v.directoryId, `voter ${v.id}`).toBe(kind === 'dynamic' ? onHost : null);
          directoryIds[v.id] = onHost!;
        }
        if (kind === 'dynamic' && process.env.ZKAFKA_RECORD_KAFKA_WIRE === '1') await recordDynamicQuorum(lab, st.json.kraft.leader!, directoryIds);
        const text = await zkafka(['status', file]);
        console.log(text.stdout);
        expect(text.stdout).toMatch(new RegExp(`voter, leader \\(epoch \\d+\\), ${kind} quorum`));
        expect(text.stdout).toMatch(new RegExp(`KRaft ${kind} quorum leader [123]`));
        expect(text.stdout).toMatch(/voters 3\/3 caught up, brokers 3\/3 registered.*: healthy/);
      });

      it('rolls through zkafka restart with an acks=all producer running: controllers keep a majority, the active controller last; every acknowledged number is read back', async () => {
        const topic = `kraft-${topology}`;
        await createTopicReady(bootstrap, topic);
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
        const after = await healthyStatus(file, 30_000);
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
        const back = await healthyStatus(file);
        console.log(`healthy ${back.seconds.toFixed(1)} s after the second up`);
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
