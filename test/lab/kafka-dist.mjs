// Which Kafka the lab runs, in one place for test/lab/lab.ts (which builds it) and
// test/lab/lab-inventory.mjs (which writes it into inventories), so the two cannot disagree.
//   ZKAFKA_LAB_KAFKA=VERSION   a version test/lab/build-kafka.sh builds (default 2.4.1)
//   ZKAFKA_KAFKA_TGZ=PATH      an operator's own release tarball instead; its version is
//                              ZKAFKA_LAB_KAFKA, else read from the name kafka_SCALA-VERSION.tgz
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'build', 'dist');

/** The Scala build test/lab/build-kafka.sh makes of each Kafka version it supports. */
export const LAB_KAFKA_SCALA = { '2.4.1': '2.11', '3.9.1': '2.13', '4.1.1': '2.13' };
export const LAB_KAFKA_DEFAULT = '2.4.1';

/**
 * The lab's Kafka: { version, scalaVersion, tgz, operator } (operator: the tarball is
 * ZKAFKA_KAFKA_TGZ, not ours to build). Throws when the environment names no usable version.
 */
export function labKafka(env = process.env) {
  const wanted = env.ZKAFKA_LAB_KAFKA || undefined;
  const own = env.ZKAFKA_KAFKA_TGZ || undefined;
  if (own) {
    const m = /^kafka_(\d+\.\d+)-(\d+\.\d+\.\d+)\.(tgz|tar\.gz)$/.exec(basename(own));
    const version = wanted ?? m?.[2];
    if (!version) {
      throw new Error(`ZKAFKA_KAFKA_TGZ=${own}: name it kafka_SCALA-VERSION.tgz or set ZKAFKA_LAB_KAFKA to its version`);
    }
    const scalaVersion = m?.[1] ?? LAB_KAFKA_SCALA[version];
    if (!scalaVersion) throw new Error(`ZKAFKA_KAFKA_TGZ=${own}: no Scala version in its name`);
    return { version, scalaVersion, tgz: own, operator: true };
  }
  const version = wanted ?? LAB_KAFKA_DEFAULT;
  const scalaVersion = LAB_KAFKA_SCALA[version];
  if (!scalaVersion) {
    throw new Error(`ZKAFKA_LAB_KAFKA=${version}: test/lab/build-kafka.sh builds ${Object.keys(LAB_KAFKA_SCALA).join(', ')}`);
  }
  return { version, scalaVersion, tgz: join(DIST, `kafka_${scalaVersion}-${version}.tgz`), operator: false };
}
