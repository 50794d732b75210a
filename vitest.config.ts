import { defineConfig } from 'vitest/config';

// Three projects: pure unit tests (no sockets), integration tests that start real processes, and
// end-to-end tests that drive the built UI in Chromium against `meshscope --demo`.
// Integration tests run in forks, one file at a time per worker, because each one binds ports and
// spawns proxies/backends; on a 2-core machine more parallelism only adds noise.
// End-to-end tests run after the other two (groupOrder 1) and one file at a time: each file starts a
// demo mesh (nine sidecars, their apps, the load) and a browser, which together fill both cores.
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
          exclude: ['test/integration/seed-labs.test.ts'],
          environment: 'node',
          pool: 'forks',
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // What the page shows follows the scrape cycle (1 s in these tests) and react-query's refetches.
          expect: { poll: { timeout: 20_000, interval: 250 } },
        },
      },
      {
        // The seed labs run with their Envoy YAML unchanged, so they bind 0.0.0.0:10000 and :9901 — ports
        // the demo mesh also uses on its own addresses. They run last, alone.
        test: {
          name: 'fixed-ports',
          include: ['test/integration/seed-labs.test.ts'],
          environment: 'node',
          pool: 'forks',
          fileParallelism: false,
          sequence: { groupOrder: 2 },
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
