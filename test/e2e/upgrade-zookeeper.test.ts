// Issue 9, ZooKeeper: the ensemble of a running cluster (3 members, 3 brokers on genuine Kafka 2.4.1)
// upgraded from 3.8.0 to 3.9.4 by editing the inventory, while a client holds a session and an
// ephemeral node. The runbook keeps dataDir inside the old home: a version change that would move it
// (a default derived from the new home) is refused before anything changes; with the old dataDir kept,
// up rolls followers first and the leader last, and the session, the node, myid and the data survive.
// Going back to the 3.8 line afterwards is refused.
import { execa } from 'execa';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDists, labDown, labExec, labUp, LAB_ZOOKEEPER_39, zookeeperTgz, type Lab } from '../lab/lab.js';
import { writeLabInventory, zkafka, zkafkaJson } from './cli.js';
import { holdSession } from './hold-session.js';

const OLD_HOME = '/opt/apache-zookeeper-3.8.0-bin';
const NEW_HOME = `/opt/apache-zookeeper-${LAB_ZOOKEEPER_39}-bin`;
const DATA = `${OLD_HOME}/data/zookeeper`;

/** The lab inventory with ZooKeeper's home and dataDir derived from its version, as in the runbook. */
function inventoryFor(base: string, version: string, tgz: string, name: string, dataDir?: string): string {
  let text = readFileSync(base, 'utf8')
    .replace(/^  version: 3\.8\.0$/m, `  version: ${version}`)
    .replace(/^  source: .*apache-zookeeper-3\.8\.0-bin\.tar\.gz$/m, `  source: ${tgz}`)
    .replace(/^  home: \/opt\/zookeeper$/m, '  installDir: /opt');
  text = text.replace(/^  dataDir: \/data\/zookeeper\n/m, dataDir ? `  dataDir: ${dataDir}\n` : '');
  const file = join(dirname(base), name);
  writeFileSync(file, text);
  return file;
}

async function memberVersions(lab: Lab): Promise<string[]> {
  return Promise.all(
    lab.hosts.map(async (h) => {
      const r = await labExec(h.name, ['sh', '-c', "ps -ww -eo args= | grep '[Q]uorumPeerMain' | sed 's/.* QuorumPeerMain //'"]);
      return /apache-zookeeper-([0-9.]+)-bin/.exec(r.stdout)?.[1] ?? 'none';
    }),
  );
}

