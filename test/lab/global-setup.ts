// Before any test file runs (once, in vitest's main process): the lab's distributions, built if missing,
// so that test files running in parallel never build the same tarball at the same time. Only what the
// tests use (a cold build of each costs Maven downloads and tens of seconds):
//   ZooKeeper 3.8.0 (every file) and LAB_ZOOKEEPER_39 (lab-versions.test.ts);
//   Kafka 2.4.1 and 3.9.1 (the vitest projects) and 4.1.1 (lab-versions.test.ts, which also pins 3.9.1).
import { LAB_ZOOKEEPER_39, buildKafkaDist, buildZookeeperDist, kafkaTgz, zookeeperTgz } from './lab.js';

export default async function setup(): Promise<void> {
  await buildZookeeperDist();
  await zookeeperTgz(LAB_ZOOKEEPER_39);
  // The version-pinned ones, also when the projects run an operator's own Kafka (ZKAFKA_KAFKA_TGZ).
  for (const version of ['3.9.1', '4.1.1']) await kafkaTgz(version);
  if (process.env.ZKAFKA_KAFKA_TGZ) return; // an operator's own Kafka: nothing else to build
  const chosen = process.env.ZKAFKA_LAB_KAFKA;
  try {
    for (const version of ['2.4.1', '3.9.1']) {
      process.env.ZKAFKA_LAB_KAFKA = version;
      await buildKafkaDist();
    }
  } finally {
    if (chosen === undefined) delete process.env.ZKAFKA_LAB_KAFKA;
    else process.env.ZKAFKA_LAB_KAFKA = chosen;
  }
}
