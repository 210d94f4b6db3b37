// Tests of the Kafka stand-in (test/standin/): builds the tarball, unpacks it, runs a local
// ZooKeeper from Debian's jars on a free loopback port and checks what a provisioning tool sees.
// Run: npx vitest run test/standin
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const HERE = dirname(fileURLToPath(import.meta.url));
const ZK_JAR = '/usr/share/java/zookeeper.jar';
const NAME = 'kafka_2.13-3.9.1-standin';
const CHROOT = '/zkafka-standin-test';

// Small, quick-starting JVMs: the stand-in needs little.
const JVM_ENV = {
  KAFKA_HEAP_OPTS: '-Xmx64m -Xms16m',
  KAFKA_JVM_PERFORMANCE_OPTS: '-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -Djava.awt.headless=true',
};

const canRun = existsSync(ZK_JAR) && spawnSync('javac', ['-version']).status === 0;
const canUnshare =
  process.getuid?.() === 0 && spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(fn: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

interface Proc {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitFor: (re: RegExp, timeoutMs?: number) => Promise<void>;
}

const procs: ChildProcess[] = [];

function run(cmd: string, args: string[], env: Record<string, string> = {}): Proc {
  const proc = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(proc);
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let done = false;
  void exited.then(() => (done = true));
  const waitFor = async (re: RegExp, timeoutMs = 30_000) => {
    await until(
      async () => {
        if (re.test(out)) return true;
        if (done) throw new Error(`process exited before printing ${re}:\n${out}`);
        return false;
      },
      timeoutMs,
      `${re} in output of ${cmd}`,
    );
  };
  return { proc, output: () => out, exited, waitFor };
}

describe.skipIf(!canRun)('Kafka stand-in', () => {
  let work: string;
  let home: string; // unpacked kafka_2.13-3.9.1-standin/
  let zkPort: number;
  let zk: Proc;
  let zkConnect: string;
  const brokers: Record<number, { proc: Proc; port: number; logDir: string; startupMs: number }> = {};

  const bin = (s: string) => join(home, 'bin', s);

  /** config/server.properties of the tarball plus overrides appended (later keys win). */
  function propsFile(name: string, overrides: Record<string, string>, base = 'config/server.properties'): string {
    const file = join(work, `${name}.properties`);
    const extra = Object.entries(overrides)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n');
    writeFileSync(file, `${readFileSync(join(home, base), 'utf8')}\n${extra}\n`);
    return file;
  }

  function startBroker(name: string, overrides: Record<string, string>, base?: string): Proc {
    const file = propsFile(name, overrides, base);
    return run(bin('kafka-server-start.sh'), [file], { ...JVM_ENV, EXTRA_ARGS: '', LOG_DIR: join(work, `${name}-logs`) });
  }

  interface ZNode {
    path: string;
    exists: boolean;
    data?: string;
    ephemeralOwner?: string;
    children?: string[];
  }

  function zkDump(connect: string, ...paths: string[]): Promise<Record<string, ZNode>> {
    return new Promise((resolve, reject) => {
      execFile(
        bin('kafka-run-class.sh'),
        ['zkafka.standin.ZkDump', connect, ...paths],
        { env: { ...process.env, ...JVM_ENV } },
        (err, stdout, stderr) => {
          if (err) return reject(new Error(`${err.message}\n${stderr}`));
          const out: Record<string, ZNode> = {};
          for (const line of stdout.split('\n').filter((l) => l.startsWith('{'))) {
            const n = JSON.parse(line) as ZNode;
            out[n.path] = n;
          }
          resolve(out);
        },
      );
    });
  }

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'zkafka-standin-'));
    const build = spawnSync('bash', [join(HERE, 'build.sh'), join(work, 'dist')], { encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build.sh failed:\n${build.stdout}\n${build.stderr}`);
    const tgz = join(work, 'dist', `${NAME}.tgz`);
    expect(build.stdout.trim()).toBe(tgz);
    const untar = spawnSync('tar', ['xzf', tgz, '-C', work]);
    if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
    home = join(work, NAME);

    zkPort = await freePort();
    mkdirSync(join(work, 'zkdata'));
    const cfg = join(work, 'zoo.cfg');
    writeFileSync(
      cfg,
      [
        'tickTime=2000',
        `dataDir=${join(work, 'zkdata')}`,
        `clientPort=${zkPort}`,
        'clientPortAddress=127.0.0.1',
        'admin.enableServer=false',
        '4lw.commands.whitelist=',
        '',
      ].join('\n'),
    );
    zk = run('java', ['-Xmx64m', '-cp', ZK_JAR, 'org.apache.zookeeper.server.ZooKeeperServerMain', cfg]);
    await until(() => canConnect(zkPort), 20_000, 'ZooKeeper to listen');
    zkConnect = `127.0.0.1:${zkPort}${CHROOT}`;
  });

  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await sleep(200);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('has the layout of a Kafka 3.9 release and says loudly that it is not Kafka', () => {
    for (const f of [
      'bin/kafka-server-start.sh',
      'bin/kafka-server-stop.sh',
      'bin/kafka-run-class.sh',
      'bin/kafka-storage.sh',
      'config/server.properties',
      'config/kraft/server.properties',
      'README-STANDIN.txt',
      'NOTICE',
      'libs/zookeeper-3.8.0.jar',
      'libs/zookeeper-jute-3.8.0.jar',
      'libs/slf4j-api-1.7.32.jar',
      'libs/commons-cli-1.5.0.jar',
    ]) {
      expect(existsSync(join(home, f)), f).toBe(true);
    }
    expect(readFileSync(join(home, 'README-STANDIN.txt'), 'utf8')).toMatch(/THIS IS NOT APACHE KAFKA/);
    const props = readFileSync(join(home, 'config/server.properties'), 'utf8');
    for (const line of [
      'broker.id=0',
      'log.dirs=/tmp/kafka-logs',
      'zookeeper.connect=localhost:2181',
      'num.partitions=1',
      'offsets.topic.replication.factor=1',
      'zookeeper.connection.timeout.ms=18000',
    ]) {
      expect(props.split('\n')).toContain(line);
    }
  });

  it('kafka-storage.sh random-uuid prints a 22-character base64url id', () => {
    const r = spawnSync(bin('kafka-storage.sh'), ['random-uuid'], { encoding: 'utf8', env: { ...process.env, ...JVM_ENV } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });

  it('missing zookeeper.connect and a non-integer broker.id fail with Kafka\'s messages', async () => {
    const noZk = join(work, 'nozk.properties');
    writeFileSync(noZk, `broker.id=0\nlog.dirs=${join(work, 'nozk-data')}\n`);
    const a = run(bin('kafka-server-start.sh'), [noZk], { ...JVM_ENV, EXTRA_ARGS: '', LOG_DIR: join(work, 'nozk-logs') });
    const b = run(bin('kafka-server-start.sh'), [noZk, '--override', 'zookeeper.connect=127.0.0.1:1', '--override', 'broker.id=abc'], {
      ...JVM_ENV,
      EXTRA_ARGS: '',
      LOG_DIR: join(work, 'badid-logs'),
    });
    expect((await a.exited).code).toBe(1);
    expect(a.output()).toContain('ERROR Exiting Kafka due to fatal exception (kafka.Kafka$)');
    expect(a.output()).toContain('Missing required configuration `zookeeper.connect` which has no default value.');
    expect((await b.exited).code).toBe(1);
    expect(b.output()).toContain('Invalid value abc for configuration broker.id: Not a number of type INT');
    expect(readFileSync(join(work, 'nozk-logs', 'server.log'), 'utf8')).toMatch(
      /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] ERROR Exiting Kafka due to fatal exception \(kafka\.Kafka\$\)$/m,
    );
  });

  it('two brokers register under /brokers/ids with Kafka\'s JSON and one becomes /controller', async () => {
    for (const id of [0, 1]) {
      const port = await freePort();
      const logDir = join(work, `data-${id}`);
      const t0 = Date.now();
      const proc = startBroker(`broker-${id}`, {
        'broker.id': String(id),
        listeners: `PLAINTEXT://127.0.0.1:${port}`,
        'log.dirs': logDir,
        'zookeeper.connect': zkConnect,
      });
      brokers[id] = { proc, port, logDir, startupMs: 0 };
      void proc.waitFor(/\[KafkaServer id=\d+\] started \(kafka\.server\.KafkaServer\)/).then(() => {
        brokers[id]!.startupMs = Date.now() - t0;
      });
    }
    for (const id of [0, 1]) await brokers[id]!.proc.waitFor(/\[KafkaServer id=\d+\] started \(kafka\.server\.KafkaServer\)/);
    console.log(`stand-in broker startup (two JVMs at once): ${brokers[0]!.startupMs} ms, ${brokers[1]!.startupMs} ms`);

    const z = await zkDump(zkConnect, '/brokers/ids', '/brokers/ids/0', '/brokers/ids/1', '/controller', '/controller_epoch', '/cluster/id', '/brokers/topics', '/config/topics', '/config/brokers', '/admin', '/consumers');
    expect(z['/brokers/ids']!.children).toEqual(['0', '1']);
    for (const id of [0, 1]) {
      const node = z[`/brokers/ids/${id}`]!;
      expect(node.ephemeralOwner).not.toBe('0');
      const reg = JSON.parse(node.data!);
      const port = brokers[id]!.port;
      expect(reg).toEqual({
        features: {},
        listener_security_protocol_map: { PLAINTEXT: 'PLAINTEXT' },
        endpoints: [`PLAINTEXT://127.0.0.1:${port}`],
        jmx_port: -1,
        port,
        host: '127.0.0.1',
        version: 5,
        timestamp: expect.stringMatching(/^\d{13}$/),
      });
      expect(Object.keys(reg)).toEqual(['features', 'listener_security_protocol_map', 'endpoints', 'jmx_port', 'port', 'host', 'version', 'timestamp']);
      expect(await canConnect(port)).toBe(true);
    }
    const ctl = JSON.parse(z['/controller']!.data!);
    expect(ctl).toEqual({ version: 2, brokerid: expect.any(Number), timestamp: expect.stringMatching(/^\d{13}$/), kraftControllerEpoch: -1 });
    expect([0, 1]).toContain(ctl.brokerid);
    expect(z['/controller']!.ephemeralOwner).toBe(z[`/brokers/ids/${ctl.brokerid}`]!.ephemeralOwner);
    expect(Number(z['/controller_epoch']!.data)).toBeGreaterThanOrEqual(1);
    const cluster = JSON.parse(z['/cluster/id']!.data!);
    expect(cluster).toEqual({ version: '1', id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/) });
    for (const p of ['/brokers/topics', '/config/topics', '/config/brokers', '/admin', '/consumers']) expect(z[p]!.exists, p).toBe(true);

    // The chroot was created in the real root.
    const root = await zkDump(`127.0.0.1:${zkPort}`, CHROOT);
    expect(root[CHROOT]!.exists).toBe(true);

    // meta.properties (ZooKeeper-mode v0) in each log dir.
    for (const id of [0, 1]) {
      const meta = readFileSync(join(brokers[id]!.logDir, 'meta.properties'), 'utf8');
      expect(meta).toMatch(new RegExp(`^broker\\.id=${id}$`, 'm'));
      expect(meta).toMatch(/^version=0$/m);
      expect(meta).toContain(`cluster.id=${cluster.id}`);
      const log = readFileSync(join(work, `broker-${id}-logs`, 'server.log'), 'utf8');
      expect(log).toContain('zkafka test stand-in');
      expect(log).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] INFO \[KafkaServer id=\d\] started \(kafka\.server\.KafkaServer\)$/m);
    }
  });

  it('a third broker with a duplicate broker.id fails with NodeExists and exits 1', async () => {
    const before = await zkDump(zkConnect, '/brokers/ids/0');
    const dup = startBroker('dup', {
      'broker.id': '0',
      listeners: `PLAINTEXT://127.0.0.1:${await freePort()}`,
      'log.dirs': join(work, 'data-dup'),
      'zookeeper.connect': zkConnect,
    });
    expect((await dup.exited).code).toBe(1);
    expect(dup.output()).toMatch(
      /ERROR Error while creating ephemeral at \/brokers\/ids\/0, node already exists and owner '\d+' does not match current session '\d+' \(kafka\.zk\.KafkaZkClient\$CheckedEphemeral\)/,
    );
    expect(dup.output()).toContain('NodeExists');
    expect(dup.output()).toContain('ERROR Exiting Kafka due to fatal exception during startup. (kafka.Kafka$)');
    const after = await zkDump(zkConnect, '/brokers/ids/0');
    expect(after['/brokers/ids/0']!.ephemeralOwner).toBe(before['/brokers/ids/0']!.ephemeralOwner);
  });

  it('a busy listener port fails like Kafka and the broker does not register', async () => {
    const busy = brokers[0]!.port;
    const p = startBroker('busy', {
      'broker.id': '3',
      listeners: `PLAINTEXT://127.0.0.1:${busy}`,
      'log.dirs': join(work, 'data-busy'),
      'zookeeper.connect': zkConnect,
    });
    expect((await p.exited).code).toBe(1);
    expect(p.output()).toContain(`Socket server failed to bind to 127.0.0.1:${busy}: Address already in use.`);
    const z = await zkDump(zkConnect, '/brokers/ids/3');
    expect(z['/brokers/ids/3']!.exists).toBe(false);
  });

  it('refuses a log dir whose meta.properties holds another broker.id or another cluster.id', async () => {
    const clusterId = JSON.parse((await zkDump(zkConnect, '/cluster/id'))['/cluster/id']!.data!).id as string;
    const otherNode = join(work, 'data-other-node');
    mkdirSync(otherNode);
    writeFileSync(join(otherNode, 'meta.properties'), `version=0\nbroker.id=9\ncluster.id=${clusterId}\n`);
    const otherCluster = join(work, 'data-other-cluster');
    mkdirSync(otherCluster);
    writeFileSync(join(otherCluster, 'meta.properties'), 'version=0\nbroker.id=4\ncluster.id=AAAAAAAAQACAAAAAAAAAAQ\n');
    const common = { 'zookeeper.connect': zkConnect };
    const a = startBroker('other-node', { ...common, 'broker.id': '4', listeners: `PLAINTEXT://127.0.0.1:${await freePort()}`, 'log.dirs': otherNode });
    const b = startBroker('other-cluster', { ...common, 'broker.id': '4', listeners: `PLAINTEXT://127.0.0.1:${await freePort()}`, 'log.dirs': otherCluster });
    expect((await a.exited).code).toBe(1);
    expect(a.output()).toContain(
      `Stored node id 9 doesn't match previous node id 4 in ${join(otherNode, 'meta.properties')}. If you moved your data, make sure your configured node id matches.`,
    );
    expect((await b.exited).code).toBe(1);
    expect(b.output()).toContain(
      `The Cluster ID ${clusterId} doesn't match stored clusterId Some(AAAAAAAAQACAAAAAAAAAAQ) in meta.properties. The broker is trying to join the wrong cluster. Configured zookeeper.connect may be wrong.`,
    );
    expect(b.output()).toContain(`Invalid cluster.id in: ${join(otherCluster, 'meta.properties')}. Expected ${clusterId}, but read AAAAAAAAQACAAAAAAAAAAQ`);
    expect((await zkDump(zkConnect, '/brokers/ids'))['/brokers/ids']!.children).toEqual(['0', '1']);
  });

  it('SIGTERM deregisters the controller and the other broker takes over /controller', async () => {
    const z = await zkDump(zkConnect, '/controller', '/controller_epoch');
    const ctl = JSON.parse(z['/controller']!.data!).brokerid as number;
    const other = ctl === 0 ? 1 : 0;
    const epoch = Number(z['/controller_epoch']!.data);
    const t0 = Date.now();
    brokers[ctl]!.proc.proc.kill('SIGTERM');
    const exit = await brokers[ctl]!.proc.exited;
    const stopMs = Date.now() - t0;
    console.log(`stand-in broker stop after SIGTERM: ${stopMs} ms`);
    expect(stopMs).toBeLessThan(10_000);
    // A JVM ended by SIGTERM after its shutdown hooks reports 143 (128+15), as Kafka does.
    expect(exit.code === 143 || exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
    expect(brokers[ctl]!.proc.output()).toContain(`[KafkaServer id=${ctl}] shut down completed (kafka.server.KafkaServer)`);
    const after = await until(
      async () => {
        const d = await zkDump(zkConnect, '/brokers/ids', '/controller', '/controller_epoch');
        return d['/controller']!.exists && JSON.parse(d['/controller']!.data!).brokerid === other ? d : undefined;
      },
      15_000,
      `broker ${other} to become controller`,
    );
    expect(after['/brokers/ids']!.children).toEqual([String(other)]);
    expect(Number(after['/controller_epoch']!.data)).toBe(epoch + 1);
    expect(await canConnect(brokers[ctl]!.port)).toBe(false);
  });

  it.skipIf(!canUnshare)('kafka-server-stop.sh stops a -daemon broker (in a private PID namespace) and then finds none', async () => {
    const port = await freePort();
    const file = propsFile('daemon', {
      'broker.id': '7',
      listeners: `PLAINTEXT://127.0.0.1:${port}`,
      'log.dirs': join(work, 'data-daemon'),
      'zookeeper.connect': zkConnect,
    });
    const logDir = join(work, 'daemon-logs');
    // Everything below runs in its own PID namespace so that kafka-server-stop.sh (which signals
    // every Kafka process it can see) cannot touch brokers outside this test.
    const script = `
      set -u
      "$BIN/kafka-server-start.sh" -daemon "$PROPS"
      echo "start-rc=$?"
      for i in $(seq 1 300); do grep -q 'started (kafka.server.KafkaServer)' "$LOG_DIR/server.log" 2>/dev/null && break; sleep 0.1; done
      pid=$(ps ax | grep -i 'kafka\\.Kafka' | grep java | grep -v grep | awk '{print $1}')
      echo "pids=$pid"
      "$BIN/kafka-run-class.sh" zkafka.standin.ZkDump "$ZK" /brokers/ids/7 | sed 's/^/during=/'
      "$BIN/kafka-server-stop.sh"
      echo "stop-rc=$?"
      for i in $(seq 1 100); do
        st=$(ps -o stat= -p "$pid" 2>/dev/null | tr -d ' ')
        case "$st" in ''|Z*) break ;; esac
        sleep 0.1
      done
      echo "gone-after=$i"
      "$BIN/kafka-run-class.sh" zkafka.standin.ZkDump "$ZK" /brokers/ids/7 | sed 's/^/after=/'
      "$BIN/kafka-server-stop.sh"
      echo "stop2-rc=$?"
    `;
    const p = run('unshare', ['--pid', '--fork', '--mount-proc', 'bash', '-c', script], {
      ...JVM_ENV,
      BIN: join(home, 'bin'),
      PROPS: file,
      LOG_DIR: logDir,
      ZK: zkConnect,
    });
    expect((await p.exited).code).toBe(0);
    const out = p.output();
    const val = (k: string) => out.match(new RegExp(`^${k}=(.*)$`, 'm'))?.[1];
    expect(val('start-rc')).toBe('0');
    expect(val('pids')).toMatch(/^\d+$/);
    expect(JSON.parse(val('during')!).exists).toBe(true);
    expect(val('stop-rc')).toBe('0');
    expect(Number(val('gone-after'))).toBeLessThan(100);
    expect(JSON.parse(val('after')!).exists).toBe(false);
    expect(out).toContain('No kafka server to stop');
    expect(val('stop2-rc')).toBe('1');
    // -daemon: console output in $LOG_DIR/kafkaServer.out, log in $LOG_DIR/server.log.
    expect(readFileSync(join(logDir, 'kafkaServer.out'), 'utf8')).toContain('[KafkaServer id=7] started');
    expect(readFileSync(join(logDir, 'server.log'), 'utf8')).toContain('[KafkaServer id=7] shut down completed');
  });

  it('KRaft: refuses unformatted log dirs, formats with kafka-storage.sh, then starts', async () => {
    const [brokerPort, controllerPort] = [await freePort(), await freePort()];
    const dataDir = join(work, 'kraft-data');
    const file = propsFile(
      'kraft',
      {
        'node.id': '1',
        'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
        listeners: `PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`,
        'advertised.listeners': `PLAINTEXT://127.0.0.1:${brokerPort}`,
        'log.dirs': dataDir,
      },
      'config/kraft/server.properties',
    );
    const env = { ...JVM_ENV, EXTRA_ARGS: '', LOG_DIR: join(work, 'kraft-logs') };
    const unformatted = run(bin('kafka-server-start.sh'), [file], env);
    expect((await unformatted.exited).code).toBe(1);
    expect(unformatted.output()).toContain(
      `No \`meta.properties\` found in ${dataDir} (have you run \`kafka-storage.sh\` to format the directory?)`,
    );
    expect(unformatted.output()).toContain('ERROR Exiting Kafka due to fatal exception (kafka.Kafka$)');

    const uuid = spawnSync(bin('kafka-storage.sh'), ['random-uuid'], { encoding: 'utf8', env: { ...process.env, ...JVM_ENV } }).stdout.trim();
    const fmt = spawnSync(bin('kafka-storage.sh'), ['format', '-t', uuid, '-c', file], { encoding: 'utf8', env: { ...process.env, ...JVM_ENV } });
    expect(fmt.status, fmt.stderr).toBe(0);
    expect(fmt.stdout).toContain(`Formatting metadata directory ${dataDir}`);
    const meta = readFileSync(join(dataDir, 'meta.properties'), 'utf8');
    expect(meta).toMatch(/^node\.id=1$/m);
    expect(meta).toMatch(/^version=1$/m);
    expect(meta).toMatch(new RegExp(`^cluster\\.id=${uuid}$`, 'm'));
    expect(meta).toMatch(/^directory\.id=[A-Za-z0-9_-]{22}$/m);
    const again = spawnSync(bin('kafka-storage.sh'), ['format', '-t', uuid, '-c', file], { encoding: 'utf8', env: { ...process.env, ...JVM_ENV } });
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('is already formatted. Use --ignore-formatted');
    const ignored = spawnSync(bin('kafka-storage.sh'), ['format', '-t', uuid, '-c', file, '--ignore-formatted'], { encoding: 'utf8', env: { ...process.env, ...JVM_ENV } });
    expect(ignored.status, ignored.stderr).toBe(0);
    // ZooKeeper-mode configs cannot be formatted.
    const legacy = spawnSync(bin('kafka-storage.sh'), ['format', '-t', uuid, '-c', join(home, 'config/server.properties')], { encoding: 'utf8', env: { ...process.env, ...JVM_ENV } });
    expect(legacy.status).toBe(1);
    expect(legacy.stderr).toContain('Formatting is only supported for clusters in KRaft mode.');

    const node = run(bin('kafka-server-start.sh'), [file], env);
    await node.waitFor(/\[KafkaRaftServer nodeId=1\] Kafka Server started \(kafka\.server\.KafkaRaftServer\)/);
    expect(await canConnect(brokerPort)).toBe(true);
    expect(await canConnect(controllerPort)).toBe(true);
    node.proc.kill('SIGTERM');
    await node.exited;
    expect(await canConnect(brokerPort)).toBe(false);
  });
});
