// `zkafka status`: what runs where, read in one round trip per host plus a few ZooKeeper requests.
import type { Inventory } from '../inventory/model.js';
import type { Output } from '../ui/output.js';
import { ExitCode } from '../errors.js';
import { describePartition, kafka, partitionHealth, partitionName, type PartitionState } from '../services/kafka.js';
import { hasQuorum, readClusterState, SERVING, type ClusterState } from './state.js';
import { withSession, type Session } from './session.js';
import { compareVersions } from '../services/versions.js';
import { isBroker, isController, quorumHealthy, quorumKindOf } from './kraft.js';

export interface StatusReport {
  healthy: boolean;
  zookeeper: { quorum: boolean; members: Array<{ host: string; id: number; state: string; pid: number | null; version: string | null }> };
  kafka: {
    controller: number | null;
    brokers: Array<{
      host: string;
      id: number;
      state: string;
      registered: boolean;
      endpoint: string | null;
      pid: number | null;
      /** The version it runs (its class path), and the home it runs from when that is not the inventory's. */
      version: string | null;
      home: string | null;
      /** Partitions this broker leads, those of them under-replicated, and those where it is out of sync; null when ZooKeeper could not be read. */
      partitions: { leader: number; underReplicated: number; outOfSync: number } | null;
    }>;
    /** Cluster-wide, as `topic-partition` names; null when ZooKeeper could not be read. */
    partitions: { total: number; underReplicated: string[]; offline: string[] } | null;
  };
  /** Why the cluster is not healthy, one line each (empty when healthy). */
  problems: string[];
  /** Running versions per service; `mixed` when a service runs more than one (an upgrade under way). */
  versions: { zookeeper: string[]; kafka: string[]; mixed: boolean };
  /** Not unhealthy, but worth saying: mixed versions, versions other than the inventory's. */
  notes: string[];
  unreachable: Array<{ host: string; error: string }>;
  /** A KRaft cluster (no ZooKeeper): the controller quorum; `kafka.brokers` then lists the broker-role nodes. */
  kraft?: KraftReport;
}

export interface KraftReport {
  /** The quorum's kind as it runs, from kraft.version (0 static, 1 dynamic); null when no node answered ApiVersions. */
  controllerQuorum: 'static' | 'dynamic' | null;
  kraftVersion: number | null;
  /** The active controller; null without a quorum (or when no controller answered). */
  leader: number | null;
  epoch: number | null;
  highWatermark: number | null;
  /** directoryId: a dynamic quorum's voter's metadata log directory (null in a static quorum). */
  voters: Array<{ id: number; directoryId: string | null; logEndOffset: number; lag: number | null; lastCaughtUpTimestamp: number; caughtUp: boolean }>;
  observers: Array<{ id: number; logEndOffset: number; lag: number | null }>;
  /** Every controller-role node as a process: its state and its place in the quorum. */
  controllers: Array<{ host: string; id: number; roles: string[]; state: string; pid: number | null; version: string | null; quorum: 'leader' | 'follower' | 'not a voter' | 'unknown'; lag: number | null; caughtUp: boolean }>;
  /** A leader and a majority of the voters caught up. */
  healthy: boolean;
}

