// Operating a degraded cluster, end to end on the lab with genuine services: a host's link cut during a
// rolling restart, up --skip-unreachable with a host gone, a broker start retried after ZooKeeper was
// briefly unreachable against a broker id clash that fails at once, and an SSH session killed in the
// middle of an upload. Genuine Kafka (the lab's, or $ZKAFKA_KAFKA_TGZ) and ZooKeeper.
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDists, labDown, labExec, labUp, REPO_ROOT, type Lab } from '../lab/lab.js';
import { zkafka, zkafkaJson } from './cli.js';
// @ts-expect-error: a plain .mjs module shared with scripts/demo.sh
import { labInventory } from '../lab/lab-inventory.mjs';

function inventoryText(lab: Lab, opts: Record<string, unknown> = {}): string {
  return labInventory(lab, opts) as string;
}

function writeInventory(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'zkafka-e2e-')), 'inventory.yaml');
  writeFileSync(file, text);
  return file;
}

const link = (host: string, state: 'up' | 'down') => labExec(host, ['ip', 'link', 'set', 'eth0', state]);

/** Runs zkafka in the background, calling `on` with each new chunk of stderr. */
function zkafkaLive(args: string[], env: Record<string, string>, on: (stderr: string) => void) {
  const child = execa('node', [join(REPO_ROOT, 'bin', 'zkafka.js'), ...args], { reject: false, stdin: 'ignore', env: { ...env, FORCE_COLOR: '0' }, timeout: 600_000 });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    on(stderr);
  });
  return child.then((r) => ({ exitCode: r.exitCode ?? -1, stdout: String(r.stdout ?? ''), stderr, ended: Date.now() }));
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function javaPids(host: string): Promise<string> {
  return (await labExec(host, ['sh', '-c', 'ps -eo pid=,args= | grep "[j]ava" | awk "{print \\$1}" | sort'])).stdout.trim();
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path).on('data', (d) => h.update(d)).on('error', reject).on('end', () => resolve(h.digest('hex')));
  });
}

