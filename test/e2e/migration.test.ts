// Issue 10, part 3: a ZooKeeper-mode cluster on genuine Kafka 3.9.1 (3 members and 3 brokers on lab1-3)
// migrated to KRaft (3 dedicated controllers on lab4-6), phase by phase, each through `plan` then `up`,
// with an acks=all producer sending the whole time and a consumer group whose committed offsets must
// survive. Phase (b) is killed mid-roll and finished by a re-run; phases asked for too early are refused;
// from (c) the migration is rolled back to ZooKeeper mode (Kafka's documented revert, killed half way and
// finished by a re-run), then run again up to (c);
// the ensemble is refused to go before (d) and taken down after it; the plain KRaft inventory then plans
// nothing and is healthy. Every acknowledged number is consumed at the end.
// Runs as root, on Kafka 3.9.1 only: ZKAFKA_LAB_INDEX=4 npx vitest run --project kafka-3.9.1 --maxWorkers 1 test/e2e/migration.test.ts
import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDists, labDown, labExec, labKafka, labUp, REPO_ROOT, type Lab } from '../lab/lab.js';
import { writeLabInventory, zkafka, zkafkaJson } from './cli.js';
import { commitGroupOffsets, consumeNumbers, createTopic, groupOffsets, startProducer, topicOffsets, type ProducerRun } from './kafka-client.js';

const KAFKA = labKafka();
const TOPIC = 'migrate';
const GROUP = 'migrate-group';
const CONTROLLERS = [100, 101, 102];

/** The first `lab.hosts.length - 3` hosts as in the lab inventory, plus controllers on the last three. */
function migrationInventory(zkInv: string, lab: Lab): string {
  const controllers = lab.hosts
    .slice(3)
    .map((h, i) => `  - name: ${h.name}\n    address: ${h.address}\n    kafka: { id: ${CONTROLLERS[i]}, roles: [controller] }\n`)
    .join('');
  const text = readFileSync(zkInv, 'utf8').replace(/^kafka:\n/m, 'kafka:\n  mode: kraft\n') + controllers;
  const file = join(dirname(zkInv), 'migration.yaml');
  writeFileSync(file, text);
  return file;
}

/** The migration inventory without ZooKeeper: the plain KRaft cluster it becomes. */
function kraftInventory(migInv: string): string {
  const text = readFileSync(migInv, 'utf8')
    .replace(/^zookeeper:\n(?:  .*\n)+/m, '')
    .replace(/^    zookeeper: \{ id: \d+ \}\n/gm, '');
  const file = join(dirname(migInv), 'kraft.yaml');
  writeFileSync(file, text);
  return file;
}

async function znode(lab: Lab, path: string): Promise<string> {
  const r = await labExec(lab.hosts[0]!.name, ['/opt/kafka/bin/zookeeper-shell.sh', `${lab.hosts[0]!.address}:2181`, 'get', path]);
  return r.stdout.trim().split('\n').at(-1) ?? '';
}

/** Runs zkafka and SIGKILLs it once its progress matches `when` (or it ends, or `withinMs` passes); returns its stderr. */
async function killedWhen(args: string[], when: RegExp, withinMs = 300_000): Promise<string> {
  const run = execa('node', [join(REPO_ROOT, 'bin', 'zkafka.js'), ...args], { reject: false, stdin: 'ignore', env: { FORCE_COLOR: '0' } });
  let stderr = '';
  run.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + withinMs;
  while (!when.test(stderr) && Date.now() < deadline && run.exitCode === null) await new Promise((r) => setTimeout(r, 200));
  run.kill('SIGKILL');
  await run;
  return stderr;
}

