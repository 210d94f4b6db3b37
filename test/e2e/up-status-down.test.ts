// zkafka up / status / down end to end on a 3-host lab: every host a ZooKeeper member and a broker.
// The brokers are genuine Apache Kafka (test/lab/build-kafka.sh: 2.4.1, or ZKAFKA_LAB_KAFKA=3.9.1; or
// $ZKAFKA_KAFKA_TGZ).
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { buildDists, labDown, labExec, labUp, REPO_ROOT, waitUntil, type Lab } from '../lab/lab.js';
import { writeLabInventory, zkafka, zkafkaJson } from './cli.js';

interface Status {
  healthy: boolean;
  zookeeper: { quorum: boolean; members: Array<{ host: string; id: number; state: string; pid: number | null }> };
  kafka: { controller: number | null; brokers: Array<{ host: string; id: number; state: string; registered: boolean; endpoint: string | null }> };
}

// The lab this run uses (ZKAFKA_LAB_INDEX): 198.18.K.0/24; .99 is an address nobody has.
const NET = `198.18.${process.env.ZKAFKA_LAB_INDEX ?? '0'}`;
const NET_RE = NET.replace(/\./g, '\\.');

async function javaPids(host: string, mainClass: string): Promise<number[]> {
  const r = await labExec(host, ['sh', '-c', 'ps -ww -eo pid=,args= | grep -F -- "$1" | grep java | grep -v grep | awk "{print \\$1}"', 'x', mainClass]);
  return r.stdout.split('\n').filter(Boolean).map(Number);
}