export function statusReport(s: Session, state: ClusterState): StatusReport {
  const members = state.members.map((m) => ({
    host: m.member.host,
    id: m.member.id,
    state: m.reachable ? m.mode : 'unreachable',
    pid: m.pid ?? null,
    version: m.version ?? null,
  }));
  // A broker is healthy when it runs and is registered with the endpoint the inventory gives it.
  const kraftState = state.kraft;
  // KRaft: controller-only nodes are in the controller report, not among the brokers.
  const brokerStates = kraftState ? state.brokers.filter((b) => isBroker(b.broker)) : state.brokers;
  const brokerHealthy = brokerStates.map((b) => b.pid !== undefined && !!b.endpoints?.includes(kafka.endpoint(b.broker)));
  const health = state.partitions ? partitionHealth(state.partitions, new Set(state.brokers.filter((b) => b.registered).map((b) => b.broker.id))) : undefined;
  const brokers = brokerStates.map((b) => {
    const expected = kafka.endpoint(b.broker);
    return {
      host: b.broker.host,
      id: b.broker.id,
      state: !b.reachable ? 'unreachable' : b.pid !== undefined ? 'running' : 'down',
      registered: b.registered,
      endpoint: b.endpoints?.find((e) => e === expected) ?? b.endpoints?.[0] ?? null,
      pid: b.pid ?? null,
      version: b.version ?? null,
      home: b.runningHome ?? null,
      partitions: health ? (health.brokers.get(b.broker.id) ?? { leader: 0, underReplicated: 0, outOfSync: 0 }) : null,
    };
  });
  const partitions = health ? { total: health.total, underReplicated: health.underReplicated.map(partitionName), offline: health.offline.map(partitionName) } : null;
  const problems: string[] = [];
  const list = (ps: PartitionState[]) => ps.slice(0, 10).map(describePartition).join('; ') + (ps.length > 10 ? `; ... and ${ps.length - 10} more` : '');
  if (health?.offline.length) problems.push(`${health.offline.length} partition(s) offline: ${list(health.offline)}`);
  if (health?.underReplicated.length) problems.push(`${health.underReplicated.length} partition(s) under-replicated: ${list(health.underReplicated)}`);
  const quorum = state.members.length === 0 || hasQuorum(state);
  const kraft = kraftState ? kraftReport(state) : undefined;
  if (kraft && !kraft.healthy) problems.push(kraft.leader === null ? 'the KRaft controller quorum has no leader' : `only ${kraft.voters.filter((v) => v.caughtUp).length} of ${kraft.voters.length} KRaft voters caught up: no majority`);
  const healthy =
    quorum &&
    (!kraft || kraft.healthy) &&
    state.members.every((m) => SERVING.includes(m.mode)) &&
    brokerHealthy.every(Boolean) &&
    (brokers.length === 0 || state.controller !== null) &&
    problems.length === 0 &&
    s.unreachable.size === 0;
  const versions = { zookeeper: distinctVersions(members), kafka: distinctVersions(brokers), mixed: false };
  versions.mixed = versions.zookeeper.length > 1 || versions.kafka.length > 1;
  const notes = [...versionNotes('ZooKeeper', 'member', members, state.members[0]?.member.version), ...versionNotes('Kafka', 'broker', brokers, state.brokers[0]?.broker.version)];
  if (kraft?.controllerQuorum && kraft.controllerQuorum !== s.inv.controllerQuorum) {
    notes.push(`the KRaft quorum runs ${kraft.controllerQuorum} (kraft.version ${kraft.kraftVersion}); the inventory says kafka.controllerQuorum: ${s.inv.controllerQuorum}: up refuses to roll it`);
  }
  return {
    healthy,
    problems,
    versions,
    notes,
    zookeeper: { quorum, members },
    kafka: { controller: state.controller, brokers, partitions },
    unreachable: [...s.unreachable].map(([host, e]) => ({ host, error: e.message })),
    ...(kraft ? { kraft } : {}),
  };
}

const finite = (n: number) => (Number.isFinite(n) ? n : null);

export function kraftReport(state: ClusterState): KraftReport {
  const q = state.kraft?.quorum;
  const controllers = state.brokers
    .filter((b) => isController(b.broker))
    .map((b) => {
      const v = q?.voters.find((x) => x.id === b.broker.id);
      return {
        host: b.broker.host,
        id: b.broker.id,
        roles: b.broker.roles,
        state: !b.reachable ? 'unreachable' : b.pid !== undefined ? 'running' : 'down',
        pid: b.pid ?? null,
        version: b.version ?? null,
        quorum: !q ? ('unknown' as const) : q.leader === b.broker.id ? ('leader' as const) : v ? ('follower' as const) : ('not a voter' as const),
        lag: v ? finite(v.lag) : null,
        caughtUp: !!v?.caughtUp && b.pid !== undefined,
      };
    });
  const kraftVersion = state.kraft?.kraftVersion ?? null;
  return {
    controllerQuorum: kraftVersion === null ? null : quorumKindOf(kraftVersion),
    kraftVersion,
    leader: q?.leader ?? null,
    epoch: q ? q.epoch : null,
    highWatermark: q ? q.highWatermark : null,
    voters: (q?.voters ?? []).map((v) => ({ id: v.id, directoryId: v.directoryId ?? null, logEndOffset: v.logEndOffset, lag: finite(v.lag), lastCaughtUpTimestamp: v.lastCaughtUpTimestamp, caughtUp: v.caughtUp })),
    observers: (q?.observers ?? []).map((o) => ({ id: o.id, logEndOffset: o.logEndOffset, lag: o.lag < 0 ? null : o.lag })),
    controllers,
    healthy: quorumHealthy(q, controllers.length),
  };
}

function distinctVersions(xs: Array<{ version: string | null }>): string[] {
  return [...new Set(xs.map((x) => x.version).filter((v): v is string => !!v))].sort(compareVersions);
}

