// The lab's newer distributions, started BY HAND over SSH with their own scripts (not with zkafka):
//   - a 3-member ZooKeeper ensemble of LAB_ZOOKEEPER_39 (3.9.x) with bin/zkServer.sh, as the runbook
//     does for 3.8.0: `srvr` reports that version and one leader and two followers;
//   - a single KRaft node that is broker and controller (the release's config/server.properties for
//     Kafka 4.1.1, config/kraft/server.properties for 3.9.1), one per host, side by side: kafka-storage.sh
//     random-uuid + format, kafka-server-start.sh -daemon, kafka-metadata-quorum.sh describe --status
//     shows this node as leader, kafka-features.sh describes the cluster, a topic is created and a
//     message goes through the console producer and consumer.
// One lab of 3 hosts. Runs as root: ZKAFKA_LAB_INDEX=3 npx vitest run --project kafka-2.4.1 test/e2e/lab-versions.test.ts
import { connect as tcpConnect } from 'node:net';
import { basename } from 'node:path';
import type { NodeSSH } from 'node-ssh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_ZOOKEEPER_39, kafkaTgz, labDown, labUp, sshConnect, type Lab, waitUntil, zookeeperTgz } from '../lab/lab.js';

const ZK_VERSION = LAB_ZOOKEEPER_39;
const ZK_HOME = `/opt/apache-zookeeper-${ZK_VERSION}-bin`;
const KAFKA_HEAP_OPTS = '-Xmx256M -Xms64M';

/** Single-quotes a value for a POSIX shell. */
function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

async function sh(ssh: NodeSSH, cmd: string): Promise<{ stdout: string; stderr: string; code: number }> {
  const r = await ssh.execCommand(cmd);
  return { stdout: r.stdout, stderr: r.stderr, code: r.code ?? -1 };
}

