import { defineConfig } from '@playwright/test';

/** Real Chromium from Debian (no browser download); see test/e2e/. */
export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results/playwright',
  reporter: [['list'], ['json']],
  timeout: 60_000,
  workers: 1,
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
