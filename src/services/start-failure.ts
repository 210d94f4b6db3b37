// Why a service exited while starting, read from its console log (`kafkaServer.out`, `zookeeper-*.out`:
// both are truncated by the start script on every start, so they hold exactly one attempt). The pure
// half of the start-failure probe: `transient` failures (the broker could not reach ZooKeeper in time,
// the ensemble was electing) are worth another start; `lasting` ones (bad configuration, a port taken, a
// broker id clash) are not, and neither is anything unrecognised.
import type { ServiceName } from '../render/files.js';

export type StartFailureKind = 'transient' | 'lasting' | 'unknown';

export interface StartFailure {
  kind: StartFailureKind;
  /** What went wrong, in a few words, for the message. */
  reason: string;
  /** The log line that told. */
  evidence?: string;
}

interface Rule {
  kind: 'transient' | 'lasting';
  pattern: RegExp;
  reason: (m: RegExpExecArray) => string;
}

// Lasting causes are looked for first: a broker that hit a clash may also have logged a lost connection.
const KAFKA_RULES: Rule[] = [
  { kind: 'lasting', pattern: /creating ephemeral at (\S*\/brokers\/ids\/\d+), node already exists/, reason: (m) => `broker id clash: ${m[1]} is registered by another session (NodeExistsException)` },
  { kind: 'lasting', pattern: /NodeExistsException/, reason: () => 'broker id clash: its /brokers/ids node already exists (NodeExistsException)' },
  { kind: 'lasting', pattern: /InconsistentBrokerIdException/, reason: () => "meta.properties names another broker.id (InconsistentBrokerIdException)" },
  { kind: 'lasting', pattern: /InconsistentClusterIdException/, reason: () => 'the log dirs belong to another cluster (InconsistentClusterIdException)' },
  { kind: 'lasting', pattern: /failed to bind to (\S+?):? Address already in use|BindException: Address already in use/, reason: (m) => `port taken${m[1] ? ` (${m[1]})` : ''}: Address already in use` },
  { kind: 'lasting', pattern: /ConfigException: (.*)/, reason: (m) => `bad configuration: ${m[1]!.trim()}` },
  { kind: 'lasting', pattern: /IllegalArgumentException: requirement failed: (.*)/, reason: (m) => `bad configuration: ${m[1]!.trim()}` },
  { kind: 'lasting', pattern: /Could not find or load main class|UnsupportedClassVersionError|ClassNotFoundException/, reason: () => 'the installation or Java does not fit (a class could not be loaded)' },
  { kind: 'lasting', pattern: /OutOfMemoryError|Could not reserve enough space|Invalid maximum heap size/, reason: () => 'not enough memory for the JVM heap' },
  { kind: 'lasting', pattern: /AccessDeniedException|Permission denied/, reason: () => 'permission denied on a file or directory' },
  { kind: 'transient', pattern: /ZooKeeperClientTimeoutException: (.*)/, reason: (m) => `could not reach ZooKeeper in time (ZooKeeperClientTimeoutException: ${m[1]!.trim()})` },
  { kind: 'transient', pattern: /ZooKeeperClientExpiredException|SessionExpiredException/, reason: () => 'its ZooKeeper session expired while starting' },
  { kind: 'transient', pattern: /ConnectionLossException|KeeperErrorCode = ConnectionLoss/, reason: () => 'lost its ZooKeeper connection while starting (ConnectionLoss: the ensemble may have been electing)' },
];

const ZOOKEEPER_RULES: Rule[] = [
  { kind: 'lasting', pattern: /Invalid config, exiting abnormally/, reason: () => 'invalid configuration (Invalid config, exiting abnormally)' },
  { kind: 'lasting', pattern: /BindException: Address already in use|Address already in use/, reason: () => 'port taken: Address already in use' },
  { kind: 'lasting', pattern: /Could not find or load main class|UnsupportedClassVersionError|ClassNotFoundException/, reason: () => 'the installation or Java does not fit (a class could not be loaded)' },
  { kind: 'lasting', pattern: /OutOfMemoryError|Could not reserve enough space|Invalid maximum heap size/, reason: () => 'not enough memory for the JVM heap' },
  { kind: 'lasting', pattern: /myid file is missing|Unable to load database on disk/, reason: (m) => m[0] },
];

/** Classifies one start attempt from its console log. */
export function classifyStartFailure(service: ServiceName, log: string): StartFailure {
  const lines = log.split('\n');
  const rules = service === 'kafka' ? KAFKA_RULES : ZOOKEEPER_RULES;
  for (const kind of ['lasting', 'transient'] as const) {
    for (const rule of rules.filter((r) => r.kind === kind)) {
      for (const line of lines) {
        const m = rule.pattern.exec(line);
        if (m) return { kind, reason: rule.reason(m), evidence: line.trim() };
      }
    }
  }
  return { kind: 'unknown', reason: 'no known cause in the log' };
}
