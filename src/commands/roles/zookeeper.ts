// The ZooKeeper member role: started in myid order, rolled followers first and the leader last, each
// member back in the ensemble before the next goes.
import type { Inventory, ZookeeperMember } from '../../inventory/model.js';
import type { Output } from '../../ui/output.js';
import { zookeeper } from '../../services/zookeeper.js';
import { terminate } from '../../services/remote.js';
import { guardStop } from '../roll-guard.js';
import type { Session } from '../session.js';
import { memberSrvr, SERVING, servicePid, type ClusterState } from '../state.js';
import { waitFor } from '../wait.js';
import { failWithLog, SERVICE_TIMEOUT_MS, type Role, type RunContext } from './role.js';

const zkLog = (m: ZookeeperMember) => ({ dir: m.logDir, patterns: ['*.out', '*.log'] });

export async function stopMember(s: Session, inv: Inventory, m: ZookeeperMember, pid: number): Promise<void> {
  await s.exec(m.host, terminate(pid));
  const gone = await waitFor(async () => ((await servicePid(s, inv, m.host, 'zookeeper')) === undefined ? true : undefined), { timeoutMs: SERVICE_TIMEOUT_MS });
  if (!gone.ok) await failWithLog(s, m.host, `stopping ZooKeeper member ${m.id}`, `process ${pid} to exit`, 'it still running', zkLog(m));
}

async function startMember(s: Session, inv: Inventory, m: ZookeeperMember): Promise<number> {
  const host = inv.hosts.find((h) => h.name === m.host)!;
  const r = await s.exec(m.host, zookeeper.start(m, host.javaHome));
  const pid = await waitFor(() => servicePid(s, inv, m.host, 'zookeeper'), { timeoutMs: r.code === 0 ? 15_000 : 0 });
  if (!pid.ok) {
    await failWithLog(s, m.host, `starting ZooKeeper member ${m.id}`, 'a running QuorumPeerMain process', `zkServer.sh exit ${r.code}: ${(r.stdout + r.stderr).trim().split('\n').slice(-2).join(' / ') || 'no output'} and no process`, zkLog(m), true);
  }
  return (pid as { value: number }).value;
}

/** Waits until `members` (all running) include a leader and every one of them serves. */
async function waitForEnsemble(s: Session, inv: Inventory, members: ZookeeperMember[], last: ZookeeperMember, what: 'leader' | 'all'): Promise<void> {
  let modes: string[] = [];
  const result = await waitFor(
    async () => {
      const seen = await Promise.all(members.map(async (m) => ({ m, ...(await memberSrvr(s, m)) })));
      modes = seen.map((x) => `member ${x.m.id} ${x.mode}${x.zxid ? ` (zxid ${x.zxid})` : ''}`);
      const dead = await Promise.all(seen.filter((x) => x.mode === 'not serving').map(async (x) => ((await servicePid(s, inv, x.m.host, 'zookeeper')) === undefined ? x.m : undefined)));
      const died = dead.find((d) => d);
      if (died) await failWithLog(s, died.host, `ZooKeeper member ${died.id}`, 'its process to stay up', 'it exited', zkLog(died));
      const hasLeader = seen.some((x) => x.mode === 'leader' || x.mode === 'standalone');
      if (what === 'leader') return hasLeader ? true : undefined;
      // Serving is the test; the zxids are only shown. A follower that synced with no transaction since
      // reports 0x0 (seen on 3.8.0), so srvr's zxid cannot tell whether it is on the leader's epoch.
      return hasLeader && seen.every((x) => SERVING.includes(x.mode)) ? true : undefined;
    },
    { timeoutMs: SERVICE_TIMEOUT_MS },
  );
  if (!result.ok) {
    await failWithLog(s, last.host, what === 'leader' ? 'electing a ZooKeeper leader' : 'forming the ZooKeeper ensemble', what === 'leader' ? 'one leader among the started members' : 'every member leader or follower', modes.join(', ') || 'no answer', zkLog(last));
  }
}

export const zookeeperRole: Role<ZookeeperMember> = {
  service: 'zookeeper',
  steps: (plan) => plan.zookeeper,
  nodes: (inv) => inv.members,
  label: (m) => `ZooKeeper member ${m.id}`,
  title: (m) => `ZooKeeper member ${m.id}`,
  pid: (state, m) => state.members.find((x) => x.member.id === m.id)?.pid,
  last: (state: ClusterState) => state.members.find((m) => m.mode === 'leader')?.member.id,
  lastIs: 'leader',
  consoleLog: (m) => ({ dir: m.logDir, patterns: ['*.out'] }),

  open(s: Session, inv: Inventory, state: ClusterState, out: Output, _opts, ctx: RunContext) {
    const running = new Set(state.members.filter((m) => m.pid !== undefined).map((m) => m.member.id));
    const majority = Math.floor(inv.members.length / 2) + 1;
    return {
      // Never a second member down: every other one must serve before this one stops.
      beforeStop: (m) => guardStop(s, inv, out, { service: 'zookeeper', id: m.id, host: m.host, label: zookeeperRole.label(m) }, undefined, SERVICE_TIMEOUT_MS),
      stop: (m, pid) => stopMember(s, inv, m, pid),
      start: async (m) => {
        await startMember(s, inv, m);
      },
      afterStart: async (m, step) => {
        running.add(m.id);
        const started = inv.members.filter((x) => running.has(x.id));
        // A restarted member must be back (leader or follower) before the next one goes. So must a member
        // started beside an ensemble that already had its majority (one that was down, or one joining):
        // were the roll to go on while it still looks for a leader, it and the next restarted member would
        // vote for each other, two against two in a grown ensemble, and no leader would ever win.
        if (step.action === 'restart' || started.length > majority) await waitForEnsemble(s, inv, started, m, 'all');
        else if (started.length === majority) await waitForEnsemble(s, inv, started, m, 'leader');
      },
      settle: async (steps) => {
        // With nothing started, the state read moments ago already answers the final check. Members left
        // out of the run count as down: the others must serve (a serving member is part of a quorum).
        const mine = inv.members.filter((m) => ctx.scope.hosts.has(m.host));
        const mineState = state.members.filter((m) => ctx.scope.hosts.has(m.member.host));
        const healthy = !steps.length && mineState.every((m) => SERVING.includes(m.mode)) && state.members.some((m) => m.mode === 'leader' || m.mode === 'standalone');
        if (mine.length && !healthy) {
          const title = mine.length === inv.members.length ? `ZooKeeper ensemble of ${inv.members.length}: every member leader or follower` : `ZooKeeper: ${mine.length} of ${inv.members.length} member(s) leader or follower (${inv.members.length - mine.length} left out)`;
          await out.step(title, () => waitForEnsemble(s, inv, mine, mine.at(-1)!, 'all'));
        }
      },
      close: async () => {},
    };
  },
};
