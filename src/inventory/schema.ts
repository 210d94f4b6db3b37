// Stage 2 of validation: the shape of the inventory file. Every object is strict, so a typo such as
// `clientport` is reported instead of silently ignored. Defaults are applied later, in normalise.ts,
// because per-host overrides are merged over cluster-wide settings first.
import { z } from 'zod';
import { addressProblem, parseJumpHostSpec } from './address.js';

const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;

/** Free text that ends up in config files or commands: no newlines or other control characters. */
const text = z
  .string()
  .regex(NO_CONTROL, { message: 'must not contain newlines or other control characters' })
  .min(1, { message: 'must not be empty' });

const port = z.int().min(1, { message: 'a port is 1-65535' }).max(65535, { message: 'a port is 1-65535' });

const absolutePath = text.refine((p) => p.startsWith('/'), {
  message: 'must be an absolute path on the host (starting with /)',
}).refine((p) => !p.split('/').includes('..'), { message: 'must not contain ".." segments' });

const positiveInt = z.int().min(1, { message: 'must be 1 or more' });
const seconds = z.number().positive({ message: 'must be a number of seconds above 0' });

/** Extra settings written verbatim into zoo.cfg / server.properties. */
const settings = z.record(
  z.string().regex(/^[A-Za-z0-9_.\-]+$/, {
    message: 'a setting name holds only letters, digits, ".", "_" and "-"',
  }),
  z.union([z.string().regex(NO_CONTROL, { message: 'must not contain newlines or other control characters' }), z.number(), z.boolean()], {
    message: 'a setting value is a string, number or boolean',
  }),
);

/** Environment for the service scripts (KAFKA_HEAP_OPTS, JVMFLAGS, ...). */
const env = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'an environment variable name is letters, digits and _' }),
  z.union([z.string().regex(NO_CONTROL, { message: 'must not contain newlines or other control characters' }), z.number(), z.boolean()], {
    message: 'an environment value is a string, number or boolean',
  }),
);

export const sshSchema = z.strictObject({
  user: text.regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, { message: 'not a valid user name' }).optional(),
  port: port.optional(),
  /** Private key on the control machine; ~ and paths relative to the inventory file are resolved. */
  identityFile: text.optional(),
  knownHosts: text.optional(),
  connectTimeout: seconds.optional(),
  commandTimeout: seconds.optional(),
  /** `[user@]host[:port]` of a bastion to tunnel through. */
  jumpHost: text
    .check((ctx) => {
      const r = parseJumpHostSpec(ctx.value);
      if (typeof r === 'string') ctx.issues.push({ code: 'custom', message: r, input: ctx.value });
    })
    .optional(),
});

export const javaSchema = z.strictObject({
  home: absolutePath.optional(),
});

const source = text.refine((s) => !/^[a-z][a-z0-9+.-]*:/i.test(s) || /^https?:\/\//i.test(s), {
  message: 'a source is a local tarball path or an http(s):// URL',
});

export const zookeeperSettingsSchema = z.strictObject({
  version: text.regex(/^\d+\.\d+\.\d+$/, { message: 'expected a version such as 3.8.0' }).optional(),
  source: source.optional(),
  installDir: absolutePath.optional(),
  home: absolutePath.optional(),
  dataDir: absolutePath.optional(),
  dataLogDir: absolutePath.optional(),
  logDir: absolutePath.optional(),
  clientPort: port.optional(),
  quorumPort: port.optional(),
  electionPort: port.optional(),
  tickTime: positiveInt.optional(),
  initLimit: positiveInt.optional(),
  syncLimit: positiveInt.optional(),
  maxClientCnxns: z.int().min(0, { message: 'must be 0 (no limit) or more' }).optional(),
  autopurge: z
    .strictObject({
      snapRetainCount: z.int().min(3, { message: 'ZooKeeper keeps at least 3 snapshots' }).optional(),
      purgeInterval: z.int().min(0, { message: 'hours, 0 to turn purging off' }).optional(),
    })
    .optional(),
  metrics: z
    .strictObject({
      enabled: z.boolean().optional(),
      host: text.optional(),
      port: port.optional(),
      exportJvmInfo: z.boolean().optional(),
    })
    .optional(),
  adminServer: z
    .strictObject({
      enabled: z.boolean().optional(),
      port: port.optional(),
    })
    .optional(),
  settings: settings.optional(),
  env: env.optional(),
});

export const kafkaSettingsSchema = z.strictObject({
  version: text.regex(/^\d+\.\d+\.\d+$/, { message: 'expected a version such as 3.9.1' }).optional(),
  scalaVersion: text.regex(/^\d+\.\d+$/, { message: 'expected a Scala version such as 2.13' }).optional(),
  source: source.optional(),
  installDir: absolutePath.optional(),
  home: absolutePath.optional(),
  logDirs: z.array(absolutePath).min(1, { message: 'at least one log directory' }).optional(),
  logDir: absolutePath.optional(),
  port: port.optional(),
  /** Appended to zookeeper.connect, e.g. /kafka. */
  chroot: text
    .regex(/^(\/[A-Za-z0-9_.\-]+)+$/, { message: 'a chroot is a ZooKeeper path such as /kafka' })
    .refine((p) => !p.split('/').some((seg) => seg === '.' || seg === '..'), { message: 'a chroot has no "." or ".." segments (ZooKeeper refuses such paths)' })
    .optional(),
  /** KRaft: the port of the CONTROLLER listener on nodes with the controller role. */
  controllerPort: port.optional(),
  settings: settings.optional(),
  env: env.optional(),
});

