// Turns the inventory into every host's files, as plain data: nothing here touches a host.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { builtinTemplatesDir } from '../paths.js';
import { UserError, ExitCode } from '../errors.js';
import { ensembleServers, hostPort, zookeeperConnect, type Broker, type Host, type Inventory, type ZookeeperMember } from '../inventory/model.js';
import { renderTemplate, TemplateError, type TemplateContext } from './template.js';

export type TemplateName = 'zoo.cfg' | 'myid' | 'server.properties';
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

/** Per-host additions to what the inventory renders: `extra` adds or replaces (null: removes) Kafka settings. */
export interface RenderOptions {
  kafka?: { extra?: Record<string, string | null> };
}

/** The inventory's settings with `extra` laid over them, in order (new keys last). */
function withExtra(settings: Record<string, string>, extra?: Record<string, string | null>): Array<[string, string]> {
  const merged: Record<string, string | null> = { ...settings, ...extra };
  return Object.entries(merged).filter((e): e is [string, string] => e[1] !== null);
}

export function kafkaContext(inv: Inventory, b: Broker, opts: RenderOptions = {}): TemplateContext {
  return {
    cluster: inv.cluster,
    host: b.host,
    id: b.id,
    listener: hostPort(b.address, b.port),
    port: b.port,
    address: b.address,
    logDirs: b.logDirs.join(','),
    zookeeperConnect: zookeeperConnect(inv, b.chroot),
    settings: withExtra(b.settings, opts.kafka?.extra),
  };
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
    files.push({ host: host.name, service: 'kafka', template: 'server.properties', path: remotePaths.serverProperties(b), content: templates.render('server.properties', kafkaContext(inv, b, opts)), mode: 0o644 });
  }
  return files;
}

export function renderInventory(inv: Inventory, templatesDir?: string): RenderedFile[] {
  const templates = new Templates(templatesDir ?? inv.templatesDir);
  return inv.hosts.flatMap((h) => renderHost(inv, h, templates));
}
