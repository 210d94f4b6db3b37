// Genuine Apache Kafka on the lab, started BY HAND over SSH with the plain commands of the runbook (not
// with zkafka): a 3-member ZooKeeper ensemble from the ZooKeeper tarball, two brokers, a topic written and
// read with the distribution's console tools, a third broker with a duplicate broker.id, and
// kafka-server-stop.sh. The Kafka tarball is test/lab/build-kafka.sh's (2.4.1 by default,
// ZKAFKA_LAB_KAFKA=3.9.1) or $ZKAFKA_KAFKA_TGZ. Znodes are read with the ZooKeeper tarball's bin/zkCli.sh.
// Runs as root: ZKAFKA_LAB_INDEX=1 npx vitest run test/e2e/lab-kafka.test.ts
import { execa } from 'execa';
import { basename } from 'node:path';
import type { NodeSSH } from 'node-ssh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDists, labDown, labKafka, labUp, sshConnect, type Lab, waitUntil as waitFor } from '../lab/lab.js';

const ZK_HOME = '/opt/apache-zookeeper-3.8.0-bin';
const KAFKA_HEAP_OPTS = '-Xmx256M -Xms64M';
const KAFKA = labKafka();
// Kafka 2.4's console producer has --broker-list only (--bootstrap-server came in 2.5).
const PRODUCER_BOOTSTRAP = /^2\.[0-4]\./.test(KAFKA.version) ? '--broker-list' : '--bootstrap-server';

/** Single-quotes a value for a POSIX shell. */
function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

interface ShResult {
  stdout: string;
  stderr: string;
  code: number;
}

async function sh(ssh: NodeSSH, cmd: string): Promise<ShResult> {
  const r = await ssh.execCommand(cmd);
  return { stdout: r.stdout, stderr: r.stderr, code: r.code ?? -1 };
}

/** Shell command writing `lines` (one a line) to `file`, every line quoted. */
function writeLines(file: string, lines: string[]): string {
  return `printf '%s\\n' ${lines.map(q).join(' ')} > ${q(file)}`;
}