describe('a 3-host cluster losing a host', () => {
  let lab: Lab;
  let inventory: string;

  beforeAll(async () => {
    const dists = await buildDists();
    lab = await labUp(3);
    inventory = writeInventory(inventoryText(lab, { zookeeperTgz: dists.zookeeperTgz, kafkaTgz: dists.kafkaTgz }));
    const up = await zkafka(['up', inventory]);
    expect(up.exitCode, up.stderr).toBe(0);
  }, 600_000);

  afterAll(async () => {
    await labDown();
  });

  it('up --skip-unreachable starts a stopped broker while a host is cut off; without the flag nothing changes', async () => {
    const before = await zkafkaJson(['status', inventory]);
    const b0 = before.json.kafka.brokers.find((b: { id: number }) => b.id === 0);
    await labExec('lab1', ['kill', String(b0.pid)]);
    await waitUntil('broker 0 to stop', async () => !(await javaPids('lab1')).includes(String(b0.pid)));
    await link('lab3', 'down');
    try {
      const refused = await zkafka(['up', inventory]);
      expect(refused.exitCode).toBe(1);
      expect(refused.stderr).toMatch(/preflight failed: cannot reach 1 host\(s\); nothing was changed/);
      expect(refused.stderr).toMatch(/lab3: no SSH answer from 198\.18\.\d+\.13:22/);
      const still = await zkafkaJson(['status', inventory]);
      expect(still.json.kafka.brokers.find((b: { id: number }) => b.id === 0).state).toBe('down');

      const up = await zkafkaJson(['up', inventory, '--skip-unreachable']);
      expect(up.exitCode, up.stderr).toBe(0);
      expect(up.json.leftOut).toEqual([{ host: 'lab3', reason: expect.stringMatching(/^unreachable: no SSH answer/) }]);
      expect(up.json.services).toEqual(['start kafka 0 on lab1']);
      expect(up.stderr).toMatch(/left out: lab3: unreachable/);

      const status = await zkafka(['status', inventory]);
      expect(status.exitCode).toBe(1);
      expect(status.stdout).toMatch(/quorum 2\/3, brokers 2\/3 registered/);
      const js = await zkafkaJson(['status', inventory]);
      expect(js.json.zookeeper.quorum).toBe(true);
      expect(js.json.zookeeper.members.map((m: { host: string; state: string }) => `${m.host} ${m.state}`).sort()).toEqual(
        expect.arrayContaining([expect.stringMatching(/^lab1 (leader|follower)$/), expect.stringMatching(/^lab2 (leader|follower)$/), 'lab3 unreachable']),
      );
      expect(js.json.kafka.brokers.filter((b: { registered: boolean }) => b.registered).map((b: { id: number }) => b.id).sort()).toEqual([0, 1]);
    } finally {
      await link('lab3', 'up');
    }
    await waitUntil('the cluster healthy again', async () => (await zkafka(['status', inventory])).exitCode === 0);
  }, 600_000);

  it('a link cut during a rolling restart: no second service goes down, the run names the host, a re-run finishes', async () => {
    const pidsBefore = { lab1: await javaPids('lab1'), lab2: await javaPids('lab2') };
    let cut: Promise<unknown> | undefined;
    // Cut lab3 off the moment the roll sends its first SIGTERM (to a broker on lab1 or lab2).
    const run = await zkafkaLive(['restart', inventory, '--service', 'kafka', '--hosts', 'lab1,lab2', '--verbose'], { ZKAFKA_SERVICE_TIMEOUT: '40' }, (stderr) => {
      if (!cut && /\[lab[12]\] \$ kill -TERM/.test(stderr)) cut = link('lab3', 'down');
    });
    try {
      expect(cut, run.stderr).toBeDefined();
      expect(run.exitCode, run.stderr).toBe(1);
      const error = run.stderr.split('\n').filter((l) => l.startsWith('error:') || l.startsWith('  ')).join('\n');
      expect(error).toMatch(/^error: lab[12]: not stopping broker [01]: the cluster is already short/m);
      expect(error).toMatch(/broker 2 on lab3 is unreachable \(SSH connection lost/);
      expect(error).toMatch(/ZooKeeper member 3 on lab3 is unreachable/);
      // One broker was restarted; the other kept its process.
      const restarted = /ok {4}restart Kafka broker (\d) on (lab\d)/.exec(run.stderr);
      expect(restarted, run.stderr).not.toBeNull();
      const other = restarted![2] === 'lab1' ? 'lab2' : 'lab1';
      expect(await javaPids(other)).toBe(pidsBefore[other]);
      expect(run.stderr.match(/ok {4}restart Kafka broker/g)).toHaveLength(1);
      const brokers = (await javaPids(restarted![2]!)).split('\n');
      expect(brokers).toHaveLength(2); // its ZooKeeper member and the restarted broker
    } finally {
      await link('lab3', 'up');
    }
    await waitUntil('the cluster healthy again', async () => (await zkafka(['status', inventory])).exitCode === 0);
    const again = await zkafkaJson(['restart', inventory, '--service', 'kafka', '--hosts', 'lab1,lab2']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.json.services.sort()).toEqual(['restart kafka 0 on lab1', 'restart kafka 1 on lab2']);
    expect((await zkafka(['status', inventory])).exitCode).toBe(0);
  }, 600_000);
});

describe('a host lost during an install, and broker starts that fail', () => {
  let lab: Lab;
  let inventory: string;
  let paddedTgz: string;
  let paddedDir: string;
  let zookeeperTgz: string;
  let head: string;

  beforeAll(async () => {
    const dists = await buildDists();
    lab = await labUp(2);
    // A ZooKeeper tarball made big enough (random padding) that its upload takes a while.
    const dir = (paddedDir = mkdtempSync(join(tmpdir(), 'zkafka-padded-')));
    await execa('sh', ['-c', 'mkdir -p "$1/src" && tar -xzf "$2" -C "$1/src" && head -c 150000000 /dev/urandom > "$1/src/apache-zookeeper-3.8.0-bin/padding.bin" && tar -C "$1/src" -cf - apache-zookeeper-3.8.0-bin | gzip -1 > "$1/apache-zookeeper-3.8.0-bin.tar.gz" && rm -rf "$1/src"', 'x', dir, dists.zookeeperTgz]);
    paddedTgz = join(dir, 'apache-zookeeper-3.8.0-bin.tar.gz');
    zookeeperTgz = dists.zookeeperTgz;
    // lab1: a broker only; lab2: a standalone ZooKeeper only, so lab1's route to lab2 is the broker's way to ZooKeeper.
    const full: string = inventoryText(lab, { zookeeper: 1, kafka: 1, zookeeperTgz: paddedTgz, kafkaTgz: dists.kafkaTgz });
    head = full.slice(0, full.indexOf('hosts:\n'));
    inventory = writeInventory(
      `${head}hosts:\n  - name: lab1\n    address: ${lab.hosts[0]!.address}\n    kafka: { id: 0 }\n  - name: lab2\n    address: ${lab.hosts[1]!.address}\n    zookeeper: { id: 1 }\n`,
    );
  }, 600_000);

  afterAll(async () => {
    await labDown();
    if (paddedDir) rmSync(paddedDir, { recursive: true, force: true });
  });

  it('an SSH session killed during an upload fails that step within seconds; the re-run completes it with a correct checksum', async () => {
    const part = '/opt/.zkafka-dist/apache-zookeeper-3.8.0-bin.tar.gz.part';
    let killedAt = 0;
    let finished = false;
    const run = zkafkaLive(['up', inventory], {}, () => undefined).finally(() => (finished = true));
    // Once a few MB have arrived, kill every sshd session process on lab2 (not its listener, pid 1's child).
    while (!finished && !killedAt) {
      const size = Number((await labExec('lab2', ['sh', '-c', 'stat -c %s "$1" 2>/dev/null || echo 0', 'x', part])).stdout.trim());
      if (size > 5_000_000) {
        await labExec('lab2', ['sh', '-c', 'for p in $(pgrep -x sshd); do [ "$(ps -o ppid= -p "$p" | tr -d " ")" = 1 ] || kill -9 "$p"; done']);
        killedAt = Date.now();
      } else await new Promise((r) => setTimeout(r, 50));
    }
    const r = await run;
    expect(killedAt, r.stderr).toBeGreaterThan(0);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.ended - killedAt).toBeLessThan(10_000);
    expect(r.stderr).toMatch(/error: lab2: SSH connection lost \(.*\) while uploading .*apache-zookeeper-3\.8\.0-bin\.tar\.gz/);
    // Nothing half-written where it counts: no tarball under its final name, no home.
    const left = await labExec('lab2', ['sh', '-c', 'ls -a /opt /opt/.zkafka-dist 2>&1']);
    expect(left.stdout).not.toMatch(/^zookeeper$/m);
    expect(left.stdout).not.toMatch(/^apache-zookeeper-3\.8\.0-bin\.tar\.gz$/m);

    const again = await zkafkaJson(['up', inventory]);
    expect(again.exitCode, again.stderr).toBe(0);
    const remote = await labExec('lab2', ['sh', '-c', 'sha256sum < /opt/.zkafka-dist/apache-zookeeper-3.8.0-bin.tar.gz | cut -c1-64']);
    expect(remote.stdout.trim()).toBe(await sha256File(paddedTgz));
    expect((await labExec('lab2', ['test', '-f', '/opt/zookeeper/padding.bin'])).exitCode).toBe(0);
    expect((await zkafka(['status', inventory])).exitCode).toBe(0);
  }, 600_000);

  it('a broker start that fails because ZooKeeper was briefly unreachable succeeds on a retry', async () => {
    expect((await zkafka(['down', inventory, '--hosts', 'lab1'])).exitCode).toBe(0);
    const zk = lab.hosts[1]!.address;
    // lab1 loses its route to the ZooKeeper member: the broker's ZooKeeper client cannot connect within
    // Kafka's 6 s. The route comes back while zkafka pauses before the second attempt.
    await labExec('lab1', ['ip', 'route', 'add', 'blackhole', `${zk}/32`]);
    let restored: Promise<unknown> | undefined;
    const run = await zkafkaLive(['up', inventory, '--json'], {}, (stderr) => {
      if (!restored && /lab1: broker 0 did not start, attempt 1 of 3/.test(stderr)) restored = labExec('lab1', ['ip', 'route', 'del', 'blackhole', `${zk}/32`]);
    });
    await restored;
    await labExec('lab1', ['ip', 'route', 'del', 'blackhole', `${zk}/32`]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/lab1: broker 0 did not start, attempt 1 of 3: transient failure: could not reach ZooKeeper in time \(ZooKeeperClientTimeoutException/);
    const json = JSON.parse(run.stdout);
    expect(json.startAttempts).toEqual([{ host: 'lab1', service: 'kafka', id: 0, attempt: 1, kind: 'transient', reason: expect.stringMatching(/ZooKeeperClientTimeoutException/), retried: true }]);
    expect(json.services).toEqual(['start kafka 0 on lab1']);
    expect((await zkafka(['status', inventory])).exitCode).toBe(0);
  }, 600_000);

  it('a broker whose broker.id is taken fails at once, not after retries', async () => {
    expect((await zkafka(['down', inventory, '--hosts', 'lab1'])).exitCode).toBe(0);
    const zk = `${lab.hosts[1]!.address}:2181`;
    const zkHome = mkdtempSync(join(tmpdir(), 'zkafka-zk-'));
    await execa('tar', ['-xzf', zookeeperTgz, '-C', zkHome, '--strip-components=1']);
    // Another session holds /brokers/ids/0 (with broker 0's own endpoint, so preflight cannot tell),
    // as an earlier session of the broker would: ZooKeeper's own client, from this machine.
    const address = lab.hosts[0]!.address;
    const node = JSON.stringify({ listener_security_protocol_map: { PLAINTEXT: 'PLAINTEXT' }, endpoints: [`PLAINTEXT://${address}:9092`], jmx_port: -1, host: address, timestamp: '1000', port: 9092, version: 4 });
    const holder = execa('java', ['-cp', `${zkHome}/lib/*`, join(REPO_ROOT, 'test/e2e/java/HoldSession.java'), zk, '/brokers/ids/0', node], { reject: false, timeout: 300_000 });
    let held = '';
    holder.stdout!.on('data', (d: Buffer) => (held += d.toString()));
    try {
      await waitUntil('the other session to hold /brokers/ids/0', async () => /^SESSION /m.test(held), 60_000);
      const started = Date.now();
      const r = await zkafka(['up', inventory]);
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/error: lab1: starting broker 0: .*; not retried \(a lasting cause\): broker id clash: \/brokers\/ids\/0 is registered by another session \(NodeExistsException\)/);
      expect(r.stderr).toMatch(/attempt 1 of 3: lasting failure/);
      expect(r.stderr).not.toMatch(/starting it again/);
      // One start, not three with pauses: well within one broker's start-up time twice over.
      expect(Date.now() - started).toBeLessThan(60_000);
    } finally {
      holder.stdin!.end();
      await holder;
    }
    const again = await zkafka(['up', inventory]);
    expect(again.exitCode, again.stderr).toBe(0);
  }, 600_000);
});
