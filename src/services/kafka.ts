// What a Kafka broker needs: its commands (as data) and how to read its ZooKeeper registration.
import type { Broker } from '../inventory/model.js';
import { hostPort } from '../inventory/model.js';
import { advertisedEndpoint } from '../inventory/address.js';
import type { Command } from '../transport/command.js';
import { remotePaths } from '../render/files.js';

export const KAFKA_MAIN = 'kafka.Kafka';

export const kafka = {
  config: (b: Broker) => remotePaths.serverProperties(b),
  script: (b: Broker) => `${b.home}/bin/kafka-server-start.sh`,

  env(b: Broker, javaHome?: string): Record<string, string> {
    // LOG_DIR keeps server.log and kafkaServer.out in the broker's own log directory.
    return { LOG_DIR: b.logDir, ...(javaHome ? { JAVA_HOME: javaHome } : {}), ...b.env };
  },

  /** `bin/kafka-server-start.sh -daemon config/server.properties`, as in the runbook. */
  start(b: Broker, javaHome?: string): Command {
    return { argv: [kafka.script(b), '-daemon', kafka.config(b)], env: kafka.env(b, javaHome), cwd: b.home };
  },

  dirs(b: Broker): string[] {
    return [b.logDir, ...b.logDirs];
  },

  ports(b: Broker): Array<{ port: number; what: string }> {
    return [{ port: b.port, what: 'listener port' }];
  },

  /**
   * The endpoint the broker registers under /brokers/ids/<id>, which up and status expect: its
   * `advertised.listeners` when the inventory sets one (a broker behind NAT, or known by a DNS name),
   * else the listener zkafka writes, PLAINTEXT://ADDRESS:PORT.
   */
  endpoint(b: Broker): string {
    const advertised = b.settings['advertised.listeners'];
    const r = advertised === undefined ? undefined : advertisedEndpoint(advertised);
    return r && typeof r !== 'string' ? r.endpoint : `PLAINTEXT://${hostPort(b.address, b.port)}`;
  },
  registrationPath: (b: Broker) => `${b.chroot ?? ''}/brokers/ids/${b.id}`,
};

export interface BrokerRegistration {
  endpoints: string[];
  host?: string;
  port?: number;
}

/** Parses the JSON a broker writes into /brokers/ids/<id>. */
export function parseRegistration(data: string): BrokerRegistration | undefined {
  try {
    const j = JSON.parse(data) as { endpoints?: unknown; host?: unknown; port?: unknown };
    const endpoints = Array.isArray(j.endpoints) ? j.endpoints.map(String) : [];
    return {
      endpoints,
      ...(typeof j.host === 'string' ? { host: j.host } : {}),
      ...(typeof j.port === 'number' ? { port: j.port } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Parses /controller: {"version":1|2,"brokerid":N,...}. */
export function parseController(data: string): number | undefined {
  try {
    const id = (JSON.parse(data) as { brokerid?: unknown }).brokerid;
    return typeof id === 'number' ? id : undefined;
  } catch {
    return undefined;
  }
}