describe('zkafka up, status and down on the lab', () => {
  let lab: Lab;
  let inventory: string;

  beforeAll(async () => {
    await buildDists();
    lab = await labUp(3);
    inventory = writeLabInventory(lab);
  });

  afterAll(async () => {
    await labDown();
  });

  it('refuses an unreachable host in preflight, before anything changes', async () => {
    const file = writeLabInventory(lab, { connectTimeout: 2 }, `  - name: ghost\n    address: ${NET}.99\n`);
    const r = await zkafka(['up', file]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/preflight failed/);
    expect(r.stderr).toMatch(/ghost: .*(unreachable|no SSH answer|refused)/);
    const opt = await labExec('lab1', ['ls', '/opt']);
    expect(opt.stdout.trim()).toBe('');
  });

  it('refuses an unknown host key in preflight, naming the host and how to trust it', async () => {
    const known = `${inventory}.known_hosts`;
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(lab.knownHosts, 'utf8').split('\n').filter((l) => l && !l.startsWith(`${NET}.12 `));
    writeFileSync(known, `${lines.join('\n')}\n`);
    const r = await zkafka(['up', writeLabInventory(lab, { knownHosts: known })]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`lab2: host key of ${NET_RE}\\.12 is unknown`));
    expect(r.stderr).toMatch(new RegExp(`ssh-keyscan -p 22 ${NET_RE}\\.12 >> `));
    // A key that does not match is a changed key, not an unknown one.
    const wrong = readFileSync(lab.knownHosts, 'utf8').replace(new RegExp(`^${NET_RE}\\.13 (\\S+) \\S+`, 'm'), `${NET}.13 $1 AAAAC3NzaC1lZDI1NTE5AAAAIBdqT0ceV5b1ZCJxJ2GS0PcX6a1FY5n3LdZ0kkqZHjz2`);
    writeFileSync(known, wrong);
    const r2 = await zkafka(['status', writeLabInventory(lab, { knownHosts: known })]);
    expect(r2.stderr + r2.stdout).toMatch(new RegExp(`HOST KEY CHANGED for ${NET_RE}\\.13`));
    expect((await labExec('lab2', ['ls', '/opt'])).stdout.trim()).toBe('');
  });

  it('refuses to install over a folder that holds something else, before anything changes', async () => {
    await labExec('lab1', ['sh', '-c', 'mkdir -p /opt/kafka && echo mine > /opt/kafka/notes.txt']);
    const r = await zkafka(['up', inventory]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/lab1: \/opt\/kafka exists but holds no kafka installation/);
    expect((await labExec('lab1', ['cat', '/opt/kafka/notes.txt'])).stdout).toBe('mine');
    expect((await labExec('lab2', ['ls', '/opt'])).stdout.trim()).toBe('');
    await labExec('lab1', ['rm', '-rf', '/opt/kafka']);
  });

  it("refuses the runbook's Prometheus metrics when the ZooKeeper tarball lacks their jar", async () => {
    // The lab's tarball has the jar (Maven Central); a copy without it, as Debian's ZooKeeper would be.
    const { execa } = await import('execa');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'zkafka-nometrics-'));
    const tgz = join(dir, 'apache-zookeeper-3.8.0-bin.tar.gz');
    await execa('tar', ['xzf', (await buildDists()).zookeeperTgz, '-C', dir]);
    await execa('sh', ['-c', 'rm "$1"/apache-zookeeper-3.8.0-bin/lib/zookeeper-prometheus-metrics-*.jar', 'x', dir]);
    await execa('tar', ['czf', tgz, '-C', dir, 'apache-zookeeper-3.8.0-bin']);
    const r = await zkafka(['up', writeLabInventory(lab, { zookeeperTgz: tgz })]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/lab1: zookeeper\.metrics\.enabled is true but .*apache-zookeeper-3\.8\.0-bin\.tar\.gz has no zookeeper-prometheus-metrics-\*\.jar/);
    expect((await labExec('lab1', ['ls', '/opt'])).stdout.trim()).toBe('');
  });

  it('up from bare hosts: installs, configures, elects a leader, registers every broker', async () => {
    const r = await zkafkaJson(['up', inventory]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.installed).toHaveLength(6);
    for (const h of lab.hosts) {
      const cfg = await labExec(h.name, ['cat', '/opt/zookeeper/conf/zoo.cfg']);
      expect(cfg.stdout).toContain(`server.3=${NET}.13:2888:3888`);
      expect((await labExec(h.name, ['sh', '-c', 'cat /data/zookeeper/myid; echo END'])).stdout).toBe(`${h.name.slice(3)}\nEND`);
      const props = await labExec(h.name, ['cat', '/opt/kafka/config/server.properties']);
      expect(props.stdout).toContain(`listeners=PLAINTEXT://${h.address}:9092`);
    }
    const s = await zkafkaJson<Status>(['status', inventory]);
    expect(s.exitCode).toBe(0);
    expect(s.json.healthy).toBe(true);
    expect(s.json.zookeeper.members.map((m) => m.state).sort()).toEqual(['follower', 'follower', 'leader']);
    expect(s.json.kafka.brokers.every((b) => b.registered && b.state === 'running')).toBe(true);
    expect(s.json.kafka.brokers.map((b) => b.endpoint)).toEqual(lab.hosts.map((h) => `PLAINTEXT://${h.address}:9092`));
    expect([0, 1, 2]).toContain(s.json.kafka.controller);
    // The services outlived the SSH sessions that started them.
    for (const h of lab.hosts) expect(await javaPids(h.name, 'QuorumPeerMain')).toHaveLength(1);
    // The runbook's metrics provider is on (the inventory leaves the default) and serves on every member.
    for (const h of lab.hosts) {
      const cfg = (await labExec(h.name, ['cat', '/opt/zookeeper/conf/zoo.cfg'])).stdout;
      expect(cfg).toMatch(/^metricsProvider\.httpPort=7000$/m);
      const text = await (await fetch(`http://${h.address}:7000/metrics`)).text();
      expect(text).toMatch(/^znode_count \d/m);
      expect(text).toMatch(/^jvm_threads_current \d/m);
    }
  });

  it('authenticates through ssh-agent when the inventory names no key, and says so when there is none', async () => {
    const { execa } = await import('execa');
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const home = mkdtempSync(join(tmpdir(), 'zkafka-nokeys-'));
    const noKey = writeLabInventory(lab);
    writeFileSync(noKey, readFileSync(noKey, 'utf8').replace(/^  identityFile: .*\n/m, ''));
    const none = await zkafka(['status', noKey], { env: { HOME: home, SSH_AUTH_SOCK: '' } });
    expect(none.exitCode).toBe(1);
    expect(none.stderr + none.stdout).toMatch(/no SSH key: set ssh\.identityFile in the inventory, or run an ssh-agent/);
    const agent = await execa('ssh-agent', ['-s']);
    const sock = /SSH_AUTH_SOCK=([^;]+);/.exec(agent.stdout)![1]!;
    const pid = /SSH_AGENT_PID=(\d+);/.exec(agent.stdout)![1]!;
    try {
      await execa('ssh-add', [lab.identityFile], { env: { SSH_AUTH_SOCK: sock } });
      const r = await zkafkaJson(['status', noKey], { HOME: home, SSH_AUTH_SOCK: sock });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.json.healthy).toBe(true);
    } finally {
      process.kill(Number(pid));
    }
  });

  it('a member stopped behind its back: status shows it, up starts only that member', async () => {
    const before = await zkafkaJson<Status>(['status', inventory]);
    const follower = before.json.zookeeper.members.find((m) => m.state === 'follower')!;
    const others = before.json.zookeeper.members.filter((m) => m.id !== follower.id);
    const brokerPids = await Promise.all(lab.hosts.map((h) => javaPids(h.name, 'kafka.Kafka')));
    await labExec(follower.host, ['kill', String(follower.pid)]);
    await waitUntil('the member to exit', 60_000, async () => ((await javaPids(follower.host, 'QuorumPeerMain')).length === 0 ? true : undefined));

    const s = await zkafkaJson<Status>(['status', inventory]);
    expect(s.exitCode).toBe(1);
    expect(s.json.healthy).toBe(false);
    expect(s.json.zookeeper.quorum).toBe(true);
    expect(s.json.zookeeper.members.find((m) => m.id === follower.id)!.state).toBe('down');

    const up = await zkafkaJson(['up', inventory]);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.json.services).toEqual([`start zookeeper ${follower.id} on ${follower.host}`]);
    expect(up.json.files).toEqual([]);
    const after = await zkafkaJson<Status>(['status', inventory]);
    expect(after.json.healthy).toBe(true);
    // Nothing else was restarted.
    for (const m of others) expect(after.json.zookeeper.members.find((x) => x.id === m.id)!.pid).toBe(m.pid);
    expect(await Promise.all(lab.hosts.map((h) => javaPids(h.name, 'kafka.Kafka')))).toEqual(brokerPids);
  });

  it('a port held by a foreign listener is caught by preflight', async () => {
    await labExec('lab3', ['sh', '-c', 'kill $(ps -eo pid=,args= | grep "[k]afka.Kafka" | awk "{print \\$1}")']);
    await waitUntil('broker 2 to exit', 60_000, async () => ((await javaPids('lab3', 'kafka.Kafka')).length === 0 ? true : undefined));
    await labExec('lab3', ['sh', '-c', `nohup python3 -c "import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((\'${NET}.13\', 9092)); s.listen(); time.sleep(600)" >/dev/null 2>&1 &`]);
    await waitUntil('the foreign listener', 60_000, async () => ((await labExec('lab3', ['ss', '-Hltn', 'sport = :9092'])).stdout.trim() ? true : undefined));
    const r = await zkafka(['up', inventory]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/lab3: port 9092 \(Kafka listener port\) is already taken by python3/);
    await labExec('lab3', ['pkill', '-f', 'socket.socket']);
  });

  it('a broker that cannot start fails up at its own step, with its log lines', async () => {
    // A socket bound but not listening: invisible to preflight (ss -l), yet the broker cannot bind.
    // Without SO_REUSEADDR (else the broker, which sets it too, could bind as well), so the bind waits
    // until the connections the killed broker had on 9092 left TIME_WAIT (up to a minute).
    await labExec('lab3', ['sh', '-c', `rm -f /tmp/bound; nohup python3 -c "
import socket, time
s = socket.socket()
while True:
    try:
        s.bind(('${NET}.13', 9092)); break
    except OSError:
        time.sleep(0.5)
open('/tmp/bound', 'w').close(); time.sleep(600)" >/dev/null 2>&1 &`]);
    await waitUntil('the port to be bound', 90_000, async () => ((await labExec('lab3', ['test', '-f', '/tmp/bound'])).exitCode === 0 ? true : undefined));
    const r = await zkafka(['up', inventory]);
    await labExec('lab3', ['pkill', '-f', 'socket.socket']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/lab3: starting broker 2: expected .*saw the process exited/);
    expect(r.stderr).toMatch(/last lines of the log on lab3/);
    // The tail shows the cause (3.9.1) or, where Kafka logs its whole shutdown after it (2.4.1), the exit;
    // the cause is in server.log either way.
    expect(r.stderr).toMatch(/Address already in use|ERROR Exiting Kafka/);
    const log = (await labExec('lab3', ['cat', '/var/log/kafka/server.log'])).stdout;
    expect(log).toMatch(/Address already in use/);
    // After fixing the cause, up continues where it stopped.
    const again = await zkafkaJson(['up', inventory]);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.json.services).toEqual(['start kafka 2 on lab3']);
  });

  it('status reaches hosts through a jump host, and reports an unreachable host without crashing', async () => {
    const viaJump = writeLabInventory(lab);
    const { readFileSync } = await import('node:fs');
    writeFileSync(viaJump, readFileSync(viaJump, 'utf8').replace('ssh:\n', `ssh:\n  jumpHost: root@${NET}.11\n`));
    const jumped = await zkafkaJson<Status & { stats: { connections: number } }>(['status', viaJump]);
    expect(jumped.exitCode, jumped.stderr).toBe(0);
    expect(jumped.json.healthy).toBe(true);
    expect(jumped.json.stats.connections).toBe(6); // one to the jump host and one through it, per host

    const withGhost = writeLabInventory(lab, { connectTimeout: 2 }, `  - name: ghost\n    address: ${NET}.99\n    kafka: { id: 7 }\n`);
    const r = await zkafkaJson<Status & { unreachable: Array<{ host: string; error: string }> }>(['status', withGhost]);
    expect(r.exitCode).toBe(1);
    expect(r.json.unreachable.map((u) => u.host)).toEqual(['ghost']);
    expect(r.json.kafka.brokers.find((b) => b.id === 7)!.state).toBe('unreachable');
    expect(r.json.zookeeper.members.every((m) => ['leader', 'follower'].includes(m.state))).toBe(true);
  });

  it('down stops brokers, then the ensemble; status then reports everything down', async () => {
    const before = await zkafkaJson<Status>(['status', inventory]);
    const leader = before.json.zookeeper.members.find((m) => m.state === 'leader')!.id;
    const controller = before.json.kafka.controller!;
    const r = await zkafkaJson(['down', inventory]);
    expect(r.exitCode, r.stderr).toBe(0);
    const stopped: string[] = r.json.stopped;
    expect(stopped).toHaveLength(6);
    // Brokers first in reverse id order with the controller last, then members likewise with the leader last.
    const ids = (prefix: string) => stopped.filter((x) => x.startsWith(prefix)).map((x) => Number(x.split(' ')[1]));
    expect(stopped.slice(0, 3).every((x) => x.startsWith('kafka'))).toBe(true);
    expect(stopped.slice(3).every((x) => x.startsWith('zookeeper'))).toBe(true);
    expect(ids('kafka')).toEqual([...[2, 1, 0].filter((i) => i !== controller), controller]);
    expect(ids('zookeeper')).toEqual([...[3, 2, 1].filter((i) => i !== leader), leader]);
    for (const h of lab.hosts) expect(await javaPids(h.name, 'java')).toEqual([]);
    const s = await zkafkaJson<Status>(['status', inventory]);
    expect(s.exitCode).toBe(1);
    expect(s.json.zookeeper.members.every((m) => m.state === 'down')).toBe(true);
    expect(s.json.kafka.brokers.every((b) => b.state === 'down' && !b.registered)).toBe(true);
    const again = await zkafkaJson(['down', inventory]);
    expect(again.exitCode).toBe(0);
    expect(again.json.stopped).toEqual([]);
  });

  it('a log dir whose meta.properties names another broker stops up in preflight', async () => {
    const meta = '/data/kafka-logs/meta.properties';
    const original = (await labExec('lab1', ['cat', meta])).stdout;
    expect(original).toMatch(/^broker\.id=0$/m);
    await labExec('lab1', ['sed', '-i', 's/^broker.id=0$/broker.id=9/', meta]);
    const r = await zkafka(['up', inventory]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/lab1: \/data\/kafka-logs\/meta\.properties holds broker\.id=9 but the inventory gives broker 0/);
    expect((await labExec('lab2', ['sh', '-c', 'ps -eo args= | grep -c "[Q]uorumPeerMain"'])).stdout.trim()).toBe('0');
    await labExec('lab1', ['sed', '-i', 's/^broker.id=9$/broker.id=0/', meta]);
  });

  it('down --purge deletes data and log directories, and only when confirmed', async () => {
    const refused = await zkafka(['down', inventory, '--purge']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/--purge deletes .* add --yes/);
    expect((await labExec('lab1', ['test', '-f', '/data/zookeeper/myid'])).exitCode).toBe(0);
    // At a terminal it asks, and only the cluster's name confirms.
    const { execa } = await import('execa');
    const cmd = `node ${join(REPO_ROOT, 'bin/zkafka.js')} down ${inventory} --purge`;
    const declined = await execa('script', ['-qec', cmd, '/dev/null'], { input: 'yes\n', reject: false, env: { FORCE_COLOR: '0' } });
    expect(declined.exitCode).toBe(1);
    expect(declined.stdout).toMatch(/Type the cluster name to confirm/);
    expect(declined.stdout).toMatch(/purge not confirmed/);
    expect((await labExec('lab1', ['test', '-f', '/data/zookeeper/myid'])).exitCode).toBe(0);
    const purged = await zkafkaJson(['down', inventory, '--purge', '--yes']);
    expect(purged.exitCode, purged.stderr).toBe(0);
    for (const h of lab.hosts) {
      const r = await labExec(h.name, ['sh', '-c', 'ls -d /data/zookeeper /data/kafka-logs /var/log/kafka /var/log/zookeeper 2>/dev/null; ls /opt']);
      expect(r.stdout.trim().split('\n')).toEqual(['kafka', 'zookeeper']); // the installs stay, the data is gone
    }
  });

  it('reinstalls a removed home from the tarball kept on the host, without uploading it again', async () => {
    await labExec('lab1', ['rm', '-rf', '/opt/kafka']);
    const r = await zkafka(['up', inventory, '--verbose']);
    expect(r.exitCode, r.stderr.slice(-2000)).toBe(0);
    expect(r.stderr).toMatch(/install {2}kafka into \/opt\/kafka/);
    expect(r.stderr).not.toMatch(/\[lab1\] upload /);
    expect(r.stderr).toMatch(/\[lab1\] \$ sh -c .*tar -xzf/s);
    const s = await zkafkaJson<Status>(['status', inventory]);
    expect(s.json.healthy).toBe(true);
  });
});
