import { defineConfig } from 'vitest/config';

// End-to-end tests share one lab (network namespaces on this machine), so test files run one at a time.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
