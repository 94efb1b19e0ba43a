import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'cdktf.out/**', '.sansang/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Lab and integration tests start real processes and network namespaces: keep them apart.
    fileParallelism: true,
    pool: 'forks',
  },
});
