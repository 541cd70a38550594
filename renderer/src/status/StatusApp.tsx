/** The status window: sync state, portfolio, chart, positions, sync health. */
import { useEffect } from 'preact/hooks';
import { ALL_ACCOUNTS } from '../../../shared/models.js';
import { useAppState, useNow } from '../components/hooks.js';
import { Icon } from '../components/Icon.js';
import { stateInfo } from '../lib/state-labels.js';
import type { AppStore } from '../state/app-store.js';
import { ClosedTradesPanel } from './ClosedTradesPanel.js';
import { OptionTable } from './OptionTable.js';
import { PortfolioChart } from './PortfolioChart.js';
import { PortfolioSummary } from './PortfolioSummary.js';
import { StatusHeader } from './StatusHeader.js';
import { StockTable } from './StockTable.js';
import { SyncStatsPanel } from './SyncStatsPanel.js';

export function StatusApp({ store }: { store: AppStore }) {
  const state = useAppState(store);
  const { status, dashboard, stats, settings } = state;
  const now = useNow([
    status?.lastSuccessAt,
    status?.nextRunAt,
    status?.throttledUntil,
    stats?.recentRuns[0]?.finishedAt,
    dashboard?.snapshot?.takenAt,
  ]);
  const privacy = settings?.settings.privacyMode ?? false;

  useEffect(() => {
    document.title = status ? `${stateInfo(status, now).label} · Magnus Sync` : 'Magnus Sync';
  }, [status, now]);

  if (state.phase === 'loading' && !status) {
    return (
      <main class="center-message" aria-busy="true">
        <p>Loading Magnus Sync…</p>
      </main>
    );
  }
  if (state.phase === 'failed' || !status || !dashboard || !stats) {
    return (
      <main class="center-message">
        <h1>Magnus Sync</h1>
        <p class="error-text" role="alert">
          <Icon name="alert" /> {state.loadError ?? 'The status could not be loaded.'}
        </p>
        <button type="button" class="btn btn-primary" onClick={() => void store.load()}>
          Try again
        </button>
      </main>
    );
  }

  const accountKey = dashboard.scope === 'all' ? ALL_ACCOUNTS : (dashboard.account?.accountKey ?? null);
  const showAccount = dashboard.scope === 'all';
  return (
    <>
      <StatusHeader
        status={status}
        now={now}
        privacy={privacy}
        busy={state.busy}
        connection={state.connection}
        onSyncNow={() => void store.syncNow()}
        onPauseToggle={() => void store.setPaused(status.state !== 'paused')}
        onPrivacyToggle={() => void store.setPrivacy(!privacy)}
      />
      <main class="content">
        <h1 class="visually-hidden">Magnus Sync status</h1>
        {state.notice && (
          <div class={`banner banner-${state.notice.tone === 'error' ? 'error' : 'info'}`} role="status">
            <span>{state.notice.text}</span>
            <button type="button" class="link-button" onClick={() => store.dismissNotice()}>
              Dismiss
            </button>
          </div>
        )}
        <div class="top-grid">
          <PortfolioSummary
            dashboard={dashboard}
            privacy={privacy}
            now={now}
            onSelectAccount={(key) => void store.selectAccount(key)}
          />
          <PortfolioChart
            client={store.client}
            accountKey={accountKey}
            dataVersion={state.dataVersion}
            privacy={privacy}
          />
        </div>
        <StockTable stocks={dashboard.stocks} privacy={privacy} showAccount={showAccount} />
        <OptionTable legs={dashboard.options} privacy={privacy} showAccount={showAccount} />
        <ClosedTradesPanel
          client={store.client}
          accountKey={accountKey}
          dataVersion={state.dataVersion}
          privacy={privacy}
          showAccount={showAccount}
        />
        <SyncStatsPanel stats={stats} now={now} />
        <footer class="page-footer muted">
          Magnus Sync {state.version}
          {dashboard.positionsAsOf && (
            <>
              {' '}
              · positions as of{' '}
              <time dateTime={dashboard.positionsAsOf}>
                {new Date(dashboard.positionsAsOf).toLocaleString('en-US', {
                  dateStyle: 'medium',
                  timeStyle: 'short',
                })}
              </time>
            </>
          )}
        </footer>
      </main>
    </>
  );
}
