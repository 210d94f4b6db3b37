// Operating a degraded cluster: why a start failed (from its console log), whether a roll may stop the
// next service, which hosts a run works on, and the retry loop on a real (local) session.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseInventory } from '../../src/inventory/load.js';
import { threeHosts } from './helpers.js';
import { classifyStartFailure } from '../../src/services/start-failure.js';
import { parseRegistration } from '../../src/services/kafka.js';
import { shortBeforeStop, type ClusterView } from '../../src/commands/roll-guard.js';
import { runScope, scopePlan } from '../../src/commands/scope.js';
import { restartPlan } from '../../src/commands/restart.js';
import { Session } from '../../src/commands/session.js';
import { START_ATTEMPTS, StartExited, startWithRetries, type StartAttempt } from '../../src/commands/start-retry.js';
import { Output } from '../../src/ui/output.js';
import { UserError } from '../../src/errors.js';
import type { Plan } from '../../src/commands/plan.js';
import type { ClusterState } from '../../src/commands/state.js';

// *.recorded.out were copied from the lab (genuine Kafka 2.4.1); the others are shorter logs written after
// the messages Kafka 2.4.1 and ZooKeeper 3.8.0 print for those causes.
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', 'start-failures', name), 'utf8');

describe('why a start failed, from the console log of that attempt', () => {
  it("retries Kafka's ZooKeeperClientTimeoutException (its ZooKeeper client could not connect within 6 s)", () => {
    const c = classifyStartFailure('kafka', fixture('kafka-zk-timeout.out'));
    expect(c.kind).toBe('transient');
    expect(c.reason).toMatch(/could not reach ZooKeeper in time .*CONNECTING/);
    expect(c.evidence).toMatch(/^kafka\.zookeeper\.ZooKeeperClientTimeoutException/);
  });

  it('reads the console logs genuine Kafka 2.4.1 wrote on the lab the same way', () => {
    // Recorded: lab1's route to its only ZooKeeper member blackholed; and /brokers/ids/0 held by another session.
    expect(classifyStartFailure('kafka', fixture('kafka-2.4.1-zk-timeout.recorded.out'))).toMatchObject({
      kind: 'transient',
      evidence: 'kafka.zookeeper.ZooKeeperClientTimeoutException: Timed out waiting for connection while in state: CONNECTING',
    });
    expect(classifyStartFailure('kafka', fixture('kafka-2.4.1-id-clash.recorded.out'))).toMatchObject({
      kind: 'lasting',
      reason: 'broker id clash: /brokers/ids/0 is registered by another session (NodeExistsException)',
    });
  });

  it('retries a ZooKeeper connection lost during start-up (an ensemble electing)', () => {
    expect(classifyStartFailure('kafka', fixture('kafka-connection-loss.out')).kind).toBe('transient');
  });

  it('does not retry a broker id clash, naming the node', () => {
    const c = classifyStartFailure('kafka', fixture('kafka-id-clash.out'));
    expect(c.kind).toBe('lasting');
    expect(c.reason).toBe('broker id clash: /brokers/ids/0 is registered by another session (NodeExistsException)');
  });

  it('does not retry a taken port or a bad setting', () => {
    const port = classifyStartFailure('kafka', fixture('kafka-port-taken.out'));
    expect(port).toMatchObject({ kind: 'lasting', reason: 'port taken (198.18.3.11:9092): Address already in use' });
    const cfg = classifyStartFailure('kafka', fixture('kafka-bad-config.out'));
    expect(cfg.kind).toBe('lasting');
    expect(cfg.reason).toMatch(/^bad configuration: Invalid value three for configuration num\.partitions/);
  });

  it('prefers a lasting cause over a transient one in the same log', () => {
    const both = `${fixture('kafka-connection-loss.out')}\n${fixture('kafka-id-clash.out')}`;
    expect(classifyStartFailure('kafka', both).kind).toBe('lasting');
  });

  it('classifies ZooKeeper failures as lasting, and an unknown log as unknown (not retried)', () => {
    expect(classifyStartFailure('zookeeper', fixture('zookeeper-invalid-config.out'))).toMatchObject({ kind: 'lasting', reason: 'invalid configuration (Invalid config, exiting abnormally)' });
    expect(classifyStartFailure('zookeeper', fixture('zookeeper-port-taken.out')).kind).toBe('lasting');
    expect(classifyStartFailure('kafka', '[2026-12-01 07:40:02,958] INFO starting (kafka.server.KafkaServer)\n')).toEqual({ kind: 'unknown', reason: 'no known cause in the log' });
    // A ZooKeeper log has no Kafka causes.
    expect(classifyStartFailure('zookeeper', fixture('kafka-zk-timeout.out')).kind).toBe('unknown');
  });
});

describe('a registration knows when it was written', () => {
  it("reads Kafka's timestamp (a string of milliseconds) and ignores a missing or bad one", () => {
    expect(parseRegistration('{"endpoints":["PLAINTEXT://198.18.3.11:9092"],"timestamp":"1764574812000","version":4}')?.timestamp).toBe(1764574812000);
    expect(parseRegistration('{"endpoints":[]}')?.timestamp).toBeUndefined();
    expect(parseRegistration('{"endpoints":[],"timestamp":"soon"}')?.timestamp).toBeUndefined();
  });
});

