// Turns the inventory into every host's files, as plain data: nothing here touches a host.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { builtinTemplatesDir } from '../paths.js';
import { UserError, ExitCode } from '../errors.js';
import { CONTROLLER_LISTENER, controllerQuorumBootstrapServers, controllerQuorumVoters, ensembleServers, hostPort, isMigration, zookeeperConnect, type Broker, type Host, type Inventory, type ZookeeperMember } from '../inventory/model.js';
import { renderTemplate, TemplateError, type TemplateContext } from './template.js';
import { escapeKey, propertyLine } from './properties.js';

export type TemplateName = 'zoo.cfg' | 'myid' | 'server.properties' | 'server.kraft.properties';

/**
 * Which server.properties a Kafka node gets:
 * - zookeeper: a ZooKeeper-mode broker (template server.properties), as before KRaft;
 * - kraft: a KRaft broker, controller or combined node (template server.kraft.properties);
 * - migration: during a ZooKeeper → KRaft migration, a controller with zookeeper.metadata.migration.enable
 *   and zookeeper.connect (server.kraft.properties), or a ZooKeeper-mode broker with the migration
 *   settings added (server.properties, then the migration keys).
 * A broker's phases: zookeeper → migration → kraft; a controller's: migration → kraft.
 */
export type KafkaForm = 'zookeeper' | 'kraft' | 'migration';

export interface KafkaRenderOptions {
  /** Default: defaultKafkaForm(inv). */
  form?: KafkaForm;
  /**
   * Applied last, to any form and any template: a key that is in the rendered file gets this value
   * (null: the line is removed); one that is not is added at the end. E.g. { 'inter.broker.protocol.version': '3.8' }.
   */
  extra?: Record<string, string | null>;
}

export interface RenderOptions {
  kafka?: KafkaRenderOptions;
}

/** The form the inventory describes: zookeeper in ZooKeeper mode, kraft without ZooKeeper members, migration with them. */
export function defaultKafkaForm(inv: Pick<Inventory, 'kafkaMode' | 'members'>): KafkaForm {
  if (inv.kafkaMode === 'zookeeper') return 'zookeeper';
  return isMigration(inv) ? 'migration' : 'kraft';
}

export const PROTOCOL_MAP = `${CONTROLLER_LISTENER}:PLAINTEXT,PLAINTEXT:PLAINTEXT`;
export type ServiceName = 'zookeeper' | 'kafka';

export interface RenderedFile {
  host: string;
  service: ServiceName;
  template: TemplateName;
  /** Absolute path on the host. */
  path: string;
  content: string;
  mode: number;
}

const PROMETHEUS = 'org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider';

export class Templates {
  private readonly cache = new Map<TemplateName, { file: string; text: string }>();
  constructor(private readonly overrideDir?: string) {
    // A mistyped folder would otherwise silently give the built-in templates.
    if (overrideDir && !statSync(overrideDir, { throwIfNoEntry: false })?.isDirectory()) {
      throw new UserError(`templates folder ${overrideDir} not found`, ExitCode.usage);
    }
  }

  /** The operator's template when their folder has one, else the built-in one. */
  load(name: TemplateName): { file: string; text: string } {
    let t = this.cache.get(name);
    if (!t) {
      const own = this.overrideDir ? join(this.overrideDir, name) : undefined;
      const file = own && existsSync(own) ? own : join(builtinTemplatesDir, name);
      t = { file, text: readFileSync(file, 'utf8') };
      this.cache.set(name, t);
    }
    return t;
  }

  render(name: TemplateName, ctx: TemplateContext): string {
    const { file, text } = this.load(name);
    try {
      return renderTemplate(text, ctx, { file, properties: name !== 'myid' });
    } catch (e) {
      if (e instanceof TemplateError) throw new UserError(`template ${e.message}`, ExitCode.usage);
      throw e;
    }
  }
}

