import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'cdktf.out/**', '.sansang/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Lab and integration tests start real processes and network namespaces (each named per test
    // run) and spend most of their time waiting on them: two files at a time on 2 cores (vitest's
    // default there is one). A test holding fixed ports runs them in a namespace of its own, or is
    // the only one in the suite holding them (test/integration/demo.test.ts: the demo's stand-ins).
    fileParallelism: true,
    pool: 'forks',
    maxWorkers: 2,
  },
});
