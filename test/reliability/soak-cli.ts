/**
 * `npm run soak`: 1,000 cycles (SOAK_CYCLES to change) with random faults and moving prices against
 * the simulator and a fresh PostgreSQL database; exits 1 unless the store equals a clean sync of
 * the final broker state and the error count equals the fatal faults injected.
 */
import { runSoak } from './soak.js';

const cycles = Number(process.env.SOAK_CYCLES ?? 1000);
const seed = Number(process.env.SOAK_SEED ?? 1);
const result = await runSoak({
  cycles,
  seed,
  historyEvery: 10,
  onProgress: (done) => {
    if (done % 100 === 0) console.log(`soak: ${done}/${cycles} cycles`);
  },
});
const ok =
  result.matchesCleanSync &&
  result.duplicates.length === 0 &&
  result.errorCount === result.fatalFaults &&
  result.failedOrPartialCycles === result.fatalFaults;
console.log(
  JSON.stringify({
    ok,
    cycles: result.cycles,
    fatalFaults: result.fatalFaults,
    absorbedFaults: result.absorbedFaults,
    errorCount: result.errorCount,
    failedOrPartialCycles: result.failedOrPartialCycles,
    duplicates: result.duplicates,
    matchesCleanSync: result.matchesCleanSync,
    durationSeconds: Math.round(result.durationMs / 1000),
  }),
);
process.exit(ok ? 0 : 1);