export function zookeeperContext(inv: Inventory, m: ZookeeperMember): TemplateContext {
  return {
    cluster: inv.cluster,
    host: m.host,
    id: m.id,
    tickTime: m.tickTime,
    initLimit: m.initLimit,
    syncLimit: m.syncLimit,
    dataDir: m.dataDir,
    dataLogDir: m.dataLogDir,
    clientPort: m.clientPort,
    maxClientCnxns: m.maxClientCnxns,
    autopurge: { ...m.autopurge },
    metrics: m.metrics.enabled
      ? { className: PROMETHEUS, host: m.metrics.host, port: m.metrics.port, exportJvmInfo: m.metrics.exportJvmInfo }
      : { className: undefined, host: undefined, port: undefined, exportJvmInfo: undefined },
    adminServer: { enabled: m.adminServer.enabled, port: m.adminServer.enabled ? m.adminServer.port : undefined },
    servers: ensembleServers(inv),
    settings: Object.entries(m.settings),
  };
}

export function kafkaContext(inv: Inventory, b: Broker): TemplateContext {
  return {
    cluster: inv.cluster,
    host: b.host,
    id: b.id,
    listener: hostPort(b.address, b.port),
    port: b.port,
    address: b.address,
    logDirs: b.logDirs.join(','),
    zookeeperConnect: zookeeperConnect(inv, b.chroot),
    settings: Object.entries(b.settings),
  };
}

/** The context of server.kraft.properties: a KRaft node, or a controller in migration (`migration`). */
export function kraftContext(inv: Inventory, b: Broker, migration = false): TemplateContext {
  const broker = b.roles.includes('broker');
  const controller = b.roles.includes('controller');
  const listeners = [
    ...(broker ? [`PLAINTEXT://${hostPort(b.address, b.port)}`] : []),
    ...(controller ? [`${CONTROLLER_LISTENER}://${hostPort(b.address, b.controllerPort)}`] : []),
  ];
  const { 'advertised.listeners': advertised, ...settings } = b.settings;
  return {
    cluster: inv.cluster,
    host: b.host,
    id: b.id,
    processRoles: b.roles.join(','),
    // One of the two, by the quorum's kind: the other line is left out.
    quorumVoters: inv.controllerQuorum === 'dynamic' ? undefined : controllerQuorumVoters(inv),
    quorumBootstrapServers: inv.controllerQuorum === 'dynamic' ? controllerQuorumBootstrapServers(inv) : undefined,
    controllerListenerNames: CONTROLLER_LISTENER,
    listener: broker ? hostPort(b.address, b.port) : undefined,
    controllerListener: controller ? hostPort(b.address, b.controllerPort) : undefined,
    port: broker ? b.port : undefined,
    controllerPort: controller ? b.controllerPort : undefined,
    address: b.address,
    listeners: listeners.join(','),
    // Written for brokers, so the CONTROLLER listener is never what a broker advertises.
    advertisedListeners: broker ? (advertised ?? `PLAINTEXT://${hostPort(b.address, b.port)}`) : undefined,
    // A controller in migration sends the ZooKeeper-mode brokers RPCs on their inter-broker listener.
    interBrokerListenerName: broker || migration ? 'PLAINTEXT' : undefined,
    protocolMap: PROTOCOL_MAP,
    logDirs: b.logDirs.join(','),
    migration: migration ? 'true' : undefined,
    zookeeperConnect: migration ? zookeeperConnect(inv, b.chroot) : undefined,
    // A controller-only node's advertised.listeners is refused in validation; a broker's is written above.
    settings: Object.entries(broker ? settings : b.settings),
  };
}

/** What a ZooKeeper-mode broker adds to its own file to join a migration (Kafka 3.9's "ZooKeeper to KRaft Migration"). */
export function migrationBrokerSettings(inv: Inventory, b: Broker): Record<string, string> {
  const [major, minor] = b.version.split('.');
  return {
    'zookeeper.metadata.migration.enable': 'true',
    'controller.quorum.voters': controllerQuorumVoters(inv),
    'controller.listener.names': CONTROLLER_LISTENER,
    'listener.security.protocol.map': PROTOCOL_MAP,
    'inter.broker.protocol.version': `${major}.${minor}`,
  };
}

