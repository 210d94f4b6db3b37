// Idempotent up, plan, rolling restarts, an added broker and the run lock, end to end on the lab.
import { execa } from 'execa';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDists, labDown, labExec, labUp, REPO_ROOT, type Lab } from '../lab/lab.js';
import { writeLabInventory, zkafka, zkafkaJson } from './cli.js';
import { holdSession } from './hold-session.js';

// The lab this run uses (ZKAFKA_LAB_INDEX): 198.18.K.0/24.
const NET = `198.18.${process.env.ZKAFKA_LAB_INDEX ?? '0'}`;
const NET_RE = NET.replace(/\./g, '\\.');

const FILES = ['/opt/zookeeper/conf/zoo.cfg', '/data/zookeeper/myid', '/opt/kafka/config/server.properties'];

/** pids of the cluster's JVMs and mtimes of its files on one host. */
async function snapshot(host: string): Promise<string> {
  const r = await labExec(host, ['sh', '-c', 'ps -ww -eo pid=,args= | grep java | grep -v grep | awk "{print \\$1}" | sort; stat -c "%n %Y %s" "$@"', 'x', ...FILES]);
  return r.stdout;
}

describe('plan, idempotent up, rolling restarts, lock', () => {
  let lab: Lab;
  let inventory: string;
  let zkHome: string;

  beforeAll(async () => {
    const dists = await buildDists();
    lab = await labUp(4);
    // Three hosts with both services; the fourth joins later as a broker.
    inventory = writeLabInventory(lab, { zookeeper: 3, kafka: 3 });
    const up = await zkafka(['up', inventory]);
    expect(up.exitCode, up.stderr).toBe(0);
    zkHome = mkdtempSync(join(tmpdir(), 'zkafka-zk-'));
    await execa('tar', ['-xzf', dists.zookeeperTgz, '-C', zkHome, '--strip-components=1']);
  });

  afterAll(async () => {
    await labDown();
  });

  it('up twice: the second changes no file and restarts nothing', async () => {
    const before = await Promise.all(lab.hosts.slice(0, 3).map((h) => snapshot(h.name)));
    const r = await zkafkaJson(['up', inventory]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.changed).toBe(false);
    expect(r.json.services).toEqual([]);
    expect(r.json.files).toEqual([]);
    expect(await Promise.all(lab.hosts.slice(0, 3).map((h) => snapshot(h.name)))).toEqual(before);
    const plan = await zkafka(['plan', inventory]);
    expect(plan.exitCode).toBe(0);
    expect(plan.stdout).toMatch(/nothing to do/);
  });

  it('a changed zoo.cfg setting: plan shows the diff and exits 3; up rolls followers first, leader last, keeping a client session', async () => {
    const changed = writeLabInventory(lab, { zookeeper: 3, kafka: 3 }).replace('/inventory.yaml', '/inventory.yaml');
    const { readFileSync, writeFileSync } = await import('node:fs');
    writeFileSync(changed, readFileSync(changed, 'utf8').replace('    cnxTimeout: 2000', '    cnxTimeout: 2000\n    globalOutstandingLimit: 1500'));

    const plan = await zkafkaJson(['plan', changed]);
    expect(plan.exitCode).toBe(3);
    const files = plan.json.files.filter((f: { path: string }) => f.path.endsWith('zoo.cfg'));
    expect(files.map((f: { host: string }) => f.host).sort()).toEqual(['lab1', 'lab2', 'lab3']);
    for (const f of files) expect(f.diff).toMatch(/^\+globalOutstandingLimit=1500$/m);
    const human = await zkafka(['plan', changed]);
    expect(human.exitCode).toBe(3);
    expect(human.stdout).toMatch(/\+globalOutstandingLimit=1500/);

    const status = await zkafkaJson(['status', changed]);
    const leader = status.json.zookeeper.members.find((m: { state: string }) => m.state === 'leader').id;

    const connect = lab.hosts.slice(0, 3).map((h) => `${h.address}:2181`).join(',');
    const held = await holdSession(zkHome, connect, '/zkafka-roll-test');
    const session = held.id;

    const up = await zkafkaJson(['up', changed]);
    const output = await held.finish();
    expect(up.exitCode, up.stderr).toBe(0);
    const restarts: string[] = up.json.services;
    expect(restarts).toHaveLength(3);
    expect(restarts.every((x) => x.startsWith('restart zookeeper'))).toBe(true);
    expect(restarts.at(-1)).toMatch(new RegExp(`^restart zookeeper ${leader} `));
    expect(output).not.toMatch(/^EVENT Expired/m);
    expect(output).toMatch(new RegExp(`^FINAL ${session} true$`, 'm'));
    inventory = changed;
  });

  it('a changed broker setting rolls the brokers one at a time, the controller last', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const changed = writeLabInventory(lab, { zookeeper: 3, kafka: 3 });
    writeFileSync(
      changed,
      readFileSync(inventory, 'utf8').replace('  settings:\n    offsets.topic', '  settings:\n    num.network.threads: 4\n    offsets.topic'),
    );
    const status = await zkafkaJson(['status', changed]);
    const controller = status.json.kafka.controller;
    const before = await Promise.all(lab.hosts.slice(0, 3).map((h) => labExec(h.name, ['sh', '-c', 'ps -eo pid=,args= | grep "[k]afka.Kafka" | awk "{print \\$1}"'])));
    const up = await zkafkaJson(['up', changed]);
    expect(up.exitCode, up.stderr).toBe(0);
    const restarts: string[] = up.json.services;
    expect(restarts).toHaveLength(3);
    expect(restarts.every((x) => x.startsWith('restart kafka'))).toBe(true);
    expect(restarts.at(-1)).toMatch(new RegExp(`^restart kafka ${controller} `));
    const after = await Promise.all(lab.hosts.slice(0, 3).map((h) => labExec(h.name, ['sh', '-c', 'ps -eo pid=,args= | grep "[k]afka.Kafka" | awk "{print \\$1}"'])));
    after.forEach((a, i) => expect(a.stdout.trim()).not.toBe(before[i]!.stdout.trim()));
    const s = await zkafkaJson(['status', changed]);
    expect(s.json.healthy).toBe(true);
    inventory = changed;
  });

  it('a fourth host added as a broker joins without restarting anything else', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const bigger = writeLabInventory(lab, { zookeeper: 3, kafka: 4 });
    writeFileSync(bigger, readFileSync(inventory, 'utf8').replace(new RegExp(`  - name: lab4\\n    address: ${NET_RE}\\.14\\n?`), '') + `  - name: lab4\n    address: ${NET}.14\n    kafka: { id: 3 }\n`);
    const before = await Promise.all(lab.hosts.slice(0, 3).map((h) => snapshot(h.name)));
    const up = await zkafkaJson(['up', bigger]);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.json.services).toEqual(['start kafka 3 on lab4']);
    expect(up.json.installed).toEqual(['kafka on lab4']);
    expect(await Promise.all(lab.hosts.slice(0, 3).map((h) => snapshot(h.name)))).toEqual(before);
    const s = await zkafkaJson(['status', bigger]);
    expect(s.json.healthy).toBe(true);
    expect(s.json.kafka.brokers).toHaveLength(4);
    inventory = bigger;
  });

  it('a ZooKeeper member added: it starts first, then the ensemble and the brokers roll without losing quorum', async () => {
    const { readFileSync, writeFileSync } = await import('node:fs');
    const grown = writeLabInventory(lab, { zookeeper: 4, kafka: 4 });
    writeFileSync(grown, readFileSync(inventory, 'utf8').replace('    kafka: { id: 3 }\n', '    zookeeper: { id: 4 }\n    kafka: { id: 3 }\n'));
    const before = await zkafkaJson(['status', grown]);
    const leader = before.json.zookeeper.members.find((m: { state: string }) => m.state === 'leader').id;
    const controller = before.json.kafka.controller;
    const up = await zkafkaJson(['up', grown]);
    expect(up.exitCode, up.stderr).toBe(0);
    const services: string[] = up.json.services;
    expect(services[0]).toBe('start zookeeper 4 on lab4');
    const zkRestarts = services.filter((x) => x.startsWith('restart zookeeper'));
    expect(zkRestarts).toHaveLength(3);
    expect(zkRestarts.at(-1)).toMatch(new RegExp(`^restart zookeeper ${leader} `));
    // zookeeper.connect changed for every broker: they roll too, the controller last.
    const kRestarts = services.filter((x) => x.startsWith('restart kafka'));
    expect(kRestarts).toHaveLength(4);
    expect(kRestarts.at(-1)).toMatch(new RegExp(`^restart kafka ${controller} `));
    expect(services.indexOf(kRestarts[0]!)).toBeGreaterThan(services.indexOf(zkRestarts.at(-1)!));
    const s = await zkafkaJson(['status', grown]);
    expect(s.json.healthy).toBe(true);
    expect(s.json.zookeeper.members).toHaveLength(4);
    expect((await labExec('lab1', ['cat', '/opt/zookeeper/conf/zoo.cfg'])).stdout).toContain(`server.4=${NET}.14:2888:3888`);
    inventory = grown;
  });

  it('a second run at the same time is refused by the lock; a stale lock is broken deliberately', async () => {
    const first = execa('node', [join(REPO_ROOT, 'bin/zkafka.js'), 'restart', inventory, '--service', 'kafka'], { reject: false, stdin: 'ignore' });
    const lockDir = '/var/tmp/zkafka-lab.lock';
    const deadline = Date.now() + 30_000;
    while ((await labExec('lab1', ['test', '-d', lockDir])).exitCode !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const second = await zkafka(['up', inventory]);
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toMatch(/cluster lab is locked by another run: .*pid \d+ \(zkafka restart\) since \d{4}-/);
    expect(second.stderr).toMatch(/--break-lock/);
    const done = await first;
    expect(done.exitCode, String(done.stderr)).toBe(0);
    expect((await labExec('lab1', ['test', '-d', lockDir])).exitCode).not.toBe(0);

    // A lock left behind by a run that was killed.
    await labExec('lab1', ['sh', '-c', `mkdir ${lockDir} && echo "ci@elsewhere pid 4242 (zkafka up) since 2026-01-01T00:00:00Z" > ${lockDir}/holder`]);
    const refused = await zkafka(['up', inventory]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/ci@elsewhere pid 4242/);
    const broken = await zkafka(['up', inventory, '--break-lock']);
    expect(broken.exitCode, broken.stderr).toBe(0);
    expect((await labExec('lab1', ['test', '-d', lockDir])).exitCode).not.toBe(0);

    // An interrupted run (Ctrl-C) gives its lock back.
    const interrupted = execa('node', [join(REPO_ROOT, 'bin/zkafka.js'), 'restart', inventory, '--service', 'kafka'], { reject: false, stdin: 'ignore' });
    const until = Date.now() + 30_000;
    while ((await labExec('lab1', ['test', '-d', lockDir])).exitCode !== 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    interrupted.kill('SIGINT');
    const stopped = await interrupted;
    expect(stopped.exitCode).toBe(130);
    expect(String(stopped.stderr)).toMatch(/interrupted by SIGINT: releasing the run lock/);
    expect((await labExec('lab1', ['test', '-d', lockDir])).exitCode).not.toBe(0);
    const after = await zkafka(['up', inventory]);
    expect(after.exitCode, after.stderr).toBe(0);
  });
});
