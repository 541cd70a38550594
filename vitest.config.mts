import { defineConfig } from 'vitest/config';

/**
 * Two tiers (see docs/testing.md):
 *  - unit: `*.test.ts`, in-process and fast; test/helpers/unit-tier-guard.ts refuses databases,
 *    child processes and the keychain (`npm run test:unit`);
 *  - integration: `*.integration.test.ts`, real PostgreSQL, child processes, keychain and full
 *    sync cycles against the simulator (`npm run test:integration`).
 */
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { TZ: 'UTC' },
    server: { deps: { inline: ['electron-store'] } },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.integration.test.ts', 'test/e2e/**', 'node_modules/**', 'dist/**'],
          setupFiles: ['test/helpers/unit-tier-guard.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.integration.test.ts'],
          exclude: ['test/e2e/**', 'node_modules/**', 'dist/**'],
        },
      },
    ],
  },
});
