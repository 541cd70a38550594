/** How the sync has been doing: success rate, errors, duration, API cost against the budget, runs. */
import type { RunRecordStatus, SyncStats } from '../../../shared/models.js';
import { RelTime, Section, TableWrap } from '../components/bits.js';
import { Icon, type IconName } from '../components/Icon.js';
import { formatDuration, formatRate } from '../lib/format.js';

const RUN_LOOK: Record<RunRecordStatus, { label: string; icon: IconName; tone: string }> = {
  success: { label: 'OK', icon: 'check', tone: 'ok' },
  partial: { label: 'Partial', icon: 'alert', tone: 'paused' },
  failed: { label: 'Failed', icon: 'alert', tone: 'error' },
  skipped: { label: 'Skipped', icon: 'pause', tone: 'offline' },
  interrupted: { label: 'Interrupted', icon: 'alert', tone: 'paused' },
  running: { label: 'Running', icon: 'sync', tone: 'ok' },
};

/** Share of one minute's request budget a cycle uses (what the rate limiter grants per minute). */
export function budgetShare(requests: number | null, perMinute: number): number | null {
  if (requests === null || perMinute <= 0) return null;
  return requests / perMinute;
}

export function SyncStatsPanel({ stats, now }: { stats: SyncStats; now: Date }) {
  const share = budgetShare(stats.maxRequests, stats.rateLimitPerMinute);
  return (
    <Section id="sync-stats" title="Sync health">
      <dl class="tiles">
        <div class="tile">
          <dt>Cycles</dt>
          <dd>{stats.cycles.toLocaleString('en-US')}</dd>
        </div>
        <div class="tile">
          <dt>Success rate</dt>
          <dd>{formatRate(stats.successRate)}</dd>
        </div>
        <div class={`tile${stats.failures > 0 ? ' tile-warn' : ''}`}>
          <dt>Errors</dt>
          <dd>
            {stats.failures}
            {stats.partials > 0 && <span class="muted small"> + {stats.partials} partial</span>}
          </dd>
        </div>
        <div class="tile">
          <dt>Avg cycle</dt>
          <dd>{formatDuration(stats.averageDurationMs)}</dd>
        </div>
        {stats.quarantined > 0 && (
          <div class="tile tile-warn" id="quarantined-items">
            <dt>Unreadable items kept</dt>
            <dd>{stats.quarantined}</dd>
          </div>
        )}
        <div class="tile tile-wide">
          <dt>API requests per cycle</dt>
          <dd>
            {stats.averageRequests ?? '—'} <span class="muted small">avg</span> · {stats.maxRequests ?? '—'}{' '}
            <span class="muted small">max</span>
            {share !== null && (
              <>
                <meter
                  class="budget"
                  min={0}
                  max={1}
                  low={0.5}
                  high={0.85}
                  optimum={0}
                  value={Math.min(1, share)}
                  aria-label="Largest cycle as a share of the per-minute request budget"
                />
                <span class="muted small budget-text">
                  {Math.round(share * 100)}% of the {stats.rateLimitPerMinute}/min budget
                </span>
              </>
            )}
          </dd>
        </div>
      </dl>

      <h3 class="subhead">Recent runs</h3>
      {stats.recentRuns.length === 0 ? (
        <p class="empty">No runs yet.</p>
      ) : (
        <TableWrap label="Recent runs" class="runs-wrap">
          <table class="data-table runs-table">
            <thead>
              <tr>
                <th scope="col">Finished</th>
                <th scope="col">Result</th>
                <th scope="col">Trigger</th>
                <th scope="col" class="num">
                  Duration
                </th>
                <th scope="col" class="num">
                  API calls
                </th>
                <th scope="col" class="num">
                  Rows
                </th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {stats.recentRuns.map((run) => {
                const look = RUN_LOOK[run.status];
                return (
                  <tr key={run.id}>
                    <td>
                      <RelTime iso={run.finishedAt} now={now} />
                    </td>
                    <td>
                      <span class={`run-status tone-text-${look.tone}`}>
                        <Icon name={look.icon} /> {look.label}
                      </span>
                    </td>
                    <td>{run.trigger}</td>
                    <td class="num">{formatDuration(run.durationMs)}</td>
                    <td class="num">{run.apiRequests}</td>
                    <td class="num">{run.rowsWritten}</td>
                    <td class="run-error">{run.error ?? ''}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      )}
    </Section>
  );
}
