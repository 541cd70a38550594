/**
 * Progress inside a step in the status window: the pushed status carries what moved in the step
 * (pages, requests, the day the history reached, the rate-limit wait) and the page shows it in
 * place, under the step, without reloading or calling anything.
 */
import { expect, test } from './fixtures.js';

test('shows pages, requests, the day reached and the rate-limit wait of the running step', async ({
  page,
  magnus,
}) => {
  await magnus.open(page);
  // The chart and the closed-trades panel fetch their data after the page has rendered: wait for
  // those first loads, so what follows counts only calls the progress updates would cause.
  await expect
    .poll(() => magnus.calls.names)
    .toEqual(expect.arrayContaining(['getState', 'getChart', 'getClosedTrades']));
  const callsBefore = magnus.calls.names.length;
  const base = magnus.runtime.status();
  const step = { step: 'Trade history ****1234', completed: 5, total: 10 };
  magnus.runtime.events.emit('status', { ...base, state: 'syncing', progress: step });
  await expect(page.locator('.status-detail')).toHaveText('Trade history ****1234 (5 of 10)');
  await expect(page.locator('.status-activity')).toHaveCount(0);

  magnus.runtime.events.emit('status', {
    ...base,
    state: 'syncing',
    progress: {
      ...step,
      activity: { requests: 7, pages: 6, reachedDate: '2025-06-30', rateLimitWaitMs: 3_400 },
    },
  });
  await expect(page.locator('.status-activity')).toHaveText(
    '6 pages · 7 requests · back to 2025-06-30 · 3 s rate-limit wait',
  );
  magnus.runtime.events.emit('status', {
    ...base,
    state: 'syncing',
    progress: {
      ...step,
      activity: { requests: 41, pages: 40, reachedDate: '2024-03-14', rateLimitWaitMs: 125_000 },
    },
  });
  await expect(page.locator('.status-activity')).toHaveText(
    '40 pages · 41 requests · back to 2024-03-14 · 2 min 5 s rate-limit wait',
  );

  magnus.runtime.events.emit('status', { ...base, state: 'idle', progress: null });
  await expect(page.locator('.status-activity')).toHaveCount(0);
  // Pushed, not fetched: the page made no call for any of it.
  expect(magnus.calls.names.length).toBe(callsBefore);
});
