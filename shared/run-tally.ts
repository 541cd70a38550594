/**
 * One way to count sync runs, used by the status command, the status window's statistics, the
 * daemon's stop summary and the metrics. A cycle is every run that did something: everything but a
 * skipped run (another agent held every account) and one still running. An interrupted run (stopped,
 * or its process died) is a cycle that is neither a success nor a failure: it may have committed.
 */
import type { RunRecordStatus } from './models.js';

export interface RunTally {
  cycles: number;
  successes: number;
  failures: number;
  partials: number;
  interrupted: number;
}

/** Statuses that count as cycles (and enter the averages). */
export const CYCLE_STATUSES = [
  'success',
  'failed',
  'partial',
  'interrupted',
] as const satisfies readonly RunRecordStatus[];

/** Counts runs given as (status, how many) pairs: one pair per run, or per status from a GROUP BY. */
export function tallyRuns(counts: Iterable<readonly [RunRecordStatus, number]>): RunTally {
  const tally: RunTally = { cycles: 0, successes: 0, failures: 0, partials: 0, interrupted: 0 };
  for (const [status, n] of counts) {
    if ((CYCLE_STATUSES as readonly string[]).includes(status)) tally.cycles += n;
    if (status === 'success') tally.successes += n;
    else if (status === 'failed') tally.failures += n;
    else if (status === 'partial') tally.partials += n;
    else if (status === 'interrupted') tally.interrupted += n;
  }
  return tally;
}
