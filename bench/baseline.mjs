// The services' own time to start and elect, without zkafka: the same start commands run directly in
// each lab host's namespaces, and readiness polled every 20 ms from this machine (no SSH). `up` from
// stopped is compared with this.
import { execa } from 'execa';
import { connect } from 'node:net';
import { join } from 'node:path';

const tick = () => new Promise((r) => setTimeout(r, 20));

function tcp(address, port) {
  return new Promise((resolve, reject) => {
    const s = connect({ host: address, port });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

async function srvrMode(address) {
  try {
    const s = await tcp(address, 2181);
    const text = await new Promise((resolve) => {
      let out = '';
      s.on('data', (d) => (out += d));
      s.on('close', () => resolve(out));
      s.on('error', () => resolve(out));
      s.write('srvr');
    });
    return /Mode: (\w+)/.exec(text)?.[1] ?? 'not serving';
  } catch {
    return 'down';
  }
}

/** Starts the lab's ensemble and brokers by hand, in zkafka's order, and returns the milliseconds taken. */
export async function handStart(root, lab) {
  const { ZkWireClient } = await import(join(root, 'dist/services/zk-wire.js'));
  const exec = (host, script) => execa(join(root, 'test/lab/lab'), ['exec', host, '--', 'sh', '-c', script], { stdin: 'ignore' });
  const t0 = Date.now();
  const hosts = lab.hosts;
  for (let i = 0; i < hosts.length; i++) {
    await exec(hosts[i].name, 'cd /opt/zookeeper && ZOO_LOG_DIR=/var/log/zookeeper bin/zkServer.sh start /opt/zookeeper/conf/zoo.cfg >/dev/null 2>&1');
    if (i >= 1) {
      while (!(await Promise.all(hosts.slice(0, i + 1).map((h) => srvrMode(h.address)))).includes('leader')) await tick();
    }
  }
  while ((await Promise.all(hosts.map((h) => srvrMode(h.address)))).some((m) => m !== 'leader' && m !== 'follower')) await tick();
  for (let i = 0; i < hosts.length; i++) {
    await exec(hosts[i].name, 'cd /opt/kafka && LOG_DIR=/var/log/kafka KAFKA_HEAP_OPTS="-Xmx256m -Xms64m" bin/kafka-server-start.sh -daemon /opt/kafka/config/server.properties');
    for (;;) {
      try {
        const zk = await ZkWireClient.connect(await tcp(hosts[0].address, 2181));
        const node = await zk.getData(`/brokers/ids/${i}`);
        await zk.close();
        if (node) break;
      } catch {
        // not yet
      }
      await tick();
    }
  }
  return Date.now() - t0;
}