describe('a roll stops the next service only when the rest of the cluster is whole', () => {
  const view = (over: Partial<ClusterView> = {}): ClusterView => ({
    members: [
      { id: 1, host: 'a', state: 'follower' },
      { id: 2, host: 'b', state: 'leader' },
      { id: 3, host: 'c', state: 'follower' },
    ],
    brokers: [
      { id: 0, host: 'a', reachable: true, registered: true },
      { id: 1, host: 'b', reachable: true, registered: true },
      { id: 2, host: 'c', reachable: true, registered: true },
    ],
    unreachable: new Map(),
    ...over,
  });

  it('lets a member or broker go when everything else serves', () => {
    expect(shortBeforeStop({ service: 'zookeeper', id: 1 }, view())).toEqual([]);
    expect(shortBeforeStop({ service: 'kafka', id: 2 }, view())).toEqual([]);
  });

  it('ignores the state of the service about to be stopped itself', () => {
    const v = view();
    v.members[0]!.state = 'not serving';
    v.brokers![0]!.registered = false;
    expect(shortBeforeStop({ service: 'zookeeper', id: 1 }, v)).toEqual([]);
    expect(shortBeforeStop({ service: 'kafka', id: 0 }, v)).toEqual(['ZooKeeper member 1 on a is not serving']);
  });

  it('names an unreachable host and why, for members and brokers', () => {
    const v = view({ unreachable: new Map([['c', 'SSH connection lost (no answer to SSH keepalives)']]) });
    v.members[2]!.state = 'unreachable';
    v.brokers![2]!.reachable = false;
    expect(shortBeforeStop({ service: 'zookeeper', id: 1 }, v)).toEqual(['ZooKeeper member 3 on c is unreachable (SSH connection lost (no answer to SSH keepalives))']);
    expect(shortBeforeStop({ service: 'kafka', id: 1 }, v)).toEqual([
      'ZooKeeper member 3 on c is unreachable (SSH connection lost (no answer to SSH keepalives))',
      'broker 2 on c is unreachable (SSH connection lost (no answer to SSH keepalives))',
    ]);
  });

  it('holds a broker while another is unregistered or the registry cannot be read', () => {
    const v = view();
    v.brokers![1]!.registered = false;
    expect(shortBeforeStop({ service: 'kafka', id: 0 }, v)).toEqual(['broker 1 on b is not registered']);
    expect(shortBeforeStop({ service: 'kafka', id: 0 }, view({ brokers: null }))).toEqual(['no ZooKeeper member answers, so the broker registry cannot be read']);
    // A member's stop does not wait for brokers.
    expect(shortBeforeStop({ service: 'zookeeper', id: 3 }, v)).toEqual([]);
  });
});

const inv = threeHosts();