/** The key of a properties line as written (escaped), or undefined for a comment or blank line. */
function lineKey(line: string): string | undefined {
  const t = line.trimStart();
  if (t === '' || t.startsWith('#') || t.startsWith('!')) return undefined;
  return /^((?:\\.|[^\\=:\s])+)/.exec(t)?.[1];
}

/** Sets (or with null removes) keys of a rendered properties file; keys it lacks are added at the end. */
export function applyExtra(content: string, extra: Record<string, string | null>): string {
  const wanted = new Map(Object.entries(extra).map(([k, v]) => [escapeKey(k), { key: k, value: v }]));
  const done = new Set<string>();
  const out: string[] = [];
  const lines = content.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) {
    const k = lineKey(line);
    const w = k === undefined ? undefined : wanted.get(k);
    if (!w) {
      out.push(line);
      continue;
    }
    if (w.value !== null && !done.has(k!)) out.push(propertyLine(w.key, w.value));
    done.add(k!);
  }
  for (const [k, w] of wanted) if (!done.has(k) && w.value !== null) out.push(propertyLine(w.key, w.value));
  return out.length ? `${out.join('\n')}\n` : '';
}

/** A Kafka node's server.properties in `form`. */
export function renderServerProperties(inv: Inventory, b: Broker, templates: Templates, opts: KafkaRenderOptions = {}): { template: TemplateName; content: string } {
  const form = opts.form ?? defaultKafkaForm(inv);
  const controller = b.roles.includes('controller');
  const fail = (why: string) => {
    throw new UserError(`cannot render ${b.host}'s server.properties in the ${form} form: ${why}`, ExitCode.usage);
  };
  if (form !== 'zookeeper' && inv.kafkaMode !== 'kraft') fail('the inventory is in ZooKeeper mode (kafka.mode: kraft for KRaft)');
  if (form !== 'kraft' && inv.members.length === 0) fail('the inventory has no ZooKeeper members');
  let r: { template: TemplateName; content: string };
  if (form === 'kraft' || (form === 'migration' && controller)) {
    if (form === 'migration' && b.roles.includes('broker')) fail('a migration needs dedicated controllers, and this node is a broker and a controller');
    r = { template: 'server.kraft.properties', content: templates.render('server.kraft.properties', kraftContext(inv, b, form === 'migration')) };
  } else {
    if (controller) fail('a controller has no ZooKeeper-mode form');
    r = { template: 'server.properties', content: templates.render('server.properties', kafkaContext(inv, b)) };
    if (form === 'migration') r.content = applyExtra(r.content, migrationBrokerSettings(inv, b));
  }
  if (opts.extra && Object.keys(opts.extra).length) r.content = applyExtra(r.content, opts.extra);
  return r;
}

/** Paths of the files zkafka writes for a service (the remote layout). */
export const remotePaths = {
  zooCfg: (m: ZookeeperMember) => `${m.home}/conf/zoo.cfg`,
  myid: (m: ZookeeperMember) => `${m.dataDir}/myid`,
  serverProperties: (b: Broker) => `${b.home}/config/server.properties`,
};

export function renderHost(inv: Inventory, host: Host, templates = new Templates(inv.templatesDir), opts: RenderOptions = {}): RenderedFile[] {
  const files: RenderedFile[] = [];
  const m = host.zookeeper;
  if (m) {
    const ctx = zookeeperContext(inv, m);
    files.push({ host: host.name, service: 'zookeeper', template: 'zoo.cfg', path: remotePaths.zooCfg(m), content: templates.render('zoo.cfg', ctx), mode: 0o644 });
    files.push({ host: host.name, service: 'zookeeper', template: 'myid', path: remotePaths.myid(m), content: templates.render('myid', ctx), mode: 0o644 });
  }
  const b = host.kafka;
  if (b) {
    const { template, content } = renderServerProperties(inv, b, templates, opts.kafka);
    files.push({ host: host.name, service: 'kafka', template, path: remotePaths.serverProperties(b), content, mode: 0o644 });
  }
  return files;
}

export function renderInventory(inv: Inventory, templatesDir?: string): RenderedFile[] {
  const templates = new Templates(templatesDir ?? inv.templatesDir);
  return inv.hosts.flatMap((h) => renderHost(inv, h, templates));
}