/** What each broker host's running server.properties is: its form by process.roles and the migration flag. */
async function forms(lab: Lab): Promise<string[]> {
  return Promise.all(
    lab.hosts.map(async (h) => {
      const cfg = (await labExec(h.name, ['cat', '/opt/kafka/config/server.properties'])).stdout;
      const roles = /^process\.roles=(.*)$/m.exec(cfg)?.[1];
      const flag = /^zookeeper\.metadata\.migration\.enable=true$/m.test(cfg);
      return roles ? `${roles}${flag ? '+migration' : ''}` : flag ? 'zk+migration' : 'zk';
    }),
  );
}

describe.runIf(KAFKA.version.startsWith('3.9.'))('ZooKeeper → KRaft migration on genuine Kafka 3.9.1, phase by phase, no message lost', () => {
  let lab: Lab;
  let zkInv: string;
  let migInv: string;
  let kraftInv: string;
  let bootstrap: string[];
  let producer: ProducerRun;
  let committed: Array<{ partition: number; offset: string }>;
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    try {
      return await f();
    } finally {
      timings[name] = (Date.now() - t) / 1000;
    }
  };

  /** `inv` plans nothing and its status is healthy; the producer gets `more` numbers acknowledged. */
  const nothingToDoAndServing = async (inv: string, more: number) => {
    const plan = await zkafkaJson(['plan', inv]);
    expect(plan.exitCode, JSON.stringify(plan.json)).toBe(0);
    const status = await zkafkaJson(['status', inv]);
    expect(status.exitCode, JSON.stringify(status.json.problems)).toBe(0);
    const before = producer.count();
    while (producer.count() < before + more) await new Promise((r) => setTimeout(r, 100));
  };

  beforeAll(async () => {
    await buildDists();
    lab = await labUp(6);
    zkInv = writeLabInventory(lab, { zookeeper: 3, kafka: 3 });
    // Only lab1-3 in the ZooKeeper-mode inventory (lab-inventory lists every lab host).
    writeFileSync(zkInv, readFileSync(zkInv, 'utf8').replace(/^  - name: lab[456]\n    address: .*\n/gm, ''));
    migInv = migrationInventory(zkInv, lab);
    kraftInv = kraftInventory(migInv);
    const up = await timed('zookeeper-mode up', () => zkafka(['up', zkInv]));
    expect(up.exitCode, up.stderr).toBe(0);
    bootstrap = lab.hosts.slice(0, 3).map((h) => `${h.address}:9092`);
    await createTopic(bootstrap, TOPIC);
    producer = await startProducer(bootstrap, TOPIC);
    while (producer.count() < 300) await new Promise((r) => setTimeout(r, 100));
    committed = await commitGroupOffsets(bootstrap, GROUP, TOPIC, 200);
    expect(committed.length).toBe(3);
  }, 600_000);

  afterAll(async () => {
    await producer?.stop().catch(() => undefined);
    console.log('migration e2e timings (s):', JSON.stringify(timings));
    if (!process.env.ZKAFKA_E2E_KEEP_LAB) await labDown();
  });

  it('(a) plan names phase a and the next; later phases and the ensemble going are refused; up deploys the controllers in migration mode', async () => {
    const plan = await zkafkaJson(['plan', migInv]);
    expect(plan.exitCode, JSON.stringify(plan.json.problems)).toBe(3);
    expect(plan.json.migration).toEqual({ phase: 'controllers' });
    expect(plan.json.phase).toMatch(/^ZooKeeper → KRaft migration, phase a \(1 of 4\)/);
    expect(plan.json.next.migration).toEqual({ phase: 'brokers' });
    expect(plan.json.formats.map((f: { id: number }) => f.id)).toEqual(CONTROLLERS);
    // The ZooKeeper cluster's id (the brokers' meta.properties) formats the controllers.
    const meta = (await labExec('lab1', ['cat', '/data/kafka-logs/meta.properties'])).stdout;
    expect(plan.json.formats[0].clusterId).toBe(/^cluster\.id=(.*)$/m.exec(meta)![1]);
    expect(plan.json.services.filter((s: { action: string }) => s.action === 'restart')).toEqual([]);

    const early = await zkafka(['up', migInv, '--phase', 'c']);
    expect(early.exitCode).toBe(1);
    expect(early.stderr).toMatch(/up --phase c refused: phase kraft cannot run yet: the hosts are in ZooKeeper → KRaft migration, phase a/);
    const zkDown = await zkafka(['down', migInv, '--service', 'zookeeper']);
    expect(zkDown.exitCode).toBe(1);
    expect(zkDown.stderr).toMatch(/down --service zookeeper refused: the ZooKeeper → KRaft migration is not finished/);

    const up = await timed('phase a', () => zkafkaJson(['up', migInv, '--phase', 'a']));
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/next: ZooKeeper → KRaft migration, phase b/);
    expect(await forms(lab)).toEqual(['zk', 'zk', 'zk', 'controller+migration', 'controller+migration', 'controller+migration']);
    // The controllers wait for the brokers: /migration exists, nothing migrated yet.
    expect(JSON.parse(await znode(lab, '/migration')).kraft_metadata_offset).toBe(-1);
  }, 600_000);

  it('(b) an up killed mid-roll is finished by a re-run, which waits until the metadata migration has completed', async () => {
    const plan = await zkafkaJson(['plan', migInv]);
    expect(plan.json.migration).toEqual({ phase: 'brokers' });
    expect(plan.json.services.map((s: { reason: string }) => s.reason)).toEqual(Array(3).fill('migration: ZooKeeper mode → migration mode'));

    const stderr = await killedWhen(['up', migInv], /ok +restart Kafka broker \d/);
    const half = await forms(lab);
    expect(half.filter((f) => f === 'zk+migration').length, stderr).toBeGreaterThanOrEqual(1);

    const again = await zkafkaJson(['plan', migInv]);
    expect(again.json.migration.phase, JSON.stringify(again.json.problems)).toBe('brokers');
    const up = await timed('phase b (re-run)', () => zkafkaJson(['up', migInv, '--break-lock']));
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/ok +ZooKeeper → KRaft: the metadata migration completed/);
    expect(await forms(lab)).toEqual(['zk+migration', 'zk+migration', 'zk+migration', 'controller+migration', 'controller+migration', 'controller+migration']);
    // The signal, checked against the active controller's own log line.
    const z = JSON.parse(await znode(lab, '/migration'));
    expect(z.kraft_metadata_offset).toBeGreaterThanOrEqual(0);
    const active = lab.hosts[3 + CONTROLLERS.indexOf(z.kraft_controller_id)]!;
    const log = await labExec(active.name, ['grep', '-c', 'Completed migration of metadata from ZooKeeper to KRaft', '/var/log/kafka/server.log']);
    expect(Number(log.stdout.trim())).toBeGreaterThanOrEqual(1);
  }, 900_000);

  it('(c) brokers into KRaft: an earlier phase is refused; an up killed mid-roll is finished by a re-run', async () => {
    const plan = await zkafkaJson(['plan', migInv]);
    expect(plan.json.migration).toEqual({ phase: 'kraft' });
    expect(plan.json.services.map((s: { reason: string }) => s.reason)).toEqual(Array(3).fill('migration: migration mode → KRaft mode'));
    const back = await zkafka(['up', migInv, '--phase', 'b']);
    expect(back.exitCode).toBe(1);
    expect(back.stderr).toMatch(/phase brokers is finished/);
    // Killed once the first broker runs in KRaft; the re-run finishes the phase.
    const stderr = await killedWhen(['up', migInv], /ok +restart Kafka broker \d/);
    expect((await forms(lab)).filter((f) => f === 'broker').length, stderr).toBeGreaterThanOrEqual(1);
    const again = await zkafkaJson(['plan', migInv]);
    expect(again.json.migration, JSON.stringify(again.json.problems)).toEqual({ phase: 'kraft' });
    const up = await timed('phase c (re-run)', () => zkafkaJson(['up', migInv, '--break-lock']));
    expect(up.exitCode, up.stderr).toBe(0);
    expect(await forms(lab)).toEqual(['broker', 'broker', 'broker', 'controller+migration', 'controller+migration', 'controller+migration']);
    const cfg = (await labExec('lab1', ['cat', '/opt/kafka/config/server.properties'])).stdout;
    expect(cfg).toMatch(/^node\.id=0$/m);
    expect(cfg).not.toMatch(/^zookeeper\./m);
    expect(cfg).not.toMatch(/^broker\.id=/m);
  }, 900_000);

  it('rollback from (c), killed in step 2 and finished by a re-run: ZooKeeper mode again, as before (a); then the migration again up to (c)', async () => {
    const plan = await zkafkaJson(['plan', migInv, '--rollback']);
    expect(plan.exitCode, JSON.stringify(plan.json.problems)).toBe(3);
    expect(plan.json.migration).toEqual({ phase: 'rollback-brokers' });
    expect(plan.json.services.map((s: { reason: string }) => s.reason)).toEqual(Array(3).fill('migration rollback: KRaft mode → migration mode'));
    expect(plan.json.next.migration).toEqual({ phase: 'rollback-zookeeper' });
    expect(plan.json.next.deprovision.controllers.map((c: { id: number }) => c.id)).toEqual(CONTROLLERS);
    const zkOnly = await zkafka(['plan', zkInv, '--rollback']);
    expect(zkOnly.exitCode).toBe(2);
    expect(zkOnly.stderr).toMatch(/--rollback: the inventory describes no ZooKeeper → KRaft migration/);

    // Killed once step 2 has deprovisioned the controllers and rolled one broker into ZooKeeper mode.
    const stderr = await killedWhen(['up', migInv, '--rollback'], /ok +restart Kafka broker \d on \S+ \(migration rollback: migration mode → ZooKeeper mode/, 600_000);
    expect(stderr).toMatch(/ok +restart Kafka broker \d on \S+ \(migration rollback: KRaft mode → migration mode\)/);
    expect(stderr).toMatch(/ok +ZooKeeper: delete the KRaft controller's \/controller claim and \/migration/);
    expect(stderr).toMatch(/deleting \/migration, which said: \{"version":0,"kraft_metadata_offset":\d+/);
    expect(stderr).toMatch(/ok +Kafka: a broker elected as the ZooKeeper-mode controller/);
    expect(stderr).toMatch(/ok +Kafka: every broker follows the ZooKeeper-mode controller/);
    const half = await forms(lab);
    expect(half.slice(0, 3).filter((f) => f === 'zk').length, stderr).toBe(3); // files all written, one broker restarted
    const again = await zkafkaJson(['plan', migInv, '--rollback']);
    expect(again.json.migration, JSON.stringify(again.json.problems)).toEqual({ phase: 'rollback-zookeeper' });
    expect(again.json.deprovision.controllers.every((c: { running: boolean; moves: unknown[] }) => !c.running && !c.moves.length)).toBe(true);
    const up = await timed('rollback (re-run)', () => zkafkaJson(['up', migInv, '--rollback', '--break-lock']));
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/rolled back to ZooKeeper mode/);

    // The cluster of before (a): brokers in ZooKeeper mode, registered, one of them the controller.
    expect(await forms(lab)).toEqual(['zk', 'zk', 'zk', 'controller+migration', 'controller+migration', 'controller+migration']);
    for (const h of lab.hosts.slice(3)) expect((await labExec(h.name, ['pgrep', '-f', 'kafka\\.Kafka'])).exitCode, h.name).toBe(1);
    const gone = await labExec(lab.hosts[0]!.name, ['/opt/kafka/bin/zookeeper-shell.sh', `${lab.hosts[0]!.address}:2181`, 'get', '/migration']);
    expect(gone.stdout + gone.stderr).toMatch(/Node does not exist: \/migration/);
    expect([0, 1, 2]).toContain(JSON.parse(await znode(lab, '/controller')).brokerid);
    // Nothing deleted: the controllers' storage and the brokers' copies of the metadata log moved aside.
    const kept = (host: string) => labExec(host, ['sh', '-c', 'ls -d /data/kafka-logs.zkafka-rollback-*/* /data/kafka-logs/meta.properties /data/kafka-logs/__cluster_metadata-0 2>/dev/null']);
    expect((await kept(lab.hosts[3]!.name)).stdout).toMatch(/^\/data\/kafka-logs\.zkafka-rollback-\d{8}T\d{6}Z\/meta\.properties$/m);
    expect((await kept(lab.hosts[3]!.name)).stdout).not.toMatch(/^\/data\/kafka-logs\/meta\.properties$/m);
    const brokerKept = (await kept('lab1')).stdout;
    expect(brokerKept).toMatch(/^\/data\/kafka-logs\.zkafka-rollback-\d{8}T\d{6}Z\/__cluster_metadata-0$/m);
    expect(brokerKept).not.toMatch(/^\/data\/kafka-logs\/__cluster_metadata-0$/m);
    const done = await zkafkaJson(['plan', migInv, '--rollback']);
    expect(done.json.migration).toEqual({ phase: 'rolled-back' });
    expect(done.exitCode, JSON.stringify(done.json)).toBe(0);
    // The ZooKeeper-mode inventory of before plans nothing, and the cluster is healthy.
    await nothingToDoAndServing(zkInv, 100);

    // A later attempt starts afresh at (a): new controller storage, a new /migration.
    const a = await zkafkaJson(['plan', migInv]);
    expect(a.json.migration).toEqual({ phase: 'controllers' });
    expect(a.json.formats.map((f: { id: number }) => f.id)).toEqual(CONTROLLERS);
    for (const phase of ['a', 'b', 'c']) {
      const r = await timed(`phase ${phase} (again)`, () => zkafkaJson(['up', migInv, '--phase', phase]));
      expect(r.exitCode, r.stderr).toBe(0);
    }
    expect(await forms(lab)).toEqual(['broker', 'broker', 'broker', 'controller+migration', 'controller+migration', 'controller+migration']);
  }, 1_500_000);

  it('(d) controllers out of migration mode; then the ensemble goes, and the plain KRaft cluster is healthy with every number and offset', async () => {
    const plan = await zkafkaJson(['plan', migInv]);
    expect(plan.json.migration).toEqual({ phase: 'finalize' });
    const up = await timed('phase d', () => zkafkaJson(['up', migInv]));
    expect(up.exitCode, up.stderr).toBe(0);
    expect(await forms(lab)).toEqual(['broker', 'broker', 'broker', 'controller', 'controller', 'controller']);
    const done = await zkafkaJson(['plan', migInv]);
    expect(done.json.migration).toEqual({ phase: 'done' });
    expect(done.exitCode).toBe(0);

    const zkDown = await timed('down --service zookeeper', () => zkafka(['down', migInv, '--service', 'zookeeper']));
    expect(zkDown.exitCode, zkDown.stderr).toBe(0);
    expect((await labExec('lab1', ['pgrep', '-f', 'QuorumPeerMain'])).exitCode).toBe(1);
    await nothingToDoAndServing(kraftInv, 200);
    const { acked, errors } = await producer.stop();
    const { missing, seen } = await consumeNumbers(bootstrap, TOPIC, acked);
    expect(missing, `${missing.length} of ${acked.length} acknowledged numbers lost (${errors} failed requests; first ${missing.slice(0, 20).join(',')}; seen ${seen.size})`).toEqual([]);
    const t = await topicOffsets(bootstrap, TOPIC);
    expect(t.topics).toEqual([TOPIC]);
    expect(t.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    expect(t.partitions.reduce((n, p) => n + Number(p.high), 0)).toBeGreaterThanOrEqual(acked.length);
    expect(await groupOffsets(bootstrap, GROUP, TOPIC)).toEqual(committed);
  }, 900_000);
});
