// How a plan is shown: per host, the files to create or change (with a unified diff for `plan`),
// the services to install, start or restart, and why.
import { createTwoFilesPatch } from 'diff';
import { redactSetting } from '../transport/command.js';
import type { Output } from '../ui/output.js';
import type { FormatStep, Plan } from './plan.js';
import { initialControllersArg } from '../services/kafka.js';

export function planJson(plan: Plan, before?: Map<string, string | null>): Record<string, unknown> {
  return {
    ...(plan.phase ? { phase: plan.phase } : {}),
    ...(plan.migration ? { migration: plan.migration } : {}),
    changes: plan.installs.length + plan.files.length + (plan.formats?.length ?? 0) + (plan.finalize ? 1 : 0) + (plan.deprovision ? 1 : 0) + plan.zookeeper.length + plan.kafka.length,
    ...(plan.deprovision ? { deprovision: { controllers: plan.deprovision.controllers, znodes: ['/controller', '/migration'] } } : {}),
    ...(plan.finalize ? { finalize: { host: plan.finalize.host, controller: plan.finalize.id, feature: 'metadata.version', from: plan.finalize.from, level: plan.finalize.level ?? null } } : {}),
    installs: plan.installs.map((i) => ({ host: i.host, service: i.service, home: i.home, source: i.source ?? null })),
    files: plan.files.map((f) => ({
      host: f.host,
      service: f.service,
      path: f.path,
      action: f.action,
      ...(before ? { diff: unifiedDiff(f.path, before.get(`${f.host}:${f.path}`) ?? null, f.content) } : {}),
    })),
    ...(plan.formats?.length
      ? { formats: plan.formats.map((f) => ({ host: f.host, id: f.id, dirs: f.dirs, clusterId: f.clusterId, clusterIdSource: f.clusterIdSource, ...(f.initialControllers ? { initialControllers: isVoter(f) ? initialControllersArg(f.initialControllers) : null } : {}) })) }
      : {}),
    services: [...plan.zookeeper, ...plan.kafka].map((x) => ({ host: x.host, service: x.service, id: x.id, action: x.action, reason: x.reason, ...(x.moveAside ? { moveAside: x.moveAside } : {}) })),
    unchanged: plan.unchanged,
    ...(plan.next ? { next: planJson(plan.next) } : {}),
  };
}

/** A format step of a dynamic quorum's controller (every controller is an initial voter; brokers get --no-initial-controllers). */
const isVoter = (f: FormatStep) => !!f.initialControllers?.some((v) => v.id === f.id);

/** A unified diff; values of secret-looking settings (passwords, JAAS configs) show as ***. */
export function unifiedDiff(path: string, before: string | null, after: string): string {
  return createTwoFilesPatch(before === null ? '/dev/null' : `a${path}`, `b${path}`, before ?? '', after, undefined, undefined, { context: 3 })
    .split('\n')
    .filter((l) => !l.startsWith('====='))
    .map((l) => (l.startsWith('---') || l.startsWith('+++') || l.startsWith('@@') ? l : redactSetting(l)))
    .join('\n');
}

export function printPlan(plan: Plan, out: Output, opts: { diffs: boolean; before?: Map<string, string | null>; toStdout?: boolean }): void {
  const c = out.color;
  // `plan` prints the plan as its result (stdout); `up` shows it as progress (stderr).
  const say = (text: string) => (opts.toStdout ? out.print(text) : out.info(text));
  const gone = plan.deprovision?.controllers ?? [];
  const hosts = [...new Set([...gone, ...plan.installs, ...plan.files, ...(plan.formats ?? []), ...plan.zookeeper, ...plan.kafka, ...(plan.finalize ? [plan.finalize] : [])].map((x) => x.host))];
  if (plan.phase) say(c.bold(plan.phase));
  if (plan.deprovision) say('  first the controllers are deprovisioned, then ZooKeeper\'s /controller (the KRaft controller\'s claim) and /migration are deleted, so that a broker becomes the ZooKeeper-mode controller');
  if (!hosts.length && !plan.next) {
    say('plan: nothing to do; every file matches the inventory and every service is running');
    return;
  }
  for (const h of hosts) {
    say(c.bold(`${h}:`));
    for (const d of gone.filter((x) => x.host === h)) {
      say(`  ${c.red('deprovision')}  controller ${d.id}: ${d.running ? 'stop, ' : ''}${d.moves.length ? `storage moved aside (${d.moves.map((m) => `${m.from} → ${m.to}`).join(', ')})` : 'no storage left'}`);
    }
    for (const i of plan.installs.filter((x) => x.host === h)) say(`  ${c.green('install')}  ${i.service} into ${i.home}${i.source ? ` from ${i.source}` : ''}`);
    for (const f of plan.files.filter((x) => x.host === h)) {
      say(`  ${f.action === 'create' ? c.green('create ') : c.yellow('update ')}  ${f.path}`);
      if (opts.diffs && opts.before) {
        for (const line of unifiedDiff(f.path, opts.before.get(`${f.host}:${f.path}`) ?? null, f.content).split('\n')) {
          if (!line) continue;
          say(`      ${line.startsWith('+') ? c.green(line) : line.startsWith('-') ? c.red(line) : line}`);
        }
      }
    }
    for (const f of (plan.formats ?? []).filter((x) => x.host === h)) {
      const quorum = f.initialControllers ? (isVoter(f) ? `; dynamic quorum, initial voters ${f.initialControllers.map((v) => v.id).join(',')}` : '; dynamic quorum, --no-initial-controllers') : '';
      say(`  ${c.green('format ')}  kafka ${f.id} storage ${f.dirs.join(',')} (cluster id ${f.clusterId}, ${f.clusterIdSource === 'new' ? 'generated' : f.clusterIdSource === 'hosts' ? "the other nodes'" : 'from the inventory'}${quorum})`);
    }
    for (const x of [...plan.zookeeper, ...plan.kafka].filter((y) => y.host === h)) {
      say(`  ${x.action === 'start' ? c.green('start  ') : c.yellow('restart')}  ${x.service} ${x.id} (${x.reason})`);
    }
    const fin = plan.finalize;
    if (fin?.host === h) say(`  ${c.yellow('finalize')} metadata.version ${fin.level === undefined ? `at the level ${fin.version} supports` : `${fin.from} → ${fin.level}`} (kafka-features.sh upgrade through controller ${fin.id})`);
  }
  // The next phase's files are shown without diffs: their content before is this phase's outcome.
  if (plan.next) {
    say('then:');
    printPlan(plan.next, out, { ...opts, diffs: false });
  }
}
