import { defineConfig } from '@playwright/test';

/**
 * The Electron end-to-end spec: `npx playwright test -c test/e2e-electron/playwright.config.ts`
 * after `npm run build`. It needs a real Electron binary and reports itself skipped, with the
 * reason, where there is none (as on the project's build machines).
 */
export default defineConfig({
  testDir: '.',
  testMatch: /\.spec\.ts$/,
  outputDir: '../../test-results/e2e-electron',
  reporter: [['list']],
  timeout: 120_000,
  workers: 1,
});
