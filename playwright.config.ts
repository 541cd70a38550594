import { defineConfig } from '@playwright/test';
import type { HarnessFactory } from './test/e2e/fixtures.js';
import { realRuntimeHarness } from './test/e2e/real-runtime.js';

/** Real Chromium from Debian (no browser download); see test/e2e/. */
export default defineConfig<{ harnessFactory: HarnessFactory }>({
  testDir: 'test/e2e',
  outputDir: 'test-results/playwright',
  reporter: [['list'], ['json']],
  timeout: 60_000,
  workers: 1,
  projects: [
    // Every spec against the in-memory runtime (scripted broker answers, keychain missing, ...).
    { name: 'memory', testIgnore: /real-runtime/ },
    // The status and accessibility specs again against the real engine, simulator and PostgreSQL.
    {
      name: 'real-runtime',
      testMatch: /(status|accessibility)\.spec\.ts$/,
      // The literal values of the in-memory sample portfolio are not the simulator's.
      grepInvert: /@sample-portfolio/,
      use: { harnessFactory: realRuntimeHarness() },
    },
  ],
  use: {
    launchOptions: {
      executablePath: process.env.MAGNUS_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
});
