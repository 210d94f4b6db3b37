// The Kafka broker role (ZooKeeper mode): started in id order, rolled one at a time with the
// controller last; a broker is up when it is registered under /brokers/ids with the endpoint the
// inventory gives it and its listener accepts connections. Before each stop of a roll every partition
// must be fully in sync (the in-sync gate), read from ZooKeeper.
import { hostPort, type Broker, type Inventory } from '../../inventory/model.js';
import type { Output } from '../../ui/output.js';
import { UserError } from '../../errors.js';
import { kafka } from '../../services/kafka.js';
import { terminate } from '../../services/remote.js';
import { guardStop } from '../roll-guard.js';
import { waitInSync } from '../in-sync.js';
import { isKraftCluster } from '../kraft.js';
import type { Session } from '../session.js';
import { Registry, serviceProcess, servicePid, type ClusterState } from '../state.js';
import { waitFor } from '../wait.js';
import { failWithLog, SERVICE_TIMEOUT_MS, StepFailure, type ApplyOptions, type Role, type RunContext } from './role.js';

export const kafkaLog = (b: Broker) => ({ dir: b.logDir, patterns: ['server.log', 'kafkaServer.out'] });

/** How long a roll waits for every partition to be fully replicated before it stops the next broker. */
export const IN_SYNC_TIMEOUT_MS = Number(process.env.ZKAFKA_IN_SYNC_TIMEOUT ?? 300) * 1000;

async function listenerAccepts(s: Session, b: Broker): Promise<boolean> {
  try {
    const conn = await s.transport(b.host).connect(b.address, b.port);
    conn.destroy();
    return true;
  } catch (e) {
    if (e instanceof UserError) throw e;
    return false;
  }
}

export async function stopBroker(s: Session, inv: Inventory, reg: Registry, b: Broker, pid: number): Promise<void> {
  await s.exec(b.host, terminate(pid));
  const gone = await waitFor(
    async () => {
      if ((await servicePid(s, inv, b.host, 'kafka')) !== undefined) return undefined;
      const r = await reg.read();
      return r && r.registered.has(b.id) ? undefined : true;
    },
    { timeoutMs: SERVICE_TIMEOUT_MS },
  );
  if (!gone.ok) await failWithLog(s, b.host, `stopping broker ${b.id}`, `process ${pid} to exit and /brokers/ids/${b.id} to go`, 'it still there', kafkaLog(b));
}

/**
 * Starts Kafka node `b` (kafka-server-start.sh -daemon) and waits until `ready` says it is up (a string
 * says what was seen instead). The start script forks the JVM before it returns: a process that vanished,
 * or is not there within a few seconds, has crashed.
 */
export async function startKafkaNode(s: Session, inv: Inventory, b: Broker, what: string, expected: string, ready: (proc: { pid: number; startedAt: number }) => Promise<true | string>): Promise<void> {
  const host = inv.hosts.find((h) => h.name === b.host)!;
  const r = await s.exec(b.host, kafka.start(b, host.javaHome));
  if (r.code !== 0) await failWithLog(s, b.host, what, 'kafka-server-start.sh to exit 0', `exit ${r.code}: ${(r.stdout + r.stderr).trim().split('\n').slice(-2).join(' / ')}`, kafkaLog(b));
  let seen = 'no kafka.Kafka process yet';
  let hadProcess = false;
  const since = Date.now();
  const ok = await waitFor(
    async () => {
      const proc = await serviceProcess(s, inv, b.host, 'kafka');
      if (!proc) {
        if (hadProcess || Date.now() - since > 3_000) await failWithLog(s, b.host, what, expected, hadProcess ? 'the process exited' : 'no process', kafkaLog(b), true);
        return undefined;
      }
      hadProcess = true;
      const up = await ready(proc);
      if (up === true) return true;
      seen = `process ${proc.pid} running, ${up}`;
      return undefined;
    },
    { timeoutMs: SERVICE_TIMEOUT_MS, firstDelayMs: 300, maxDelayMs: 1000 },
  );
  if (!ok.ok) await failWithLog(s, b.host, what, expected, seen, kafkaLog(b));
}

