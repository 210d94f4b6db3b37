// Before any test file runs (once, in vitest's main process): the lab's distributions, built if missing,
// so that test files running in parallel never build the same tarball at the same time.
import { buildKafkaDist, buildZookeeperDist } from './lab.js';

export default async function setup(): Promise<void> {
  await buildZookeeperDist();
  if (process.env.ZKAFKA_KAFKA_TGZ) return; // an operator's own Kafka: nothing to build
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