/** A ZooKeeper four-letter word, sent from this machine over the lab bridge; the whole answer. */
function fourLetterWord(address: string, word: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: address, port: 2181 });
    let answer = '';
    socket.setTimeout(5_000, () => socket.destroy(new Error(`${word} to ${address}:2181 timed out`)));
    socket.on('connect', () => socket.write(word));
    socket.on('data', (d) => (answer += d.toString('utf8')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('newer distributions on the lab, started by hand', () => {
  let lab: Lab;
  const sessions: NodeSSH[] = [];

  beforeAll(async () => {
    lab = await labUp(3);
    for (const h of lab.hosts) sessions.push(await sshConnect(lab, h.name));
  });

  afterAll(async () => {
    for (const s of sessions) s.dispose();
    await labDown();
  });

  it(`runs a 3-member ZooKeeper ${ZK_VERSION} ensemble with bin/zkServer.sh`, async () => {
    const tgz = await zookeeperTgz(ZK_VERSION);
    const servers = lab.hosts.map((h, i) => `server.${i + 1}=${h.address}:2888:3888`);
    const cfg = ['tickTime=2000', 'initLimit=10', 'syncLimit=5', 'dataDir=/data/zookeeper', 'clientPort=2181', ...servers];
    await Promise.all(
      sessions.map(async (s, i) => {
        await s.putFile(tgz, `/opt/${basename(tgz)}`);
        const r = await sh(
          s,
          `set -e; cd /opt && tar xzf ${q(basename(tgz))} && cd ${q(ZK_HOME)} && test -f conf/zoo_sample.cfg && ` +
            `mkdir -p /data/zookeeper && echo ${i + 1} > /data/zookeeper/myid && ` +
            `printf '%s\\n' ${cfg.map(q).join(' ')} > conf/zoo.cfg && bin/zkServer.sh start conf/zoo.cfg`,
        );
        expect(r.stdout, r.stderr).toMatch(/STARTED/);
      }),
    );
    const answers = await waitUntil('one leader and two followers', 90_000, async () => {
      const a = await Promise.all(lab.hosts.map((h) => fourLetterWord(h.address, 'srvr').catch(() => '')));
      const modes = a.map((x) => /^Mode: (\w+)$/m.exec(x)?.[1] ?? 'none').sort();
      return modes.join(',') === 'follower,follower,leader' ? a : undefined;
    });
    for (const a of answers) expect(a).toMatch(new RegExp(`^Zookeeper version: ${ZK_VERSION.replace(/\./g, '\\.')}-[0-9a-f]+, built on `, 'm'));
    // zkServer.sh status agrees (it asks srvr too), and zkCli reaches another member.
    const status = await Promise.all(sessions.map((s) => sh(s, `cd ${q(ZK_HOME)} && bin/zkServer.sh status conf/zoo.cfg`)));
    expect(status.map((r) => /Mode: (\w+)/.exec(r.stdout)?.[1]).sort()).toEqual(['follower', 'follower', 'leader']);
    const cli = await sh(sessions[0]!, `cd ${q(ZK_HOME)} && bin/zkCli.sh -server ${q(`${lab.hosts[2]!.address}:2181`)} ls /`);
    expect(cli.stdout).toMatch(/\[zookeeper\]/);

    for (const s of sessions) {
      const pid = (await sh(s, 'cat /data/zookeeper/zookeeper_server.pid')).stdout.trim();
      expect((await sh(s, `cd ${q(ZK_HOME)} && bin/zkServer.sh stop conf/zoo.cfg`)).stdout).toMatch(/STOPPED/);
      await waitUntil(`zookeeper ${pid} exit`, 30_000, async () => ((await sh(s, `kill -0 ${q(pid)}`)).code !== 0 ? true : undefined));
    }
  });

  // Kafka 4 has only KRaft and the dynamic quorum: format --standalone makes this node the one voter.
  // 3.9.1's sample names its voters (controller.quorum.voters) and is formatted without it.
  const KRAFT = [
    { version: '4.1.1', host: 0, config: 'config/server.properties', format: ['--standalone'], producer: 'org.apache.kafka.tools.ConsoleProducer' },
    { version: '3.9.1', host: 1, config: 'config/kraft/server.properties', format: [], producer: 'kafka.tools.ConsoleProducer' },
  ];

  it('runs Kafka 4.1.1 and 3.9.1 each as a single combined KRaft node (broker + controller)', async () => {
    await Promise.all(
      KRAFT.map(async (k) => {
        const s = sessions[k.host]!;
        const tgz = await kafkaTgz(k.version);
        const home = `/opt/${basename(tgz, '.tgz')}`;
        await s.putFile(tgz, `/opt/${basename(tgz)}`);
        const inHome = (cmd: string) => sh(s, `cd ${q(home)} && ${cmd}`);
        expect((await sh(s, `cd /opt && tar xzf ${q(basename(tgz))}`)).code).toBe(0);
        expect((await inHome(`grep -x 'process.roles=broker,controller' ${q(k.config)}`)).code).toBe(0);

        const uuid = await inHome('bin/kafka-storage.sh random-uuid');
        expect(uuid.stdout.trim(), uuid.stderr).toMatch(/^[A-Za-z0-9_-]{22}$/);
        const clusterId = uuid.stdout.trim();
        const format = await inHome(`bin/kafka-storage.sh format -t ${q(clusterId)} -c ${q(k.config)} ${k.format.join(' ')}`);
        expect(format.code, format.stdout + format.stderr).toBe(0);
        expect(format.stdout).toMatch(/^Formatting .*\/tmp\/kraft-combined-logs with metadata\.version /m);

        const start = await inHome(`KAFKA_HEAP_OPTS=${q(KAFKA_HEAP_OPTS)} bin/kafka-server-start.sh -daemon ${q(k.config)}`);
        expect(start.code, start.stderr).toBe(0);

        // The quorum: this node (node.id=1) leads, alone.
        const quorum = await waitUntil(`Kafka ${k.version} quorum leader`, 90_000, async () => {
          const r = await inHome('bin/kafka-metadata-quorum.sh --bootstrap-server localhost:9092 describe --status');
          return /^LeaderId:\s+1$/m.test(r.stdout) ? r.stdout : undefined;
        });
        expect(quorum).toMatch(new RegExp(`^ClusterId:\\s+${clusterId}$`, 'm'));
        expect(quorum).toMatch(/^CurrentVoters:\s+\[\{"id": 1,/m);
        const features = await inHome('bin/kafka-features.sh --bootstrap-server localhost:9092 describe');
        expect(features.stdout, features.stderr).toMatch(/Feature: metadata\.version\s.*FinalizedVersionLevel: /);

        // A topic, one message through the console tools and back.
        const topic = `kraft-${k.version.replace(/\./g, '-')}`;
        const create = await inHome(`bin/kafka-topics.sh --bootstrap-server localhost:9092 --create --topic ${q(topic)} --partitions 1 --replication-factor 1`);
        expect(create.stdout, create.stderr).toMatch(new RegExp(`Created topic ${topic}`));
        expect((await inHome('cat bin/kafka-console-producer.sh')).stdout).toContain(k.producer);
        const message = `hello from Kafka ${k.version}`;
        const produce = await inHome(`printf '%s\\n' ${q(message)} | bin/kafka-console-producer.sh --bootstrap-server localhost:9092 --topic ${q(topic)} --producer-property acks=all`);
        expect(produce.code, produce.stderr).toBe(0);
        const consume = await inHome(
          `bin/kafka-console-consumer.sh --bootstrap-server localhost:9092 --topic ${q(topic)} --from-beginning --max-messages 1 --timeout-ms 30000`,
        );
        expect(consume.stdout.trim(), consume.stderr).toBe(message);

        // The server logged through its configuration (log4j2.yaml on 4.x, log4j.properties on 3.9).
        const log = await inHome('grep -c "Kafka Server started" logs/server.log');
        expect(Number(log.stdout.trim()), `${k.version} logs/server.log`).toBeGreaterThanOrEqual(1);

        const stop = await inHome('bin/kafka-server-stop.sh');
        expect(stop.code, stop.stdout).toBe(0);
        await waitUntil(`Kafka ${k.version} exit`, 60_000, async () =>
          (await sh(s, "ps axww -o args= | grep -c '[k]afka\\.Kafka'")).stdout.trim() === '0' ? true : undefined,
        );
      }),
    );
  });
});