describe(`Apache Kafka ${KAFKA.version} (Scala ${KAFKA.scalaVersion}) on the lab`, () => {
  let lab: Lab;
  let dists: { zookeeperTgz: string; kafkaTgz: string };
  let kafkaHome: string; // /opt/<top folder of the Kafka tarball>
  let zkConnect: string;
  const sessions: NodeSSH[] = [];

  /** Runs zkCli.sh (ZooKeeper tarball, on lab3) against lab1's member. */
  async function zkCli(...args: string[]): Promise<ShResult> {
    return sh(sessions[2]!, `cd ${q(ZK_HOME)} && bin/zkCli.sh -server ${q(`${lab.hosts[0]!.address}:2181`)} ${args.map(q).join(' ')}`);
  }

  /** Children of a znode as zkCli's `ls` prints them ("[0, 1]"), or undefined (no node / no answer). */
  async function zkLs(path: string): Promise<string[] | undefined> {
    const r = await zkCli('ls', path);
    const line = r.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /^\[[^\]]*\]$/.test(l))
      .pop();
    if (line === undefined) return undefined;
    return line
      .slice(1, -1)
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '')
      .sort();
  }

  /** Data (parsed JSON) and stat of a znode via `get -s`, or undefined when it does not exist. */
  async function zkGet(path: string): Promise<{ data: Record<string, unknown>; ephemeralOwner: string; czxid: string } | undefined> {
    const r = await zkCli('get', '-s', path);
    if (/Node does not exist/.test(r.stdout + r.stderr)) return undefined;
    const json = r.stdout
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.startsWith('{'));
    const owner = /^ephemeralOwner = (\S+)$/m.exec(r.stdout)?.[1];
    const czxid = /^cZxid = (\S+)$/m.exec(r.stdout)?.[1];
    if (!json || !owner || !czxid) throw new Error(`unexpected zkCli output for get ${path}:\n${r.stdout}\n${r.stderr}`);
    return { data: JSON.parse(json) as Record<string, unknown>, ephemeralOwner: owner, czxid };
  }

  /** Live (non-zombie) Kafka broker JVMs as this host's `ps` sees them (its own PID namespace). */
  async function brokerProcesses(s: NodeSSH): Promise<string[]> {
    const r = await sh(s, 'ps -eo pid=,stat=,args=');
    return r.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /\bjava\b/.test(l) && /\skafka\.Kafka\s/.test(` ${l} `))
      .filter((l) => !/^\d+\s+Z/.test(l));
  }

  function brokerConfig(id: number, address: string): string[] {
    return [
      `broker.id=${id}`,
      `listeners=PLAINTEXT://${address}:9092`,
      'log.dirs=/data/kafka-logs',
      `zookeeper.connect=${zkConnect}`,
      'zookeeper.connection.timeout.ms=18000',
      'num.partitions=1',
      'offsets.topic.replication.factor=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      // Two brokers: the one stopped last would otherwise retry its controlled shutdown 3 x 5 s.
      'controlled.shutdown.max.retries=1',
      'controlled.shutdown.retry.backoff.ms=500',
    ];
  }

  beforeAll(async () => {
    dists = await buildDists();
    const listing = await execa('tar', ['tzf', dists.kafkaTgz], { stdin: 'ignore' });
    const top = listing.stdout.split('\n')[0]!.split('/')[0]!;
    expect(top).toBe(`kafka_${KAFKA.scalaVersion}-${KAFKA.version}`);
    kafkaHome = `/opt/${top}`;
    lab = await labUp(3);
    zkConnect = lab.hosts.map((h) => `${h.address}:2181`).join(',');
    for (const h of lab.hosts) sessions.push(await sshConnect(lab, h));
  });

  afterAll(async () => {
    for (const s of sessions) s.dispose();
    await labDown();
  });

  it('unpacks in the release layout, with the genuine Kafka jars and the scripts the runbook uses', async () => {
    const s = sessions[0]!;
    const name = basename(dists.kafkaTgz);
    await s.putFile(dists.kafkaTgz, `/opt/${name}`);
    const r = await sh(
      s,
      `cd /opt && tar xzf ${q(name)} && cd ${q(kafkaHome)} && ` +
        'ls bin/kafka-server-start.sh bin/kafka-server-stop.sh bin/kafka-topics.sh bin/kafka-console-producer.sh ' +
        'bin/kafka-console-consumer.sh bin/kafka-configs.sh bin/zookeeper-shell.sh config/server.properties ' +
        `config/log4j.properties config/tools-log4j.properties libs/kafka_${KAFKA.scalaVersion}-${KAFKA.version}.jar ` +
        `libs/kafka-clients-${KAFKA.version}.jar && ` +
        // The clients jar says which Kafka it is (AppInfoParser reads this file).
        `unzip -p libs/kafka-clients-${KAFKA.version}.jar kafka/kafka-version.properties`,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^version=${KAFKA.version.replace(/\./g, '\\.')}$`, 'm'));
    if (!KAFKA.version.startsWith('2.')) {
      // KRaft tooling, where the version has it: a cluster id is 16 random bytes, base64url.
      const id = await sh(s, `cd ${q(kafkaHome)} && KAFKA_HEAP_OPTS=-Xmx64m bin/kafka-storage.sh random-uuid`);
      expect(id.stdout.trim(), id.stderr).toMatch(/^[A-Za-z0-9_-]{22}$/);
    }
  });

  it('runs a 3-member ZooKeeper ensemble started by hand', async () => {
    const servers = lab.hosts.map((h, i) => `server.${i + 1}=${h.address}:2888:3888`);
    const zkName = basename(dists.zookeeperTgz);
    await Promise.all(
      lab.hosts.map(async (h, i) => {
        const s = sessions[i]!;
        await s.putFile(dists.zookeeperTgz, `/opt/${zkName}`);
        // The runbook's zoo.cfg.
        const cfg = [
          'tickTime=2000', 'initLimit=10', 'syncLimit=5', 'dataDir=/data/zookeeper', 'clientPort=2181',
          'maxClientCnxns=60', 'autopurge.snapRetainCount=3', 'autopurge.purgeInterval=1',
          'metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider',
          'metricsProvider.httpHost=0.0.0.0', 'metricsProvider.httpPort=7000', 'metricsProvider.exportJvmInfo=true',
          ...servers,
        ];
        const r = await sh(
          s,
          `set -e; cd /opt && tar xzf ${q(zkName)} && cd ${q(ZK_HOME)} && ` +
            `mkdir -p /data/zookeeper && echo ${i + 1} > /data/zookeeper/myid && ` +
            `${writeLines('conf/zoo.cfg', cfg)} && bin/zkServer.sh start conf/zoo.cfg`,
        );
        expect(r.stdout, r.stderr).toMatch(/STARTED/);
      }),
    );
    const modes = await waitFor('one leader and two followers', 90_000, async () => {
      const m = await Promise.all(sessions.map((s) => sh(s, `cd ${q(ZK_HOME)} && bin/zkServer.sh status conf/zoo.cfg`)));
      const got = m.map((x) => /Mode: (\w+)/.exec(x.stdout)?.[1] ?? 'none').sort();
      return got.join(',') === 'follower,follower,leader' ? got : undefined;
    });
    expect(modes).toEqual(['follower', 'follower', 'leader']);
  }, 150_000);

  it('two brokers started with kafka-server-start.sh -daemon register under /brokers/ids; one is controller', async () => {
    const kafkaName = basename(dists.kafkaTgz);
    // Unpack on all three hosts (lab3 is used by the next test), configure and start lab1 (id 0) and lab2 (id 1).
    await Promise.all(
      lab.hosts.map(async (h, i) => {
        const s = sessions[i]!;
        await s.putFile(dists.kafkaTgz, `/opt/${kafkaName}`);
        const r = await sh(s, `cd /opt && tar xzf ${q(kafkaName)} && mkdir -p /data/kafka-logs`);
        expect(r.code, r.stderr).toBe(0);
      }),
    );
    await Promise.all(
      [0, 1].map(async (i) => {
        const h = lab.hosts[i]!;
        const s = sessions[i]!;
        const r = await sh(
          s,
          `set -e; cd ${q(kafkaHome)} && ${writeLines('config/server.properties', brokerConfig(i, h.address))} && ` +
            `KAFKA_HEAP_OPTS=${q(KAFKA_HEAP_OPTS)} bin/kafka-server-start.sh -daemon config/server.properties`,
        );
        expect(r.code, r.stdout + r.stderr).toBe(0);
      }),
    );

    const ids = await waitFor('brokers 0 and 1 under /brokers/ids', 120_000, async () => {
      const got = await zkLs('/brokers/ids');
      return got?.join(',') === '0,1' ? got : undefined;
    }, 500);
    expect(ids).toEqual(['0', '1']);

    const b0 = await zkGet('/brokers/ids/0');
    expect(b0?.data.endpoints).toEqual([`PLAINTEXT://${lab.hosts[0]!.address}:9092`]);
    expect(b0?.data.host).toBe(lab.hosts[0]!.address);
    expect(b0?.data.port).toBe(9092);
    expect(b0?.ephemeralOwner).not.toBe('0x0');
    const b1 = await zkGet('/brokers/ids/1');
    expect(b1?.data.endpoints).toEqual([`PLAINTEXT://${lab.hosts[1]!.address}:9092`]);

    const controller = await waitFor('a /controller', 60_000, async () => zkGet('/controller'), 500);
    expect([0, 1]).toContain(controller.data.brokerid);

    // Each broker logged its start (LOG_DIR defaults to <home>/logs) and runs on its own host only.
    for (const i of [0, 1]) {
      const s = sessions[i]!;
      await waitFor(`broker ${i} "started" in server.log`, 60_000, async () => {
        const log = await sh(s, `cat ${q(`${kafkaHome}/logs/server.log`)}`);
        return new RegExp(`\\[KafkaServer id=${i}\\] started`).test(log.stdout) ? true : undefined;
      });
      expect(await brokerProcesses(s)).toHaveLength(1);
    }
    expect(await brokerProcesses(sessions[2]!)).toEqual([]);
  }, 240_000);

  it('each broker keeps broker.id and the cluster id of /cluster/id in its log dir\'s meta.properties', async () => {
    const cluster = await zkGet('/cluster/id');
    const clusterId = String(cluster?.data.id);
    expect(clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    for (const i of [0, 1]) {
      const meta = (await sh(sessions[i]!, 'cat /data/kafka-logs/meta.properties')).stdout;
      expect(meta).toMatch(new RegExp(`^broker\\.id=${i}$`, 'm'));
      expect(meta).toMatch(new RegExp(`^cluster\\.id=${clusterId}$`, 'm'));
    }
  });

  it('replicates a topic: 200 numbered messages written with acks=all from lab3 are all read back', async () => {
    const s = sessions[2]!; // no broker here: a client host
    const bootstrap = lab.hosts.slice(0, 2).map((h) => `${h.address}:9092`).join(',');
    const tools = `cd ${q(kafkaHome)} && export KAFKA_HEAP_OPTS=-Xmx128m &&`;
    const create = await sh(
      s,
      `${tools} bin/kafka-topics.sh --bootstrap-server ${q(bootstrap)} --create --topic numbers --partitions 2 --replication-factor 2`,
    );
    expect(create.code, create.stdout + create.stderr).toBe(0);
    // Both partitions on both brokers, both in sync (the controller writes the state into ZooKeeper).
    for (const p of [0, 1]) {
      const state = await waitFor(`numbers-${p} with 2 in-sync replicas`, 60_000, async () => {
        const st = await zkGet(`/brokers/topics/numbers/partitions/${p}/state`);
        return (st?.data.isr as number[] | undefined)?.length === 2 ? st : undefined;
      }, 500);
      expect([...(state.data.isr as number[])].sort()).toEqual([0, 1]);
      expect([0, 1]).toContain(state.data.leader);
    }
    const produce = await sh(
      s,
      `seq 1 200 | (${tools} bin/kafka-console-producer.sh ${PRODUCER_BOOTSTRAP} ${q(bootstrap)} --topic numbers ` +
        '--request-required-acks all --producer-property retries=10)',
    );
    expect(produce.code, produce.stderr).toBe(0);
    const consume = await sh(
      s,
      `${tools} bin/kafka-console-consumer.sh --bootstrap-server ${q(bootstrap)} --topic numbers --from-beginning ` +
        '--max-messages 200 --timeout-ms 60000',
    );
    const got = consume.stdout.split('\n').filter((l) => /^\d+$/.test(l)).map(Number).sort((a, b) => a - b);
    expect(got, consume.stderr).toEqual(Array.from({ length: 200 }, (_x, i) => i + 1));
    expect(consume.stderr).toMatch(/Processed a total of 200 messages/);
  }, 180_000);

  it('a third broker with a duplicate broker.id=0 fails and leaves broker 0 registered', async () => {
    const before = await zkGet('/brokers/ids/0');
    expect(before).toBeDefined();
    const h = lab.hosts[2]!;
    const s = sessions[2]!;
    // In the foreground (no -daemon) so that the exit status is visible; `timeout` only guards against a hang.
    const r = await sh(
      s,
      `cd ${q(kafkaHome)} && ${writeLines('config/server.properties', brokerConfig(0, h.address))} && ` +
        `KAFKA_HEAP_OPTS=${q(KAFKA_HEAP_OPTS)} timeout 180 bin/kafka-server-start.sh config/server.properties ` +
        `> /tmp/kafka-duplicate.out 2>&1; echo "exit=$?"`,
    );
    const exit = Number(/exit=(\d+)/.exec(r.stdout)?.[1]);
    const out = (await sh(s, 'cat /tmp/kafka-duplicate.out')).stdout;
    expect(exit, out).not.toBe(0);
    expect(exit, `timed out:\n${out}`).not.toBe(124);
    // Gone (reaped), nothing of it left on lab3.
    await waitFor('no broker process on lab3', 30_000, async () => ((await brokerProcesses(s)).length === 0 ? true : undefined));

    const log = (await sh(s, `cat ${q(`${kafkaHome}/logs/server.log`)}`)).stdout;
    expect(log).toMatch(/Error while creating ephemeral at \/brokers\/ids\/0, node already exists/);
    expect(out).toMatch(/node already exists/);

    // Broker 0's registration is the same node of the same session; both brokers still run.
    const after = await zkGet('/brokers/ids/0');
    expect(after).toEqual(before);
    expect(await zkLs('/brokers/ids')).toEqual(['0', '1']);
    expect(await brokerProcesses(sessions[0]!)).toHaveLength(1);
    expect(await brokerProcesses(sessions[1]!)).toHaveLength(1);
  }, 240_000);

  it('kafka-server-stop.sh on lab1 stops only lab1\'s broker', async () => {
    const b1 = await zkGet('/brokers/ids/1');
    expect(b1).toBeDefined();
    const r = await sh(sessions[0]!, `cd ${q(kafkaHome)} && bin/kafka-server-stop.sh`);
    expect(r.code, r.stdout + r.stderr).toBe(0);

    const ids = await waitFor('only broker 1 under /brokers/ids', 120_000, async () => {
      const got = await zkLs('/brokers/ids');
      return got?.join(',') === '1' ? got : undefined;
    }, 500);
    expect(ids).toEqual(['1']);
    expect(await zkGet('/brokers/ids/0')).toBeUndefined();
    await waitFor('broker 0 process gone', 60_000, async () =>
      (await brokerProcesses(sessions[0]!)).length === 0 ? true : undefined,
    );

    // Broker 1 on lab2 was not signalled: same process, same registration, and it is (or becomes) controller.
    expect(await brokerProcesses(sessions[1]!)).toHaveLength(1);
    expect(await zkGet('/brokers/ids/1')).toEqual(b1);
    const controller = await waitFor('broker 1 as controller', 60_000, async () => {
      const c = await zkGet('/controller');
      return c?.data.brokerid === 1 ? c : undefined;
    }, 500);
    expect(controller.data.brokerid).toBe(1);
    const log1 = (await sh(sessions[1]!, `cat ${q(`${kafkaHome}/logs/server.log`)}`)).stdout;
    expect(log1).not.toMatch(/\[KafkaServer id=1\] shut/);
    // Broker 0 handed its leaderships over before going (controlled shutdown): broker 1 leads both
    // partitions of the replicated topic, alone in sync.
    for (const p of [0, 1]) {
      const st = await waitFor(`numbers-${p} led by broker 1`, 60_000, async () => {
        const x = await zkGet(`/brokers/topics/numbers/partitions/${p}/state`);
        return x?.data.leader === 1 && (x.data.isr as number[]).join(',') === '1' ? x : undefined;
      }, 500);
      expect(st.data.isr).toEqual([1]);
    }
    const log0 = (await sh(sessions[0]!, `cat ${q(`${kafkaHome}/logs/server.log`)}`)).stdout;
    expect(log0).toMatch(/\[KafkaServer id=0\] shut down completed/);
    expect(log0).toMatch(/Controlled shutdown succeeded|Controlled shutdown request returned successfully/);

    // On a host without a broker the script says so and fails, as the release's does.
    const none = await sh(sessions[2]!, `cd ${q(kafkaHome)} && bin/kafka-server-stop.sh`);
    expect(none.code).toBe(1);
    expect(none.stdout).toMatch(/No kafka server to stop/);
  }, 240_000);
});
