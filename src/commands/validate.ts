import type { Output } from '../ui/output.js';
import type { Inventory } from '../inventory/model.js';
import { formatProblem } from '../errors.js';

export function inventorySummary(inv: Inventory) {
  return {
    cluster: inv.cluster,
    hosts: inv.hosts.map((h) => ({
      name: h.name,
      address: h.address,
      zookeeper: h.zookeeper ? { id: h.zookeeper.id } : null,
      kafka: h.kafka ? { id: h.kafka.id } : null,
    })),
    zookeeper: { members: inv.members.length, version: inv.members[0]?.version ?? null },
    kafka: { brokers: inv.brokers.length, version: inv.brokers[0]?.version ?? null },
    warnings: inv.warnings.map(formatProblem),
  };
}

export function validateCommand(inv: Inventory, out: Output): void {
  for (const w of inv.warnings) out.warn(formatProblem(w));
  const s = inventorySummary(inv);
  out.result({ valid: true, ...s });
  out.print(
    `${inv.file}: valid. Cluster ${s.cluster}: ${s.hosts.length} host(s), ` +
      `ZooKeeper ensemble of ${s.zookeeper.members}, ${s.kafka.brokers} Kafka broker(s).`,
  );
  out.table(
    ['HOST', 'ADDRESS', 'ZOOKEEPER', 'KAFKA'],
    inv.hosts.map((h) => [h.name, h.address, h.zookeeper ? `myid ${h.zookeeper.id}` : '', h.kafka ? `broker ${h.kafka.id}` : '']),
  );
}
