/**
 * The top of the status window: is the sync working, when did it last succeed, when is the next
 * one, what does a cycle cost in API calls — and the buttons to act on it.
 */
import type { SyncStatus } from '../../../shared/models.js';
import { activityLine } from '../../../shared/progress-text.js';
import type { ConnectionState } from '../api/renderer-client.js';
import { RelTime } from '../components/bits.js';
import { Icon, type IconName } from '../components/Icon.js';
import { stateInfo } from '../lib/state-labels.js';

export function StateBadge({ status, now }: { status: SyncStatus; now: Date }) {
  const info = stateInfo(status, now);
  return (
    <span class={`badge tone-${info.tone}`} data-state={status.state}>
      <Icon name={info.icon as IconName} class={info.tone === 'busy' ? 'spin' : undefined} />
      <span>{info.label}</span>
    </span>
  );
}

export function StatusHeader({
  status,
  now,
  privacy,
  busy,
  connection,
  onSyncNow,
  onPauseToggle,
  onPrivacyToggle,
}: {
  status: SyncStatus;
  now: Date;
  privacy: boolean;
  busy: ReadonlySet<string>;
  connection: ConnectionState;
  onSyncNow: () => void;
  onPauseToggle: () => void;
  onPrivacyToggle: () => void;
}) {
  const info = stateInfo(status, now);
  const paused = status.state === 'paused';
  const syncing = status.state === 'syncing';
  const p = status.progress;
  return (
    <header class={`status-header tone-edge-${info.tone}`}>
      <div class="brand-row">
        <div class="brand">
          <span class="brand-name">Magnus Sync</span>
          {status.demo && (
            <span class="demo-tag" title="Syncing the built-in simulator, not a real account">
              Demo data
            </span>
          )}
        </div>
        <div class="toolbar">
          <button
            type="button"
            class="btn btn-primary"
            onClick={onSyncNow}
            disabled={busy.has('sync') || syncing}
            title="Start a sync cycle now"
          >
            <Icon name="sync" class={syncing ? 'spin' : undefined} />
            Sync now
          </button>
          <button type="button" class="btn" onClick={onPauseToggle} disabled={busy.has('pause')}>
            <Icon name={paused ? 'play' : 'pause'} />
            {paused ? 'Resume' : 'Pause'}
          </button>
          <button
            type="button"
            class="btn btn-icon"
            aria-pressed={privacy}
            onClick={onPrivacyToggle}
            disabled={busy.has('privacy')}
            title={privacy ? 'Show amounts' : 'Hide amounts'}
          >
            <Icon name={privacy ? 'eyeOff' : 'eye'} />
            <span class="visually-hidden">Hide amounts</span>
          </button>
          <a class="btn btn-icon" href="settings.html" title="Settings">
            <Icon name="gear" />
            <span class="visually-hidden">Settings</span>
          </a>
        </div>
      </div>

      <div class="status-row">
        <div class="status-main">
          <StateBadge status={status} now={now} />
          <p class="status-detail" aria-live="polite">
            {info.detail}
            {status.state === 'needs-auth' && (
              <>
                {' '}
                <a href="settings.html">Open settings to log in</a>
              </>
            )}
          </p>
          {syncing && p?.activity && (
            // Not a live region: it changes with every page; the step above is announced.
            <p class="status-activity muted">{activityLine(p.activity)}</p>
          )}
          {syncing && p && p.total > 0 && (
            <progress class="sync-progress" value={p.completed} max={p.total} aria-label="Sync progress" />
          )}
        </div>
        <dl class="status-facts">
          <div>
            <dt>Last successful sync</dt>
            <dd>
              <RelTime iso={status.lastSuccessAt} now={now} />
            </dd>
          </div>
          <div>
            <dt>Next sync</dt>
            <dd>
              {paused ? (
                <span class="muted">paused</span>
              ) : syncing ? (
                <span class="muted">running now</span>
              ) : (
                <RelTime iso={status.nextRunAt} now={now} fallback="not scheduled" />
              )}
            </dd>
          </div>
          <div>
            <dt>API calls last cycle</dt>
            <dd>
              {status.lastCycleRequests ?? '—'}
              <span class="muted"> / {status.rateLimitPerMinute} per min</span>
            </dd>
          </div>
        </dl>
      </div>
      {status.throttledUntil && Date.parse(status.throttledUntil) > now.getTime() && (
        <p class="banner banner-warn" role="status">
          <Icon name="clock" /> Robinhood is throttling requests; syncing resumes{' '}
          <RelTime iso={status.throttledUntil} now={now} />.
        </p>
      )}
      {connection !== 'connected' && (
        <p class="banner banner-warn" role="status">
          <Icon name="offline" />{' '}
          {connection === 'signed-out'
            ? 'Your session has ended. Open the address magnus-sync printed when it started.'
            : 'Connection to Magnus Sync lost; reconnecting…'}
        </p>
      )}
    </header>
  );
}
