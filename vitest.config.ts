import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// End-to-end files each build a lab of their own (test/lab/vitest-setup.ts picks one per worker), so two
// files run at once: most of an end-to-end test is waiting for JVMs, and this machine has 2 cores.
// The Kafka-centred files run a second time on Kafka 3.9.1, the last release with ZooKeeper mode.
const ON_KAFKA_39 = ['test/e2e/data-survives.test.ts', 'test/e2e/up-status-down.test.ts', 'test/e2e/lab-kafka.test.ts', 'test/e2e/kafka-wire.test.ts'];
// KRaft needs Kafka 3.3 or later: these run on 3.9.1 only.
const KAFKA_39_ONLY = ['test/e2e/kraft-render.test.ts', 'test/e2e/upgrade-kraft.test.ts', 'test/e2e/migration.test.ts'];
// up/status/restart/down on KRaft clusters: once on 3.9.1 and once on 4.1.1 (KRaft only).
const KRAFT = ['test/e2e/kraft.test.ts'];

// Seconds each end-to-end file took in CI (2026-12-01, 2 workers). The longest start first, so that two
// long KRaft files do not end up last on one worker while the other idles.
const MEASURED_SECONDS: Record<string, number> = {
  'kafka-4.1.1 test/e2e/kraft.test.ts': 508,
  'kafka-3.9.1 test/e2e/kraft.test.ts': 480,
  'kafka-3.9.1 test/e2e/migration.test.ts': 478,
  'kafka-3.9.1 test/e2e/kraft-render.test.ts': 339,
  'kafka-2.4.1 test/e2e/failures.test.ts': 227,
  'kafka-3.9.1 test/e2e/upgrade-kraft.test.ts': 225,
  'kafka-3.9.1 test/e2e/up-status-down.test.ts': 209,
  'kafka-2.4.1 test/e2e/plan-roll.test.ts': 198,
  'kafka-2.4.1 test/e2e/upgrade-kafka.test.ts': 184,
  'kafka-2.4.1 test/e2e/up-status-down.test.ts': 161,
  'kafka-2.4.1 test/e2e/data-survives.test.ts': 149,
  'kafka-3.9.1 test/e2e/data-survives.test.ts': 119,
  'kafka-3.9.1 test/e2e/lab-kafka.test.ts': 75,
  'kafka-2.4.1 test/e2e/lab-versions.test.ts': 70,
};

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const seconds = (f: TestSpecification) => MEASURED_SECONDS[`${f.project.name} ${relative(process.cwd(), f.moduleId)}`] ?? 0;
    return [...(await super.sort(files))].sort((a, b) => seconds(b) - seconds(a));
  }
}

export default defineConfig({
  test: {
    sequence: { sequencer: LongestFirst },
    testTimeout: 120_000,
    hookTimeout: 300_000,
    globalSetup: ['test/lab/global-setup.ts'],
    setupFiles: ['test/lab/vitest-setup.ts'],
    fileParallelism: true,
    maxWorkers: Number(process.env.ZKAFKA_TEST_WORKERS ?? 2),
    projects: [
      { extends: true, test: { name: 'kafka-2.4.1', include: ['test/**/*.test.ts'], exclude: [...KAFKA_39_ONLY, ...KRAFT, '**/node_modules/**'] } },
      { extends: true, test: { name: 'kafka-3.9.1', include: [...ON_KAFKA_39, ...KAFKA_39_ONLY, ...KRAFT], env: { ZKAFKA_LAB_KAFKA: '3.9.1' } } },
      { extends: true, test: { name: 'kafka-4.1.1', include: [...KRAFT], env: { ZKAFKA_LAB_KAFKA: '4.1.1' } } },
    ],
  },
});