/** `mixed Kafka versions: 2.4.1 (brokers 0,1), 3.9.1 (broker 2)`; `ZooKeeper runs 3.8.0, the inventory says 3.9.4`. */
function versionNotes(service: string, what: string, xs: Array<{ id: number; version: string | null }>, wanted: string | undefined): string[] {
  const vs = distinctVersions(xs);
  const notes: string[] = [];
  if (vs.length > 1) {
    notes.push(`mixed ${service} versions: ${vs.map((v) => { const ids = xs.filter((x) => x.version === v).map((x) => x.id); return `${v} (${what}${ids.length > 1 ? 's' : ''} ${ids.join(',')})`; }).join(', ')}`);
  }
  const off = vs.filter((v) => v !== wanted);
  if (wanted && off.length) notes.push(`${service} runs ${vs.join(', ')}; the inventory says ${wanted}: run zkafka plan`);
  return notes;
}

export async function statusCommand(inv: Inventory, out: Output): Promise<number> {
  return withSession(inv, out, async (s) => {
    const state = await readClusterState(s, inv, { partitions: true });
    const report = statusReport(s, state);
    out.result({ ...report, stats: s.stats() });
    const c = out.color;
    const paint = (st: string) =>
      ['leader', 'follower', 'standalone', 'observer', 'running'].includes(st) ? c.green(st) : st === 'not serving' ? c.yellow(st) : c.red(st);
    const rows = [
      ...report.zookeeper.members.map((m) => [m.host, 'zookeeper', `myid ${m.id}`, paint(m.state), m.pid, m.version ?? '', '']),
      ...report.kafka.brokers.map((b) => [
        b.host,
        'kafka',
        `broker ${b.id}`,
        paint(b.state),
        b.pid,
        b.version ?? '',
        `${b.registered ? `registered ${b.endpoint ?? ''}` : state.registryKnown ? c.red('not registered') : 'registry unknown'}${report.kafka.controller === b.id ? ' (controller)' : ''}` +
          (b.partitions ? `, leads ${b.partitions.leader}${b.partitions.underReplicated ? c.red(` (${b.partitions.underReplicated} under-replicated)`) : ''}${b.partitions.outOfSync ? c.yellow(`, out of sync on ${b.partitions.outOfSync}`) : ''}` : ''),
      ]),
    ];
    if (report.kraft) {
      const k = report.kraft;
      rows.push(
        ...k.controllers.map((x) => [
          x.host,
          'kafka',
          `controller ${x.id}`,
          paint(x.state),
          x.pid,
          x.version ?? '',
          x.quorum === 'leader'
            ? c.green(`voter, leader (epoch ${k.epoch})${k.controllerQuorum ? `, ${k.controllerQuorum} quorum` : ''}`)
            : x.quorum === 'follower'
              ? `voter, follower, lag ${x.lag ?? 'unknown'}${x.caughtUp ? '' : c.red(' (not caught up)')}`
              : x.quorum === 'unknown' ? c.red('quorum unknown') : c.red('not a voter'),
        ]),
      );
    }
    rows.sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    out.table(['HOST', 'SERVICE', 'ID', 'STATE', 'PID', 'VERSION', 'DETAIL'], rows);
    for (const u of report.unreachable) out.print(c.red(`unreachable: ${u.error}`));
    for (const p of report.problems) out.print(c.red(p));
    for (const n of report.notes) out.print(c.yellow(n));
    const serving = report.zookeeper.members.filter((m) => SERVING.includes(m.state as never)).length;
    const registered = report.kafka.brokers.filter((b) => b.registered).length;
    const parts = report.kafka.partitions ? `, partitions ${report.kafka.partitions.total} (${report.kafka.partitions.offline.length} offline, ${report.kafka.partitions.underReplicated.length} under-replicated)` : '';
    const verdict = report.healthy ? c.green('healthy') : c.red('not healthy');
    if (report.kraft) {
      const k = report.kraft;
      out.print(
        `KRaft ${k.controllerQuorum ? `${k.controllerQuorum} ` : ''}quorum ${k.leader === null ? c.red('no leader') : `leader ${k.leader} (epoch ${k.epoch}, high watermark ${k.highWatermark})`}, voters ${k.voters.filter((v) => v.caughtUp).length}/${k.controllers.length} caught up, ` +
          `brokers ${registered}/${report.kafka.brokers.length} registered${parts}: ${verdict}`,
      );
      return report.healthy ? ExitCode.ok : ExitCode.failed;
    }
    out.print(
      `quorum ${serving}/${report.zookeeper.members.length}${report.zookeeper.quorum ? '' : c.red(' (no quorum)')}, ` +
        `brokers ${registered}/${report.kafka.brokers.length} registered, controller ${report.kafka.controller ?? 'none'}` +
        (report.kafka.partitions ? `, partitions ${report.kafka.partitions.total} (${report.kafka.partitions.offline.length} offline, ${report.kafka.partitions.underReplicated.length} under-replicated)` : '') +
        ': ' +
        (report.healthy ? c.green('healthy') : c.red('not healthy')),
    );
    return report.healthy ? ExitCode.ok : ExitCode.failed;
  });
}
