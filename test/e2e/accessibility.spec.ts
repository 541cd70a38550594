/** axe-core on both windows, light and dark: no serious or critical violation. */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.js';

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
    }));
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`status window has no serious accessibility violations (${colorScheme})`, async ({ page, magnus }) => {
    await page.emulateMedia({ colorScheme });
    await magnus.open(page, 'status.html');
    await expect(page.locator('.chart-canvas canvas')).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
    // Again with amounts masked and a prompt showing.
    await page.getByRole('button', { name: 'Hide amounts' }).click();
    magnus.runtime.events.emit('status', {
      ...magnus.runtime.status(),
      state: 'needs-auth',
      authPrompt: { kind: 'credentials', message: 'Robinhood needs your password again.' },
    });
    await expect(page.getByRole('link', { name: 'Open settings to log in' })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });

  test(`settings window has no serious accessibility violations (${colorScheme})`, async ({
    page,
    magnus,
  }) => {
    await page.emulateMedia({ colorScheme });
    await magnus.open(page, 'settings.html');
    expect(await seriousViolations(page)).toEqual([]);
    // With every field marked invalid.
    await page.getByLabel('Sync interval').fill('1');
    await page.getByLabel('PostgreSQL server').check();
    await page.getByLabel('PostgreSQL URL').fill('nope');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.locator('[data-field-error]').first()).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });
}
