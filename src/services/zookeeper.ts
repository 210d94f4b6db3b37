// What a ZooKeeper member needs: its commands (as data) and how to read its state.
import type { ZookeeperMember } from '../inventory/model.js';
import type { Command } from '../transport/command.js';
import { remotePaths } from '../render/files.js';

export const ZOOKEEPER_MAIN = 'org.apache.zookeeper.server.quorum.QuorumPeerMain';

/** The jar the Prometheus metrics provider needs in lib/ (in Apache's tarball; not in Debian's package). */
export const PROMETHEUS_JAR = 'zookeeper-prometheus-metrics-*.jar';

export const zookeeper = {
  script: (m: ZookeeperMember) => `${m.home}/bin/zkServer.sh`,
  config: (m: ZookeeperMember) => remotePaths.zooCfg(m),

  env(m: ZookeeperMember, javaHome?: string): Record<string, string> {
    // Logs go to the member's own log directory, not a shared system folder.
    return { ZOO_LOG_DIR: m.logDir, ...(javaHome ? { JAVA_HOME: javaHome } : {}), ...m.env };
  },

  /** `bin/zkServer.sh start conf/zoo.cfg`, as in the runbook (it daemonises with nohup). */
  start(m: ZookeeperMember, javaHome?: string): Command {
    return { argv: [zookeeper.script(m), 'start', zookeeper.config(m)], env: zookeeper.env(m, javaHome), cwd: m.home };
  },

  /** Directories the member writes to, created before it starts. */
  dirs(m: ZookeeperMember): string[] {
    return [m.dataDir, m.logDir, ...(m.dataLogDir ? [m.dataLogDir] : [])];
  },

  /** Ports the member listens on (the quorum port only on the leader). */
  ports(m: ZookeeperMember): Array<{ port: number; what: string }> {
    return [
      { port: m.clientPort, what: 'client port' },
      { port: m.quorumPort, what: 'quorum port' },
      { port: m.electionPort, what: 'election port' },
      ...(m.adminServer.enabled ? [{ port: m.adminServer.port, what: 'AdminServer port' }] : []),
      ...(m.metrics.enabled ? [{ port: m.metrics.port, what: 'metrics port' }] : []),
    ];
  },
};

export type ZookeeperMode = 'leader' | 'follower' | 'standalone' | 'observer' | 'not serving' | 'down';

export interface SrvrReport {
  mode: ZookeeperMode;
  version?: string;
  zxid?: string;
  nodeCount?: number;
}

/** Parses the answer to the `srvr` four-letter word (the one enabled by default since 3.5.3). */
export function parseSrvr(text: string): SrvrReport {
  if (/not currently serving requests/i.test(text)) return { mode: 'not serving' };
  const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'm').exec(text)?.[1]?.trim();
  const mode = field('Mode');
  if (!mode) return { mode: 'not serving' };
  const nodes = field('Node count');
  const version = field('Zookeeper version')?.split(/[-,]/)[0];
  return {
    mode: (['leader', 'follower', 'standalone', 'observer'].includes(mode) ? mode : 'not serving') as ZookeeperMode,
    ...(version ? { version } : {}),
    ...(field('Zxid') ? { zxid: field('Zxid')! } : {}),
    ...(nodes ? { nodeCount: Number(nodes) } : {}),
  };
}

