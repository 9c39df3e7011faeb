import { defineConfig } from 'vitest/config';

const globalSetup = ['test/harness/global-setup.ts'];

export default defineConfig({
  test: {
    reporters: ['default', './test/harness/summary-reporter.ts'],
    // Measured, not gated: `pnpm test` prints it per workspace (scripts/coverage-table.ts). The
    // services the end-to-end tests start run in processes of their own and are not counted.
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts', 'services/*/src/**/*.ts', 'infra/local/src/**/*.ts', 'dashboards/src/**/*.ts'],
      reporter: ['json-summary'],
      reportsDirectory: 'coverage',
    },
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['packages/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'infra/local/test/**/*.test.ts', 'dashboards/test/**/*.test.ts', 'lint/**/*.test.ts', 'scripts/test/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/*.e2e.test.ts', '**/node_modules/**'],
          // Not a speed limit (benchmarks measure speed): some unit tests account a month of
          // quarter-hours, and two cores are shared with other files.
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['**/*.int.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup,
          // Generous: services on two shared cores; a test that hangs still ends.
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'e2e',
          // After the integration tests: the fault tests stop InfluxDB, which they share.
          sequence: { groupOrder: 2 },
          include: ['test/e2e/**/*.e2e.test.ts'],
          globalSetup,
          // Each e2e file owns the broker's topic space while it runs: one file at a time.
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'chaos',
          // Last: its own stack (a Kafka cluster it kills whole or in part), beside the shared one.
          sequence: { groupOrder: 3 },
          include: ['test/e2e/chaos/**/*.chaos.test.ts'],
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
