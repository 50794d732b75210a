import { defineConfig } from 'vitest/config';

// Two projects: pure unit tests (no sockets) and integration tests that start real processes.
// Integration tests run in forks, one file at a time per worker, because each one binds ports and
// spawns proxies/backends; on a 2-core machine more parallelism only adds noise.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
