// The test lab itself: isolation of the hosts, host-key checking, a ZooKeeper
// ensemble started by hand (as the runbook does) from the built tarball, and
// that `lab down` leaves nothing behind.  Runs as root: npx vitest run test/e2e/lab.test.ts
import { execa } from 'execa';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { NodeSSH } from 'node-ssh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildZookeeperDist, labDir, labDown, labExec, labUp, sshConnect, type Lab, waitUntil as waitFor } from '../lab/lab.js';

const ZK_HOME = '/opt/apache-zookeeper-3.8.0-bin';
// The lab this run uses (ZKAFKA_LAB_INDEX, see test/lab/README.md): its subnet, bridge and namespace names.
const LAB_INDEX = process.env.ZKAFKA_LAB_INDEX ?? '0';
const NET = `198.18.${LAB_INDEX}`;
const NS_PREFIX = LAB_INDEX === '0' ? 'zklab' : `zkl${LAB_INDEX}_`;
const NET_RE = NET.replace(/\./g, '\\.');

async function sh(ssh: NodeSSH, cmd: string): Promise<{ stdout: string; stderr: string; code: number }> {
  const r = await ssh.execCommand(cmd);
  return { stdout: r.stdout, stderr: r.stderr, code: r.code ?? -1 };
}


function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('zkafka test lab', () => {
  let lab: Lab;
  let zkTgz: string;
  const sessions: NodeSSH[] = [];

  async function connect(name: string): Promise<NodeSSH> {
    const s = await sshConnect(lab, name);
    sessions.push(s);
    return s;
  }

  beforeAll(async () => {
    zkTgz = await buildZookeeperDist();
    lab = await labUp(3);
  });

  afterAll(async () => {
    for (const s of sessions) s.dispose();
    await labDown();
  });

  it(`describes 3 hosts on ${NET}.0/24 in lab.json`, () => {
    expect(lab.hosts.map((h) => [h.name, h.address])).toEqual([
      ['lab1', `${NET}.11`],
      ['lab2', `${NET}.12`],
      ['lab3', `${NET}.13`],
    ]);
    expect(lab.user).toBe('root');
    expect(lab.port).toBe(22);
    expect(lab.bridge).toBe(`zklabbr${LAB_INDEX}`);
    for (const h of lab.hosts) expect(alive(h.initPid)).toBe(true);
  });

  it('logs in over SSH with verified host keys; each host has its own name and address only', async () => {
    for (const h of lab.hosts) {
      const s = await connect(h.name);
      const r = await sh(s, 'hostname; ip -4 -o addr show | awk \'{print $4}\' | sort; ip route; getent hosts lab1 lab2 lab3');
      expect(r.code).toBe(0);
      const lines = r.stdout.split('\n');
      expect(lines[0]).toBe(h.name);
      expect(lines).toContain('127.0.0.1/8');
      expect(lines).toContain(`${h.address}/24`);
      expect(r.stdout).not.toMatch(/default/);
      expect(r.stdout).toMatch(new RegExp(`${NET_RE}\\.12\\s+lab2`));
    }
  });

  it('rejects a host whose key does not match known_hosts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zklab-kh-'));
    const wrong = join(dir, 'known_hosts');
    // lab1's address with lab2's key.
    const lines = readFileSync(lab.knownHosts, 'utf8').trim().split('\n');
    const lab2Key = lines.find((l) => l.startsWith(`${NET}.12 `))!.split(' ').slice(1).join(' ');
    writeFileSync(wrong, `${NET}.11 ${lab2Key}\n`);
    await expect(sshConnect(lab, 'lab1', { knownHosts: wrong })).rejects.toThrow(/Host denied/);
    // And a known_hosts without the host at all.
    writeFileSync(wrong, '');
    await expect(sshConnect(lab, 'lab1', { knownHosts: wrong })).rejects.toThrow(/Host denied/);
    // The real one works (and the OpenSSH client agrees with it in strict mode).
    const ok = await execa('ssh', [
      '-i', lab.identityFile, '-o', `UserKnownHostsFile=${lab.knownHosts}`, '-o', 'StrictHostKeyChecking=yes',
      '-o', 'BatchMode=yes', '-o', 'GlobalKnownHostsFile=/dev/null', `root@${NET}.11`, 'hostname',
    ], { stdin: 'ignore' });
    expect(ok.stdout.trim()).toBe('lab1');
    const bad = await execa('ssh', [
      '-i', lab.identityFile, '-o', `UserKnownHostsFile=${wrong}`, '-o', 'StrictHostKeyChecking=yes',
      '-o', 'BatchMode=yes', '-o', 'GlobalKnownHostsFile=/dev/null', `root@${NET}.11`, 'hostname',
    ], { stdin: 'ignore', reject: false });
    expect(bad.exitCode).not.toBe(0);
  });

  it('refuses password authentication', async () => {
    const r = await execa('ssh', [
      '-o', `UserKnownHostsFile=${lab.knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes',
      '-o', 'PubkeyAuthentication=no', '-o', 'PreferredAuthentications=password,keyboard-interactive',
      `root@${NET}.12`, 'true',
    ], { stdin: 'ignore', reject: false });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/Permission denied \(publickey\)/);
  });

  it('gives each host its own /opt, /srv, /data, /var/log, /tmp, /root', async () => {
    const s1 = await connect('lab1');
    const s2 = await connect('lab2');
    const dirs = ['/opt', '/srv', '/data', '/var/log', '/tmp', '/root'];
    const w = await sh(s1, dirs.map((d) => `echo lab1 > ${d}/zklab-probe`).join(' && '));
    expect(w.code).toBe(0);
    for (const d of dirs) {
      expect((await sh(s1, `cat ${d}/zklab-probe`)).stdout).toBe('lab1');
      expect((await sh(s2, `test -e ${d}/zklab-probe`)).code).toBe(1);
      expect((await labExec('lab3', ['test', '-e', `${d}/zklab-probe`])).exitCode).toBe(1);
      expect((await labExec('lab1', ['cat', `${d}/zklab-probe`])).stdout.trim()).toBe('lab1');
    }
    // Nothing of it on the machine itself.
    expect((await execa('test', ['-e', '/opt/zklab-probe'], { reject: false })).exitCode).toBe(1);
    // Java stays shared.
    expect((await sh(s2, '/usr/bin/java -version')).code).toBe(0);
  });

  it('isolates processes: ps on one host does not see another host', async () => {
    const s1 = await connect('lab1');
    const s2 = await connect('lab2');
    const start = await sh(s1, 'nohup sleep 4242 >/dev/null 2>&1 & echo $!');
    expect(start.code).toBe(0);
    expect((await sh(s1, 'ps -eo args')).stdout).toMatch(/sleep 4242/);
    expect((await sh(s2, 'ps -eo args')).stdout).not.toMatch(/sleep 4242/);
    expect((await labExec('lab3', ['ps', '-eo', 'args'])).stdout).not.toMatch(/sleep 4242/);
    // pkill on lab2 cannot touch it.
    await sh(s2, 'pkill -f "sleep 4242"');
    expect((await sh(s1, 'pgrep -f "sleep 4242"')).code).toBe(0);
    // PID 1 of each host is its init.
    const p1 = await labExec('lab2', ['cat', '/proc/1/cmdline']);
    expect(p1.stdout.split('\0')[0]).toBe('/usr/bin/tini');
    await sh(s1, 'pkill -f "sleep 4242"');
  });

  it('reaps orphans: kill -0 fails once a daemonized process exited', async () => {
    const s = await connect('lab3');
    const r = await sh(s, 'nohup sh -c "sleep 1" >/dev/null 2>&1 & echo $!');
    const pid = r.stdout.trim();
    expect(pid).toMatch(/^\d+$/);
    // The ssh session (its parent) is gone; the init must reap it after it exits.
    await waitFor('orphan reaped', 10_000, async () => {
      const k = await labExec('lab3', ['kill', '-0', pid]);
      return k.exitCode !== 0 ? true : undefined;
    });
    const zombies = await labExec('lab3', ['ps', '-eo', 'stat=']);
    expect(zombies.stdout.split('\n').filter((l) => l.startsWith('Z'))).toEqual([]);
  });

  let ss: NodeSSH[] = []; // one session per host, for the ensemble tests

  it('runs a 3-member ZooKeeper ensemble from the built tarball, as the runbook does', async () => {
    const hosts = lab.hosts;
    const servers = hosts.map((h, i) => `server.${i + 1}=${h.address}:2888:3888`).join('\n');
    ss = await Promise.all(hosts.map((h) => connect(h.name)));
    await Promise.all(
      hosts.map(async (h, i) => {
        const s = ss[i]!;
        await s.putFile(zkTgz, `/opt/${basename(zkTgz)}`);
        const cfg = [
          'tickTime=2000', 'initLimit=10', 'syncLimit=5', 'dataDir=/data/zookeeper', 'clientPort=2181',
          'maxClientCnxns=60', 'autopurge.snapRetainCount=3', 'autopurge.purgeInterval=1',
          // The runbook's Prometheus provider: its jar is in the tarball's lib/ (Maven Central).
          'metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider',
          'metricsProvider.httpHost=0.0.0.0', 'metricsProvider.httpPort=7000', 'metricsProvider.exportJvmInfo=true',
          servers, '',
        ].join('\n');
        const r = await sh(
          s,
          `set -e; cd /opt && tar xzf ${basename(zkTgz)} && cd ${ZK_HOME} && ` +
            `mkdir -p /data/zookeeper && echo ${i + 1} > /data/zookeeper/myid && ` +
            `cat > conf/zoo.cfg <<'EOF'\n${cfg}EOF\n` +
            `test -f conf/zoo_sample.cfg && bin/zkServer.sh start conf/zoo.cfg`,
        );
        expect(r.stdout, r.stderr).toMatch(/STARTED/);
      }),
    );
    const modes = await waitFor('one leader and two followers', 90_000, async () => {
      const m = await Promise.all(ss.map((s) => sh(s, `cd ${ZK_HOME} && bin/zkServer.sh status conf/zoo.cfg`)));
      const got = m.map((x) => /Mode: (\w+)/.exec(x.stdout)?.[1] ?? 'none').sort();
      return got.join(',') === 'follower,follower,leader' ? got : undefined;
    });
    expect(modes).toEqual(['follower', 'follower', 'leader']);

    // zkCli against another member, over the lab network.
    const cli = await sh(ss[0]!, `cd ${ZK_HOME} && bin/zkCli.sh -server ${hosts[1]!.address}:2181 ls /`);
    expect(cli.stdout).toMatch(/\[zookeeper\]/);

    // Logs and pid file are where upstream puts them, not in system folders.
    const files = await sh(ss[0]!, `ls ${ZK_HOME}/logs /data/zookeeper; ls /var/log`);
    expect(files.stdout).toMatch(/zookeeper-root-server-lab1\.out/);
    expect(files.stdout).toMatch(/zookeeper_server\.pid/);
    expect(files.stdout).not.toMatch(/zookeeper\.log/);
  });

  it('serves Prometheus metrics on port 7000 of every member: ZooKeeper\'s own and the JVM\'s', async () => {
    // Scraped from the machine over the bridge, as a Prometheus server would.
    for (const h of lab.hosts) {
      const res = await fetch(`http://${h.address}:7000/metrics`);
      expect(res.status).toBe(200);
      const text = await res.text();
      const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1]);
      // ZooKeeper's: the data tree of a fresh ensemble (/, /zookeeper, /zookeeper/config, /zookeeper/quota) ...
      expect(value('znode_count'), h.name).toBeGreaterThanOrEqual(4);
      expect(text).toMatch(/^# TYPE quorum_size gauge$/m);
      expect(value('quorum_size'), h.name).toBe(3);
      // ... and the JVM's (exportJvmInfo): the hotspot collectors.
      expect(value('jvm_threads_current'), h.name).toBeGreaterThan(0);
      expect(text).toMatch(/^jvm_memory_bytes_used\{area="heap",?\} /m);
      expect(text).toMatch(/^jvm_info\{/m);
    }
    // The leader reports its followers; the followers do not.
    const synced = await Promise.all(
      lab.hosts.map(async (h) => /^synced_followers (\S+)$/m.exec(await (await fetch(`http://${h.address}:7000/metrics`)).text())?.[1]),
    );
    expect(synced.filter((x) => x !== undefined).map(Number)).toEqual([2]);
  });

  it('stops the ensemble with zkServer.sh stop', async () => {
    // Stop; the processes go away (reaped by the hosts' init) within a few seconds.
    for (const s of ss) {
      const pid = (await sh(s, 'cat /data/zookeeper/zookeeper_server.pid')).stdout.trim();
      expect((await sh(s, `cd ${ZK_HOME} && bin/zkServer.sh stop conf/zoo.cfg`)).stdout).toMatch(/STOPPED/);
      await waitFor(`zookeeper ${pid} exit`, 30_000, async () =>
        (await sh(s, `kill -0 ${pid}`)).code !== 0 ? true : undefined,
      );
    }
  });

  it('lab down leaves no namespace, bridge, process or mount behind', async () => {
    // Leave something running to be killed.
    const s = await connect('lab2');
    await sh(s, 'nohup sleep 9999 >/dev/null 2>&1 &');
    const inits = lab.hosts.map((h) => h.initPid);
    const state = labDir();
    // Every process in this lab's hosts (other labs may be up at the same time: only ours count).
    const ours = lab.hosts.map((_h, i) => `${NS_PREFIX}${i + 1}`);
    const pids: number[] = [];
    for (const ns of ours) {
      const r = await execa('ip', ['netns', 'pids', ns]);
      pids.push(...r.stdout.split('\n').filter((x) => /^\d+$/.test(x)).map(Number));
    }
    expect(pids.length).toBeGreaterThanOrEqual(2 * lab.hosts.length); // init + sshd per host, + the sleep
    for (const x of sessions.splice(0)) x.dispose();

    await labDown();

    const netns = (await execa('ip', ['netns', 'list'])).stdout.split('\n').map((l) => l.split(' ')[0]);
    for (const ns of ours) expect(netns).not.toContain(ns);
    const links = await execa('ip', ['-o', 'link', 'show']);
    expect(links.stdout).not.toMatch(new RegExp(`\\b(${lab.bridge}|${NS_PREFIX}\\d+v)\\b`));
    expect(readFileSync('/proc/mounts', 'utf8')).not.toContain(state);
    for (const ns of ours) expect(readFileSync('/proc/mounts', 'utf8')).not.toContain(`/run/netns/${ns} `);
    for (const p of inits) expect(alive(p)).toBe(false);
    // No process of the lab anywhere: none of the hosts' processes (sshd, the sleep) survived.
    expect(pids.filter(alive)).toEqual([]);
    // Per-host folders are gone.
    expect(() => readdirSync(join(state, 'hosts'))).toThrow();
    // Idempotent.
    await labDown();
  });
});