describe('which hosts a run works on', () => {
  const lost = new Map([['b', new UserError('b: 198.18.0.12:22 is unreachable (EHOSTUNREACH)')]]);

  it('stops before anything changes when a host cannot be reached, unless told to go on', () => {
    expect(() => runScope(inv, lost, {})).toThrow(/^preflight failed: cannot reach 1 host\(s\); nothing was changed \(--skip-unreachable/);
    expect(() => runScope(inv, lost, {}, 'down')).toThrow(/^cannot reach 1 host\(s\); nothing was stopped/);
    const scope = runScope(inv, lost, { skipUnreachable: true });
    expect([...scope.hosts]).toEqual(['a', 'c']);
    expect(scope.leftOut).toEqual([{ host: 'b', reason: 'unreachable: 198.18.0.12:22 is unreachable (EHOSTUNREACH)' }]);
  });

  it('--hosts narrows the run; an unreachable host outside it does not matter; unknown names are usage errors', () => {
    const scope = runScope(inv, lost, { hosts: ['a'] });
    expect([...scope.hosts]).toEqual(['a']);
    expect(scope.leftOut.map((l) => `${l.host}: ${l.reason}`)).toEqual(['b: not in --hosts', 'c: not in --hosts']);
    expect(() => runScope(inv, new Map(), { hosts: ['zz'] })).toThrow(/--hosts: no host named zz/);
    // Every host named is unreachable: nothing left to work on, whatever the command.
    expect(() => runScope(inv, lost, { hosts: ['b'], skipUnreachable: true }, 'down')).toThrow(/^down: no host left to work on$/);
  });

  it('leaves every step on a host out of scope out of the plan', () => {
    const plan: Plan = {
      installs: [{ host: 'b', service: 'kafka', home: '/opt/kafka' }],
      files: [{ host: 'b', service: 'kafka', path: '/x', action: 'create', content: '', mode: 0o644 }, { host: 'a', service: 'kafka', path: '/x', action: 'create', content: '', mode: 0o644 }],
      zookeeper: [{ host: 'b', service: 'zookeeper', id: 2, action: 'start', reason: 'not running' }],
      kafka: [{ host: 'a', service: 'kafka', id: 0, action: 'start', reason: 'not running' }, { host: 'b', service: 'kafka', id: 1, action: 'start', reason: 'not running' }],
      unchanged: [{ host: 'b', service: 'zookeeper', id: 2 }],
    };
    const p = scopePlan(plan, runScope(inv, lost, { skipUnreachable: true }));
    expect(p).toEqual({ installs: [], files: [plan.files[1]], zookeeper: [], kafka: [plan.kafka[0]], unchanged: [] });
  });

  it('restart leaves the services of hosts out of scope alone', () => {
    const st = {
      members: inv.members.map((m) => ({ member: m, reachable: m.host !== 'b', pid: 10 + m.id, mode: m.id === 2 ? 'down' : 'follower' })),
      brokers: inv.brokers.map((b) => ({ broker: b, reachable: b.host !== 'b', pid: 20 + b.id, registered: true })),
      controller: 0,
    } as unknown as ClusterState;
    const p = restartPlan(st, {}, runScope(inv, lost, { skipUnreachable: true }));
    expect([...p.zookeeper, ...p.kafka].map((s) => `${s.service} ${s.host}`)).toEqual(['zookeeper a', 'zookeeper c', 'kafka c', 'kafka a']);
  });
});

describe('start attempts', () => {
  it('retries a transient failure with a pause, shows each attempt, and stops at once on a lasting one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zkafka-retry-'));
    mkdirSync(join(dir, 'logs'));
    const local = parseInventory(`hosts:\n  - { name: control, address: 127.0.0.1, local: true }\n`, join(dir, 'inventory.yaml'));
    const err = new PassThrough();
    let shown = '';
    err.on('data', (d: Buffer) => (shown += d.toString()));
    const out = new Output({ tty: false, stderr: err, stdout: new PassThrough() });
    const s = await Session.open(local, out);
    const target = { host: 'control', service: 'kafka' as const, id: 0, label: 'broker 0', consoleLog: { dir: join(dir, 'logs'), patterns: ['kafkaServer.out'] } };
    // Each "start" writes its console log as the start script would (truncating it), then fails or succeeds.
    const logs = [fixture('kafka-zk-timeout.out'), fixture('kafka-zk-timeout.out')];
    let starts = 0;
    const start = async () => {
      starts++;
      const log = logs.shift();
      if (log === undefined) return;
      writeFileSync(join(dir, 'logs', 'kafkaServer.out'), log);
      throw new StartExited('control: starting broker 0: expected a running kafka.Kafka process, saw the process exited', 1, ['last lines of the log on control:']);
    };
    const attempts: StartAttempt[] = [];
    const t0 = Date.now();
    await startWithRetries(s, out, target, attempts, start, 200);
    expect(starts).toBe(3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    expect(attempts.map((a) => `${a.attempt} ${a.kind} ${a.retried}`)).toEqual(['1 transient true', '2 transient true']);
    expect(shown).toMatch(/control: broker 0 did not start, attempt 1 of 3: transient failure: could not reach ZooKeeper in time/);
    expect(shown).toMatch(/attempt 2 of 3/);

    // A lasting cause: one attempt, and the error says why it was not retried, with the log line.
    logs.push(fixture('kafka-id-clash.out'));
    const clash: StartAttempt[] = [];
    const e = await startWithRetries(s, out, target, clash, start, 200).then(() => undefined, (x: unknown) => x as UserError);
    expect(e).toBeInstanceOf(UserError);
    expect(e!.message).toBe('control: starting broker 0: expected a running kafka.Kafka process, saw the process exited; not retried (a lasting cause): broker id clash: /brokers/ids/0 is registered by another session (NodeExistsException)');
    expect(e!.details[0]).toBe(`attempt 1 of ${START_ATTEMPTS}: lasting failure: broker id clash: /brokers/ids/0 is registered by another session (NodeExistsException)`);
    expect(e!.details).toContain('last lines of the log on control:');
    expect(clash).toHaveLength(1);

    // Nothing recognisable in the log: not retried either.
    logs.push('[2026-12-01 07:40:02,958] INFO starting (kafka.server.KafkaServer)\n');
    const unknown: StartAttempt[] = [];
    const e1 = await startWithRetries(s, out, target, unknown, start, 200).then(() => undefined, (x: unknown) => x as UserError);
    expect(e1!.message).toMatch(/; not retried: no known transient cause in its log$/);
    expect(unknown.map((a) => a.kind)).toEqual(['unknown']);

    // Transient every time: bounded.
    logs.push(...Array(START_ATTEMPTS).fill(fixture('kafka-zk-timeout.out')));
    const always: StartAttempt[] = [];
    const e2 = await startWithRetries(s, out, target, always, start, 50).then(() => undefined, (x: unknown) => x as UserError);
    expect(e2!.message).toMatch(new RegExp(`still failing after ${START_ATTEMPTS} attempt\\(s\\): could not reach ZooKeeper`));
    expect(always.map((a) => a.retried)).toEqual([...Array(START_ATTEMPTS - 1).fill(true), false]);
    await s.close();
  });
});
