// Which versions run, and which version changes Kafka and ZooKeeper support: pure rules, from the
// releases' upgrade notes, so that a forbidden change is refused before anything on a host changes.
import { dirname } from 'node:path';

/** `2.4.1` → [2, 4, 1]. */
export function versionParts(v: string): number[] {
  return v.split('.').map((x) => Number.parseInt(x, 10) || 0);
}

export function compareVersions(a: string, b: string): number {
  const x = versionParts(a);
  const y = versionParts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d) return Math.sign(d);
  }
  return 0;
}

/** `2.4.1` → `2.4`: the form of inter.broker.protocol.version and log.message.format.version. */
export const minorLine = (v: string) => versionParts(v).slice(0, 2).join('.');

export const oldest = (vs: string[]) => [...vs].sort(compareVersions)[0];

/**
 * The Kafka version of a running broker, from its class path (`libs/kafka_2.11-2.4.1.jar`, as the
 * release's kafka-run-class.sh lists every jar); undefined for a `libs/*` class path.
 */
export function kafkaVersionFromArgs(args: string): string | undefined {
  return /\/kafka_\d+\.\d+-(\d+\.\d+\.\d+)\.jar(?:[:\s]|$)/.exec(args)?.[1];
}

/** The names probed in a Kafka home's libs/ (KAFKA_JARS) → the version of its core jar, `kafka_2.13-3.9.1.jar`. */
export const KAFKA_JARS = 'kafka_*.jar';
export function kafkaVersionFromJars(names: string[]): string | undefined {
  for (const n of names) {
    const m = /^kafka_\d+\.\d+-(\d+\.\d+\.\d+)\.jar$/.exec(n);
    if (m) return m[1];
  }
  return undefined;
}

/** The config file a service process was started with: the word after its main class. */
export function configFromArgs(args: string, mainClass: string): string | undefined {
  const words = args.split(/\s+/);
  const i = words.indexOf(mainClass);
  return i >= 0 ? words[i + 1] : undefined;
}

/**
 * The home a process runs from when its config is another zkafka home's, a sibling of the inventory's
 * (`/home/software/kafka_2.11-2.4.1` beside `/home/software/kafka_2.13-3.9.1`), else undefined: a
 * process started from somewhere else is an operator's, never zkafka's to stop.
 */
export function siblingHome(config: string | undefined, home: string, configInHome: string): string | undefined {
  if (!config || !config.endsWith(`/${configInHome}`)) return undefined;
  const other = config.slice(0, -configInHome.length - 1);
  return other !== home && dirname(other) === dirname(home) && /^\/[^\s]*$/.test(other) ? other : undefined;
}

/**
 * Why Kafka cannot go from `from` to `to` in one rolling upgrade, or undefined when it can.
 * Kafka 3.9's notes: ZooKeeper-mode clusters upgrade to 3.9 from any 0.8.x-3.8.x. Kafka 4.0's: 4.x runs
 * only in KRaft mode, reached from 3.3.x-3.9.x; a ZooKeeper-mode cluster migrates to KRaft on 3.9 first.
 */
export function kafkaUpgradeProblem(from: string, to: string, mode: 'zookeeper' | 'kraft'): string | undefined {
  if (compareVersions(to, from) <= 0) return undefined;
  const major = versionParts(to)[0]!;
  if (major >= 4 && mode === 'zookeeper') return `Kafka ${to} has no ZooKeeper mode: upgrade to 3.9.x, migrate to KRaft, then upgrade to ${to}`;
  if (major >= 4 && compareVersions(from, '3.3.0') < 0) return `Kafka ${to} upgrades only from 3.3.x-3.9.x: upgrade ${from} to 3.9.x first`;
  if (compareVersions(from, '0.8.0') < 0) return `Kafka ${to} does not upgrade from ${from} (0.8.x is the oldest release a rolling upgrade starts from)`;
  return undefined;
}

/**
 * Why ZooKeeper cannot go from `from` (running) to `to`, or undefined. A patch release of the same line
 * reads the line's data; an older line is not promised to read what a newer one wrote (3.5 added dynamic
 * reconfiguration to the config, 3.6 digests to snapshots), so going back across lines is refused.
 * 3.4 → 3.5+ needs 3.5's own upgrade steps (a snapshot present, or snapshot.trust.empty).
 */
export function zookeeperUpgradeProblem(from: string, to: string): string | undefined {
  const c = compareVersions(to, from);
  if (c < 0 && minorLine(to) !== minorLine(from)) {
    return `ZooKeeper ${to} is older than the ${minorLine(from)} line that runs (${from}) and wrote the data: an older line may not read it; stay on ${minorLine(from)}.x`;
  }
  if (c > 0 && compareVersions(from, '3.5.0') < 0 && compareVersions(to, '3.5.0') >= 0) {
    return `ZooKeeper ${from} → ${to}: the upgrade from 3.4 needs 3.5's own steps (snapshot.trust.empty); zkafka starts from 3.5 or later`;
  }
  return undefined;
}
