/** The short soak inside `npm test` (the full 1,000 cycles: `npm run soak`). */
import { describe, expect, it } from 'vitest';
import { runSoak } from './soak.js';

describe('soak (short)', () => {
  it('80 cycles with random faults and moving prices: store equals a clean sync, errors equal fatal faults', async () => {
    const r = await runSoak({ cycles: 80, seed: 7, historyEvery: 8 });
    expect(r.fatalFaults).toBeGreaterThan(0);
    expect(r.absorbedFaults).toBeGreaterThan(0);
    expect(r.duplicates).toEqual([]);
    expect(r.errorCount).toBe(r.fatalFaults);
    expect(r.failedOrPartialCycles).toBe(r.fatalFaults);
    expect(r.store).toEqual(r.clean);
  }, 120_000);
});
