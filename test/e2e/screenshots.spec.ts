/**
 * Screenshots of both windows in light and dark at the desktop window size (900x650), plus a full
 * page of each, under test-results/screenshots/ for review.
 */
import { expect, test } from './fixtures.js';

const DIR = 'test-results/screenshots';

for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(`${colorScheme} scheme`, () => {
    test.use({ viewport: { width: 900, height: 650 } });

    test(`status window (${colorScheme})`, async ({ page, magnus }) => {
      await page.emulateMedia({ colorScheme });
      await magnus.open(page, 'status.html');
      await expect(page.locator('.chart-canvas canvas')).toBeVisible();
      await page.screenshot({ path: `${DIR}/status-${colorScheme}.png` });
      await page.screenshot({ path: `${DIR}/status-${colorScheme}-full.png`, fullPage: true });
    });

    test(`settings window (${colorScheme})`, async ({ page, magnus }) => {
      await page.emulateMedia({ colorScheme });
      await magnus.open(page, 'settings.html');
      await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
      await page.screenshot({ path: `${DIR}/settings-${colorScheme}.png` });
      await page.screenshot({ path: `${DIR}/settings-${colorScheme}-full.png`, fullPage: true });
    });
  });
}
