/**
 * The latest snapshot of one account, or of every account summed ("All accounts"), with a picker
 * when there are several.
 */
import { ALL_ACCOUNTS, type Dashboard } from '../../../shared/models.js';
import { Amount, Change, RelTime } from '../components/bits.js';
import { accountTypeLabel, formatMoney, formatPercentPoints } from '../lib/format.js';

export function AccountSwitcher({
  dashboard,
  onSelect,
}: {
  dashboard: Dashboard;
  onSelect: (accountKey: string) => void;
}) {
  if (dashboard.accounts.length < 2) return null;
  return (
    <label class="account-switcher">
      <span class="visually-hidden">Account</span>
      <select
        value={dashboard.scope === 'all' ? ALL_ACCOUNTS : dashboard.account?.accountKey}
        onChange={(e) => onSelect((e.target as HTMLSelectElement).value)}
      >
        <option value={ALL_ACCOUNTS}>All accounts</option>
        {dashboard.accounts.map((a) => (
          <option key={a.accountKey} value={a.accountKey}>
            {accountTypeLabel(a.accountType)} {a.accountKey}
          </option>
        ))}
      </select>
    </label>
  );
}

export function PortfolioSummary({
  dashboard,
  privacy,
  now,
  onSelectAccount,
}: {
  dashboard: Dashboard;
  privacy: boolean;
  now: Date;
  onSelectAccount: (accountKey: string) => void;
}) {
  const s = dashboard.snapshot;
  const account = dashboard.account;
  return (
    <section class="card summary" aria-labelledby="summary-title">
      <div class="card-head">
        <h2 id="summary-title">
          Portfolio
          {account && dashboard.accounts.length < 2 && (
            <span class="muted account-label">
              {accountTypeLabel(account.accountType)} {account.accountKey}
            </span>
          )}
        </h2>
        <AccountSwitcher dashboard={dashboard} onSelect={onSelectAccount} />
      </div>
      {!s ? (
        <p class="empty">No snapshot yet. It appears after the first successful sync.</p>
      ) : (
        <>
          <div class="equity-row">
            <div>
              <div class="label">
                {dashboard.scope === 'all'
                  ? `Portfolio value, ${dashboard.accounts.length} accounts`
                  : 'Portfolio value'}
              </div>
              <div class="equity">
                <Amount text={formatMoney(s.equity, { privacy })} privacy={privacy} />
              </div>
            </div>
            <div class="day-change">
              <div class="label">Today</div>
              <Change
                value={s.dayChange}
                percent={s.dayChangePercent}
                percentText={formatPercentPoints(s.dayChangePercent)}
                privacy={privacy}
              />
            </div>
          </div>
          <dl class="metrics">
            <div>
              <dt>Buying power</dt>
              <dd>
                <Amount text={formatMoney(s.buyingPower, { privacy })} privacy={privacy} />
              </dd>
            </div>
            <div>
              <dt>Cash</dt>
              <dd>
                <Amount text={formatMoney(s.cash, { privacy })} privacy={privacy} />
              </dd>
            </div>
            <div>
              <dt>Stocks</dt>
              <dd>
                <Amount text={formatMoney(s.stockValue, { privacy })} privacy={privacy} />
              </dd>
            </div>
            <div>
              <dt>Options</dt>
              <dd>
                <Amount text={formatMoney(s.optionsValue, { privacy })} privacy={privacy} />
              </dd>
            </div>
          </dl>
          <p class="footnote">
            Snapshot taken <RelTime iso={s.takenAt} now={now} />
          </p>
        </>
      )}
    </section>
  );
}
