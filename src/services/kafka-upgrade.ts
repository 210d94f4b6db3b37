// Kafka's documented two-phase rolling upgrade (ZooKeeper mode), as a pure reading of the hosts: first
// every broker rolls onto the new binaries with inter.broker.protocol.version (and, below 3.0,
// log.message.format.version) pinned to the old line; once every broker runs the new version, a second
// roll lifts the pin. Which phase the cluster is in comes only from what runs (versions, the protocol
// of the config each broker runs with) and what is rendered on the hosts (a pin an earlier run wrote),
// so a lost control machine takes no state with it and an interrupted run continues.
import { compareVersions, kafkaUpgradeProblem, minorLine, oldest } from './versions.js';

export const IBP = 'inter.broker.protocol.version';
export const LMF = 'log.message.format.version';
export const PROTOCOL_KEYS = [IBP, LMF] as const;

export interface BrokerVersionFacts {
  id: number;
  running: boolean;
  /** The version it runs. */
  version?: string;
  /** inter.broker.protocol.version of the config it runs with (unset: its version's own). */
  ibp?: string;
  /** inter.broker.protocol.version in the inventory home's server.properties on the host, if written. */
  renderedIbp?: string;
}

export interface ProtocolPin {
  ibp: string;
  /** Pinned too when the old line is below 3.0 (3.0 ignores it once the protocol is 3.0 or newer). */
  lmf?: string;
}

export type KafkaPhase =
  /** Nothing to change about versions. */
  | { kind: 'steady' }
  /** Phase 1: brokers roll onto `to`'s binaries, the protocol pinned to `from`'s line. */
  | { kind: 'binaries'; from: string; to: string; pin: ProtocolPin }
  /** Phase 2: every broker runs `to`; a roll lifts the pin. */
  | { kind: 'protocol'; to: string; pin: ProtocolPin }
  /** Back onto the older `to` (the pin still holds, so Kafka allows it). */
  | { kind: 'rollback'; from: string; to: string }
  /** KRaft, once every node runs `to`: finalize metadata.version at the level all of them support. */
  | { kind: 'finalize'; to: string; from: number; level: number };

/** metadata.version as the nodes answer ApiVersions: the finalized level, and per running version the highest it supports. */
export interface MetadataVersion {
  finalized: number;
  supported: Map<string, number>;
}

const pinOf = (line: string): ProtocolPin => (compareVersions(line, '3.0') < 0 ? { ibp: line, lmf: line } : { ibp: line });
/** A broker's protocol in effect: its pin, or its own version's line. */
const protocolOf = (b: BrokerVersionFacts) => b.ibp ?? minorLine(b.version!);

/**
 * Where a change to `target` stands. `operatorPinned`: the inventory sets inter.broker.protocol.version
 * itself, so zkafka leaves the protocol to the operator and only rolls binaries.
 */
export function kafkaPhase(target: string, brokers: BrokerVersionFacts[], mode: 'zookeeper' | 'kraft', operatorPinned: boolean, metadata?: MetadataVersion): { phase: KafkaPhase; problems: string[] } {
  if (mode === 'kraft') return kraftPhase(target, brokers, metadata);
  const running = brokers.filter((b) => b.running && b.version);
  const newer = running.filter((b) => compareVersions(b.version!, target) > 0);
  const older = running.filter((b) => compareVersions(b.version!, target) < 0);
  const problems: string[] = [];
  if (newer.length) {
    for (const b of newer) {
      if (compareVersions(protocolOf(b), minorLine(target)) > 0) {
        problems.push(
          `broker ${b.id} runs Kafka ${b.version} with ${IBP}=${protocolOf(b)}${b.ibp ? '' : ' (its default)'}: the protocol was lifted past ${minorLine(target)}, so Kafka cannot go back to ${target}; keep version ${b.version}`,
        );
      }
    }
    const from = [...newer].map((b) => b.version!).sort(compareVersions).at(-1)!;
    return { phase: problems.length ? { kind: 'steady' } : { kind: 'rollback', from, to: target }, problems };
  }
  if (older.length) {
    const from = oldest(older.map((b) => b.version!))!;
    const problem = kafkaUpgradeProblem(from, target, mode);
    if (problem) return { phase: { kind: 'steady' }, problems: [problem] };
    if (operatorPinned) return { phase: { kind: 'binaries', from, to: target, pin: { ibp: '' } }, problems };
    return { phase: { kind: 'binaries', from, to: target, pin: pinOf(oldest(running.map(protocolOf))!) }, problems };
  }
  if (operatorPinned) return { phase: { kind: 'steady' }, problems };
  // Every running broker is on the target. A pin below the target's line, in effect or written by an
  // earlier run, means phase 1 has been under way: finish it (brokers not running start pinned), then lift.
  const pins = [...running.map((b) => b.ibp), ...brokers.map((b) => b.renderedIbp)].filter((x): x is string => !!x && compareVersions(x, minorLine(target)) < 0);
  if (!pins.length) return { phase: { kind: 'steady' }, problems };
  const pin = pinOf(oldest(pins)!);
  if (brokers.every((b) => b.running && b.version)) return { phase: { kind: 'protocol', to: target, pin }, problems };
  return { phase: { kind: 'binaries', from: pin.ibp, to: target, pin }, problems };
}

/** The settings the phase adds to every broker's server.properties (null: none). */
export function pinSettings(phase: KafkaPhase): Record<string, string> | undefined {
  if (phase.kind !== 'binaries' || !phase.pin.ibp) return undefined;
  return { [IBP]: phase.pin.ibp, ...(phase.pin.lmf ? { [LMF]: phase.pin.lmf } : {}) };
}

/**
 * A KRaft version change: the nodes roll onto the new binaries (no protocol pin: the finalized
 * metadata.version keeps the cluster on the old format), then metadata.version is finalized at the
 * level every node supports, last. Going back is possible until that finalization.
 */
export function kraftPhase(target: string, nodes: BrokerVersionFacts[], metadata?: MetadataVersion): { phase: KafkaPhase; problems: string[] } {
  const running = nodes.filter((b) => b.running && b.version);
  const newer = running.filter((b) => compareVersions(b.version!, target) > 0);
  const older = running.filter((b) => compareVersions(b.version!, target) < 0);
  if (newer.length) {
    const from = newer.map((b) => b.version!).sort(compareVersions).at(-1)!;
    // The older release must read what is finalized: known when a node still runs it, else the newer
    // release's own level counts as finalized past it.
    const limit = metadata?.supported.get(target) ?? (metadata ? Math.min(...newer.map((b) => metadata.supported.get(b.version!) ?? Infinity)) - 1 : Infinity);
    if (metadata && metadata.finalized > limit) {
      return { phase: { kind: 'steady' }, problems: [`metadata.version ${metadata.finalized} was finalized on Kafka ${from}: Kafka cannot go back to ${target}; keep version ${from}`] };
    }
    return { phase: { kind: 'rollback', from, to: target }, problems: [] };
  }
  if (older.length) {
    const from = oldest(older.map((b) => b.version!))!;
    const problem = kafkaUpgradeProblem(from, target, 'kraft');
    if (problem) return { phase: { kind: 'steady' }, problems: [problem] };
    return { phase: { kind: 'binaries', from, to: target, pin: { ibp: '' } }, problems: [] };
  }
  const level = metadata?.supported.get(target);
  if (metadata && level !== undefined && nodes.every((b) => b.running) && metadata.finalized < level) {
    return { phase: { kind: 'finalize', to: target, from: metadata.finalized, level }, problems: [] };
  }
  return { phase: { kind: 'steady' }, problems: [] };
}