/** Kafka's cluster id: a UUID as 22 characters of unpadded base64url (Kafka's Uuid.toString). */
export function clusterIdProblem(id: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{22}$/.test(id)) return 'a cluster id is 22 characters of base64url (A-Z, a-z, 0-9, "-", "_"), as kafka-storage.sh random-uuid prints';
  const bytes = Buffer.from(id, 'base64url');
  if (bytes.length !== 16 || bytes.toString('base64url') !== id) return 'not a cluster id: its last character does not end 16 bytes of base64url (as kafka-storage.sh random-uuid prints)';
  if (id.startsWith('-')) return 'a cluster id must not start with "-" (Kafka never generates one: kafka-storage.sh -t would read it as an option)';
  if (bytes.every((b, i) => b === 0 || (i === 15 && b === 1))) return 'this cluster id is one Kafka reserves';
  return undefined;
}

const clusterId = text.check((ctx) => {
  const problem = clusterIdProblem(ctx.value);
  if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
});

/** The cluster-wide `kafka` section: also what only makes sense for the whole cluster. */
export const kafkaClusterSchema = kafkaSettingsSchema.extend({
  /** zookeeper (brokers registered in ZooKeeper) or kraft (a controller quorum); default from the version. */
  mode: z.enum(['zookeeper', 'kraft'], { message: 'kafka.mode is zookeeper or kraft' }).optional(),
  /** KRaft: the cluster id the log dirs are formatted with; zkafka generates one when unset. */
  clusterId: clusterId.optional(),
  /**
   * KRaft: static (controller.quorum.voters, the default) or dynamic (KIP-853, Kafka 3.9+: the voters are
   * formatted into the controllers' storage, every node finds them through controller.quorum.bootstrap.servers).
   */
  controllerQuorum: z.enum(['static', 'dynamic'], { message: 'kafka.controllerQuorum is static or dynamic' }).optional(),
});

const role = z.enum(['broker', 'controller'], { message: 'a role is broker or controller' });

const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export const hostSchema = z.strictObject({
  name: text.regex(HOST_NAME, { message: 'a host name is letters, digits, ".", "_" and "-"' }),
  address: text.check((ctx) => {
    const problem = NO_CONTROL.test(ctx.value) ? addressProblem(ctx.value) : undefined;
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
  }),
  /** The control machine itself: commands run locally instead of over SSH. */
  local: z.boolean().optional(),
  ssh: sshSchema.optional(),
  java: javaSchema.optional(),
  zookeeper: zookeeperSettingsSchema
    .extend({ id: z.int().min(1, { message: 'a ZooKeeper id (myid) is 1-255' }).max(255, { message: 'a ZooKeeper id (myid) is 1-255' }) })
    .optional(),
  kafka: kafkaSettingsSchema
    .extend({
      // 0-1000 for a ZooKeeper-mode broker (checked with the mode, in rules.ts); KRaft takes any node.id.
      id: z.int().min(0, { message: 'a Kafka node id is 0 or more' }).max(2147483647, { message: 'a Kafka node id is at most 2147483647' }),
      /** KRaft: [broker] (the default), [controller], or both (a combined node). */
      roles: z
        .array(role)
        .min(1, { message: 'list at least one role: broker, controller or both' })
        .refine((r) => new Set(r).size === r.length, { message: 'a role is listed twice' })
        .optional(),
    })
    .optional(),
});

export const inventorySchema = z.strictObject({
  cluster: text.regex(HOST_NAME, { message: 'a cluster name is letters, digits, ".", "_" and "-"' }).optional(),
  /** A folder of templates that replace the built-in ones, file by file. */
  templates: text.optional(),
  ssh: sshSchema.optional(),
  java: javaSchema.optional(),
  zookeeper: zookeeperSettingsSchema.optional(),
  kafka: kafkaClusterSchema.optional(),
  hosts: z.array(hostSchema).min(1, { message: 'list at least one host' }),
});

export type RawInventory = z.infer<typeof inventorySchema>;
export type RawHost = z.infer<typeof hostSchema>;
export type RawZookeeper = z.infer<typeof zookeeperSettingsSchema>;
export type RawKafka = z.infer<typeof kafkaSettingsSchema>;
export type RawKafkaCluster = z.infer<typeof kafkaClusterSchema>;
export type KafkaRoleName = z.infer<typeof role>;
export type RawSsh = z.infer<typeof sshSchema>;
