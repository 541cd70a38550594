/** Sync statistics for the status window: totals over all recorded cycles plus the latest runs. */
import type { SyncRunView, SyncStats } from '../../../shared/models.js';
import type { DbRow, Queryable } from '../repos/common.js';
import { quarantineRepo } from '../repos/quarantine.js';
import { runRecord } from '../repos/runs.js';

/** Averages of counts and milliseconds (not money): plain numbers, rounded to `places`. */
function rounded(value: unknown, places: number): number | null {
  if (value === null || value === undefined) return null;
  const factor = 10 ** places;
  return Math.round(Number(value) * factor) / factor;
}

/**
 * Skipped cycles (another agent held the account, or nothing was due) are not counted as cycles
 * and do not enter the averages; they still appear among the recent runs.
 */
export async function readStats(
  db: Queryable,
  options: { rateLimitPerMinute: number; recentLimit?: number; since?: Date },
): Promise<SyncStats> {
  const totals = db('sync_runs').select(
    db.raw(`count(*) filter (where status <> 'skipped') as cycles`),
    db.raw(`count(*) filter (where status = 'success') as successes`),
    db.raw(`count(*) filter (where status = 'failed') as failures`),
    db.raw(`count(*) filter (where status = 'partial') as partials`),
    db.raw(`avg(duration_ms) filter (where status <> 'skipped') as avg_duration`),
    db.raw(`avg(api_requests) filter (where status <> 'skipped') as avg_requests`),
    db.raw(`max(api_requests) filter (where status <> 'skipped') as max_requests`),
  );
  if (options.since) totals.where('started_at', '>=', options.since.toISOString());
  const [row] = (await totals) as DbRow[];
  const recent = (await db('sync_runs')
    .orderBy('id', 'desc')
    .limit(options.recentLimit ?? 20)) as DbRow[];
  const cycles = Number(row?.cycles ?? 0);
  const successes = Number(row?.successes ?? 0);
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
    cycles,
    successes,
    failures: Number(row?.failures ?? 0),
    partials: Number(row?.partials ?? 0),
    successRate: cycles === 0 ? null : successes / cycles,
    averageDurationMs: rounded(row?.avg_duration, 0),
    averageRequests: rounded(row?.avg_requests, 1),
    maxRequests: rounded(row?.max_requests, 0),
    rateLimitPerMinute: options.rateLimitPerMinute,
    quarantined: await quarantineRepo.count(db),
    recentRuns,
  };
}
