// Preflight: every host checked in parallel before anything changes; all problems reported together.
import { existsSync } from 'node:fs';
import type { Inventory } from '../inventory/model.js';
import { UserError, ExitCode } from '../errors.js';
import { execa } from 'execa';
import { isUrl, sourceProblems } from './sources.js';
import { PROMETHEUS_JAR, zookeeper } from '../services/zookeeper.js';
import { kafka } from '../services/kafka.js';
import { pidOf, type ClusterState } from './state.js';
import type { Plan } from './plan.js';
import type { Session } from './session.js';
import type { Scope } from './scope.js';

/** The oldest Java ZooKeeper 3.5+ and ZooKeeper-mode Kafka (2.x, 3.x) run on. */
export const MINIMUM_JAVA = 8;

/** Whether a local distribution tarball holds a file matching `glob` (listed once per run). */
const tarballListings = new Map<string, Promise<string[]>>();
async function tarballHas(tgz: string, glob: string): Promise<boolean> {
  let listing = tarballListings.get(tgz);
  if (!listing) {
    listing = execa('tar', ['-tzf', tgz], { reject: false }).then((r) => String(r.stdout).split('\n'));
    tarballListings.set(tgz, listing);
  }
  const re = new RegExp(`/lib/${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
  return (await listing).some((entry) => re.test(entry));
}

/**
 * zoo.cfg names the Prometheus provider only when metrics are enabled; without its jar ZooKeeper exits at
 * once ("Invalid config"). Checked on installed members, and in the tarball for members about to be installed.
 */
export async function metricsJarProblems(inv: Inventory, state: ClusterState, plan: Plan): Promise<string[]> {
  const problems: string[] = [];
  for (const m of inv.members) {
    if (!m.metrics.enabled) continue;
    const install = plan.installs.find((i) => i.host === m.host && i.service === 'zookeeper');
    const has = install
      ? install.source && !isUrl(install.source) && existsSync(install.source)
        ? await tarballHas(install.source, PROMETHEUS_JAR)
        : true
      : state.facts.get(m.host)?.globs.get(`${m.home}/lib ${PROMETHEUS_JAR}`) ?? true;
    if (!has) {
      problems.push(
        `${m.host}: zookeeper.metrics.enabled is true but ${install ? install.source : `${m.home}/lib`} has no ${PROMETHEUS_JAR}: ` +
          'ZooKeeper would not start; use the Apache binary tarball, or set zookeeper.metrics.enabled: false',
      );
    }
  }
  return problems;
}

export function preflightProblems(s: Session, inv: Inventory, state: ClusterState, plan: Plan, scope?: Scope): string[] {
  const problems: string[] = [...state.versionProblems];
  // Hosts left out of the run (--hosts, --skip-unreachable) are not checked: nothing on them is touched.
  const inScope = (host: string) => !scope || scope.hosts.has(host);
  for (const [h, e] of s.unreachable) if (inScope(h)) problems.push(e.message);
  for (const r of state.kraft?.storage?.refused ?? []) if (inScope(r.host)) problems.push(r.problem);
  for (const host of inv.hosts.filter((h) => inScope(h.name))) {
    const facts = state.facts.get(host.name);
    if (!facts) continue;
    if (host.zookeeper || host.kafka) {
      if (!facts.java?.path) {
        problems.push(`${host.name}: no Java found (${host.javaHome ? `${host.javaHome}/bin/java is missing` : 'no java on PATH; install a JDK or set java.home'})`);
      } else if (facts.java.major === undefined) {
        problems.push(`${host.name}: cannot tell the version of ${facts.java.path} (it printed: ${facts.java.versionLine ?? 'nothing'})`);
      } else if (facts.java.major < MINIMUM_JAVA) {
        problems.push(`${host.name}: ${facts.java.path} is Java ${facts.java.major}; these services need Java ${MINIMUM_JAVA} or newer`);
      }
    }
    for (const [dir, blocker] of facts.dirs) {
      if (blocker !== null) problems.push(`${host.name}: cannot create ${dir}: ${blocker} is not a writable directory`);
    }
    const owned: Array<{ port: number; what: string; pid?: number }> = [];
    if (host.zookeeper) for (const p of zookeeper.ports(host.zookeeper)) owned.push({ ...p, what: `ZooKeeper ${p.what}`, pid: pidOf(facts, 'zookeeper') });
    if (host.kafka) for (const p of kafka.ports(host.kafka)) owned.push({ ...p, what: `Kafka ${p.what}`, pid: pidOf(facts, 'kafka') });
    for (const o of owned) {
      const holders = (facts.listeners ?? []).filter((l) => l.port === o.port && (l.address === '*' || l.address === '0.0.0.0' || l.address === '::' || l.address === host.address || l.address.startsWith('127.')));
      const foreign = holders.find((l) => l.pid === undefined ? o.pid === undefined : l.pid !== o.pid);
      if (foreign) {
        problems.push(`${host.name}: port ${o.port} (${o.what}) is already taken by ${foreign.process ? `${foreign.process} (pid ${foreign.pid})` : 'another process'} listening on ${foreign.address}`);
      }
    }
  }
  for (const bs of state.brokers) {
    const b = bs.broker;
    if (bs.pid !== undefined || !inScope(b.host)) continue;
    const facts = state.facts.get(b.host);
    for (const d of b.logDirs) {
      const stored = facts?.props.get(`${d}/meta.properties broker.id`);
      if (stored !== undefined && stored !== '' && stored !== String(b.id)) {
        problems.push(`${b.host}: ${d}/meta.properties holds broker.id=${stored} but the inventory gives broker ${b.id}: Kafka would refuse to start; fix the id, or move that log directory away`);
      }
    }
    const theirs = bs.endpoints;
    if (theirs && !theirs.includes(kafka.endpoint(b))) {
      problems.push(`${b.host}: broker id ${b.id} is already registered in ZooKeeper by ${theirs.join(',') || 'another broker'}: a second broker with that id would fail`);
    }
  }
  for (const i of plan.installs) {
    if (state.facts.get(i.host)?.contents.get(i.home) === 'full') {
      problems.push(`${i.host}: ${i.home} exists but holds no ${i.service} installation (no start script); move it away or set ${i.service}.home`);
    }
    if (!i.source) problems.push(`${i.host}: ${i.service} is not installed in ${i.home} and the inventory gives no ${i.service}.source tarball`);
    else if (!isUrl(i.source) && !existsSync(i.source)) problems.push(`${i.host}: ${i.service}.source ${i.source} does not exist on this machine`);
  }
  return [...new Set(problems)];
}

/** Everything preflight checks, for `up` (which stops on any) and `plan` (which lists them). */
export async function allPreflightProblems(s: Session, inv: Inventory, state: ClusterState, plan: Plan, scope?: Scope): Promise<string[]> {
  return [...preflightProblems(s, inv, state, plan, scope), ...(await metricsJarProblems(inv, state, plan)), ...(await sourceProblems(plan))];
}

export function assertPreflight(problems: string[]): void {
  if (problems.length) {
    throw new UserError(`preflight failed: ${problems.length} problem(s); nothing was changed`, ExitCode.failed, problems);
  }
}