describe(`rolling ZooKeeper upgrade 3.8.0 → ${LAB_ZOOKEEPER_39}`, () => {
  let lab: Lab;
  let oldInv: string;
  let zkHome: string;

  beforeAll(async () => {
    const dists = await buildDists();
    const newTgz = await zookeeperTgz(LAB_ZOOKEEPER_39);
    lab = await labUp(3);
    const base = writeLabInventory(lab, { zookeeper: 3, kafka: 3 });
    oldInv = inventoryFor(base, '3.8.0', dists.zookeeperTgz, 'old.yaml');
    inventoryFor(base, LAB_ZOOKEEPER_39, newTgz, 'moved.yaml');
    inventoryFor(base, LAB_ZOOKEEPER_39, newTgz, 'new.yaml', DATA);
    inventoryFor(base, '3.8.0', dists.zookeeperTgz, 'back.yaml', DATA);
    const up = await zkafka(['up', oldInv]);
    expect(up.exitCode, up.stderr).toBe(0);
    zkHome = mkdtempSync(join(tmpdir(), 'zkafka-zk-'));
    await execa('tar', ['-xzf', dists.zookeeperTgz, '-C', zkHome, '--strip-components=1']);
  }, 600_000);

  afterAll(async () => {
    if (!process.env.ZKAFKA_E2E_KEEP_LAB) await labDown();
  });

  const inv = (name: string) => join(dirname(oldInv), name);

  it('a version change that would move dataDir out of the old home is refused, naming the directory to keep', async () => {
    const plan = await zkafkaJson(['plan', inv('moved.yaml')]);
    expect(plan.exitCode).toBe(1);
    const problems: string[] = plan.json.problems;
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(new RegExp(`^lab1: ZooKeeper member 1 keeps its data in ${DATA} \\(myid and snapshots\\), but the inventory's dataDir is ${NEW_HOME}/data/zookeeper, which holds no myid: it would start empty; set zookeeper.dataDir: ${DATA}$`));
    const up = await zkafka(['up', inv('moved.yaml')]);
    expect(up.exitCode).toBe(1);
    expect(up.stderr).toMatch(/preflight failed: 3 problem\(s\); nothing was changed/);
    expect(await memberVersions(lab)).toEqual(['3.8.0', '3.8.0', '3.8.0']);
    expect((await labExec('lab1', ['test', '-e', NEW_HOME])).exitCode, 'nothing installed').not.toBe(0);
  }, 300_000);

  it('with the old dataDir kept: followers first, the leader last; the session, its ephemeral node, myid and data survive', async () => {
    const status = await zkafkaJson(['status', oldInv]);
    expect(status.json.versions.zookeeper).toEqual(['3.8.0']);
    const leader = status.json.zookeeper.members.find((m: { state: string }) => m.state === 'leader').id;
    const plan = await zkafkaJson(['plan', inv('new.yaml')]);
    expect(plan.exitCode, JSON.stringify(plan.json.problems)).toBe(3);
    const steps = plan.json.services.filter((s: { service: string }) => s.service === 'zookeeper');
    expect(steps.map((s: { id: number }) => s.id).at(-1)).toBe(leader);
    for (const s of steps) expect(s.reason).toBe(`upgrade 3.8.0 → ${LAB_ZOOKEEPER_39} onto ${NEW_HOME}; data stays in ${DATA}`);
    expect(plan.json.services.filter((s: { service: string }) => s.service === 'kafka')).toEqual([]);

    const connect = lab.hosts.map((h) => `${h.address}:2181`).join(',');
    const held = await holdSession(zkHome, connect, '/zkafka-upgrade-test');
    const session = held.id;

    const up = await zkafkaJson(['up', inv('new.yaml')]);
    const output = await held.finish();
    expect(up.exitCode, up.stderr).toBe(0);
    const restarts: string[] = up.json.services;
    expect(restarts).toHaveLength(3);
    expect(restarts.at(-1)).toMatch(new RegExp(`^restart zookeeper ${leader} `));
    expect(output).not.toMatch(/^EVENT Expired/m);
    expect(output).toMatch(new RegExp(`^FINAL ${session} true$`, 'm'));

    expect(await memberVersions(lab)).toEqual([LAB_ZOOKEEPER_39, LAB_ZOOKEEPER_39, LAB_ZOOKEEPER_39]);
    for (const [i, h] of lab.hosts.entries()) {
      expect((await labExec(h.name, ['cat', `${DATA}/myid`])).stdout.trim()).toBe(String(i + 1));
      expect((await labExec(h.name, ['sh', '-c', `ls ${DATA}/version-2 | grep -c snapshot`])).stdout.trim()).not.toBe('0');
      expect((await labExec(h.name, ['test', '-x', `${OLD_HOME}/bin/zkServer.sh`])).exitCode, 'the old home stays').toBe(0);
    }
    const after = await zkafkaJson(['status', inv('new.yaml')]);
    expect(after.exitCode, JSON.stringify(after.json.problems)).toBe(0);
    expect(after.json.versions).toEqual({ zookeeper: [LAB_ZOOKEEPER_39], kafka: ['2.4.1'], mixed: false });
    expect(after.json.zookeeper.members.map((m: { version: string }) => m.version)).toEqual([LAB_ZOOKEEPER_39, LAB_ZOOKEEPER_39, LAB_ZOOKEEPER_39]);
    // The brokers kept their sessions too: still registered, with the topics they had.
    expect(after.json.kafka.brokers.every((b: { registered: boolean }) => b.registered)).toBe(true);
  }, 600_000);

  it('going back to the 3.8 line is refused: 3.9 wrote the data', async () => {
    const plan = await zkafkaJson(['plan', inv('back.yaml')]);
    expect(plan.exitCode).toBe(1);
    expect(plan.json.problems).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^lab1: ZooKeeper 3\\.8\\.0 is older than the 3\\.9 line that runs \\(${LAB_ZOOKEEPER_39.replace(/\./g, '\\.')}\\)`))]));
    expect(await memberVersions(lab)).toEqual([LAB_ZOOKEEPER_39, LAB_ZOOKEEPER_39, LAB_ZOOKEEPER_39]);
  }, 120_000);
});
