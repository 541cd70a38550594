/** Sync statistics for the status window: totals over all recorded cycles plus the latest runs. */
import type { RunRecordStatus, SyncRunView, SyncStats } from '../../../shared/models.js';
import { CYCLE_STATUSES, tallyRuns } from '../../../shared/run-tally.js';
import type { DbRow, Queryable } from '../repos/common.js';
import { as } from '../repos/common.js';
import { quarantineRepo } from '../repos/quarantine.js';
import { runRecord } from '../repos/runs.js';

/** Averages of counts and milliseconds (not money): plain numbers, rounded to `places`. */
function rounded(value: unknown, places: number): number | null {
  if (value === null || value === undefined) return null;
  const factor = 10 ** places;
  return Math.round(Number(value) * factor) / factor;
}

/**
 * Counted with tallyRuns, as everywhere else: skipped runs and runs still going are not cycles and
 * do not enter the averages; they still appear among the recent runs.
 */
export async function readStats(
  db: Queryable,
  options: { rateLimitPerMinute: number; recentLimit?: number; since?: Date },
): Promise<SyncStats> {
  const byStatus = db('sync_runs').select('status').count({ n: '*' }).groupBy('status');
  const averages = db('sync_runs')
    .whereIn('status', [...CYCLE_STATUSES])
    .select(
      db.raw('avg(duration_ms) as avg_duration'),
      db.raw('avg(api_requests) as avg_requests'),
      db.raw('max(api_requests) as max_requests'),
    );
  if (options.since) {
    byStatus.where('started_at', '>=', options.since.toISOString());
    averages.where('started_at', '>=', options.since.toISOString());
  }
  const counts = (await byStatus) as DbRow[];
  const tally = tallyRuns(counts.map((r) => [as<RunRecordStatus>(r.status), Number(r.n)] as const));
  const [row] = (await averages) as DbRow[];
  const recent = (await db('sync_runs')
    .orderBy('id', 'desc')
    .limit(options.recentLimit ?? 20)) as DbRow[];
  const recentRuns: SyncRunView[] = recent.map((r) => {
    const run = runRecord(r);
    return {
      id: run.id,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      status: run.status,
      trigger: run.trigger,
      streams: run.streams,
      apiRequests: run.apiRequests,
      rowsWritten: run.rowsWritten,
      durationMs: run.durationMs,
      error: run.error,
    };
  });
  return {
    ...tally,
    successRate: tally.cycles === 0 ? null : tally.successes / tally.cycles,
    averageDurationMs: rounded(row?.avg_duration, 0),
    averageRequests: rounded(row?.avg_requests, 1),
    maxRequests: rounded(row?.max_requests, 0),
    rateLimitPerMinute: options.rateLimitPerMinute,
    quarantined: await quarantineRepo.count(db),
    recentRuns,
  };
}