/** Up in ZooKeeper mode: registered under /brokers/ids by this very process, with its endpoint, its listener accepting. */
function startBroker(s: Session, inv: Inventory, reg: Registry, b: Broker): Promise<void> {
  const expected = kafka.endpoint(b);
  return startKafkaNode(s, inv, b, `starting broker ${b.id}`, `registration as ${expected} under /brokers/ids/${b.id} and a listener accepting connections`, async (proc) => {
    const regs = await reg.read();
    const eps = regs?.registered.get(b.id);
    if (!eps) return `/brokers/ids/${b.id} not registered yet`;
    // A node this process did not write (an earlier session's, another broker's with this id) is no
    // success: this broker is about to fail with NodeExistsException. Both times come from the broker
    // host's clock, with slack for ps's whole-second elapsed time.
    const at = regs?.since.get(b.id);
    if (at !== undefined && at < (proc.startedAt - 2) * 1000) return `/brokers/ids/${b.id} registered at ${new Date(at).toISOString()}, before process ${proc.pid} started (another session's)`;
    if (!eps.includes(expected)) return `/brokers/ids/${b.id} registered with ${eps.join(',') || 'no endpoints'}`;
    // The listener is checked where it binds (address:port), which an advertised endpoint may not be.
    if (!(await listenerAccepts(s, b))) return `registered, but the listener on ${hostPort(b.address, b.port)} refuses connections`;
    return true;
  });
}

/** The in-sync gate's reader in ZooKeeper mode: replicas and ISR from the znodes the controller keeps (no JVM). */
const zkInSync = (reg: Registry) => async () => {
  const r = await reg.read({ partitions: true });
  return r?.partitions ? { partitions: r.partitions, live: new Set(r.registered.keys()) } : 'no ZooKeeper member serving';
};

export const kafkaRole: Role<Broker> = {
  service: 'kafka',
  // A KRaft cluster's nodes belong to the KRaft roles (kraft-controller.ts, kraft-broker.ts).
  steps: (plan, inv) => (isKraftCluster(inv) ? [] : plan.kafka),
  nodes: (inv) => (isKraftCluster(inv) ? [] : inv.brokers),
  label: (b) => `broker ${b.id}`,
  title: (b) => `Kafka broker ${b.id}`,
  pid: (state, b) => state.brokers.find((x) => x.broker.id === b.id)?.pid,
  last: (state: ClusterState) => state.controller ?? undefined,
  lastIs: 'controller',
  consoleLog: (b) => ({ dir: b.logDir, patterns: ['kafkaServer.out'] }),

  open(s: Session, inv: Inventory, state: ClusterState, out: Output, opts: ApplyOptions, ctx: RunContext) {
    const inSyncTimeoutMs = opts.inSyncTimeoutMs ?? IN_SYNC_TIMEOUT_MS;
    const reg = new Registry(s, inv);
    const mine = kafkaRole.nodes(inv).filter((b) => ctx.scope.hosts.has(b.host));
    return {
      beforeStop: async (b) => {
        await waitInSync(zkInSync(reg), `before stopping broker ${b.id}`, inSyncTimeoutMs, out, b.id);
        // The gate sees partitions; a broker that is gone (or lost with its host) may lead none.
        await guardStop(s, inv, out, { service: 'kafka', id: b.id, host: b.host, label: kafkaRole.label(b) }, reg, SERVICE_TIMEOUT_MS);
      },
      stop: (b, pid) => stopBroker(s, inv, reg, b, pid),
      start: (b) => startBroker(s, inv, reg, b),
      afterStart: async () => {},
      settle: async (steps) => {
        if (!mine.length) return;
        if (!steps.length && state.controller !== null && state.brokers.filter((b) => ctx.scope.hosts.has(b.broker.host)).every((b) => b.registered && b.endpoints?.includes(kafka.endpoint(b.broker)))) return;
        // The roll is over when the last restarted broker has caught up too.
        if (steps.some((x) => x.action === 'restart')) {
          await out.step('Kafka: every partition fully replicated', () => waitInSync(zkInSync(reg), 'after the rolling restart', inSyncTimeoutMs, out));
        }
        const leftOut = inv.brokers.length - mine.length;
        await out.step(`Kafka: ${mine.length} broker(s) registered${leftOut ? ` (${leftOut} left out)` : ''} and a controller elected`, async () => {
          let seen = '';
          const ok = await waitFor(
            async () => {
              const r = await reg.read();
              const missing = mine.filter((b) => !r?.registered.has(b.id)).map((b) => b.id);
              seen = r ? `${missing.length ? `brokers ${missing.join(',')} not registered` : 'all registered'}, controller ${r.controller ?? 'none'}` : 'no ZooKeeper member serving';
              return r && !missing.length && r.controller !== null ? true : undefined;
            },
            { timeoutMs: SERVICE_TIMEOUT_MS },
          );
          if (!ok.ok) throw new StepFailure(`kafka: expected every broker registered and a controller, saw ${seen}`);
        });
      },
      close: () => reg.close(),
    };
  },
};
