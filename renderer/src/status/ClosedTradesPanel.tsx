/**
 * Closed trades and realized P&L: the sums for today, this month, this year and all time (and the
 * dividends received), the closed trades of a period and symbol in a sortable table, a CSV export of
 * exactly the rows shown, and the dividends received in that period. Fetched with getClosedTrades
 * for the shown account (or all accounts), again when the filter changes or new data arrives.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import {
  type ClosedTradesView,
  type PeriodSums,
  TRADE_PERIODS,
  type TradePeriod,
} from '../../../shared/models.js';
import { messageOf, type RendererClient } from '../api/renderer-client.js';
import { Amount, Section, SortHeader, TableWrap } from '../components/bits.js';
import {
  CLOSE_REASON_LABELS,
  CLOSED_TRADE_SORT,
  type ClosedTradeColumn,
  closedTradesCsv,
  contractLabel,
  csvFileName,
  dateLabel,
  marketDayLabel,
  PERIOD_LABELS,
} from '../lib/closed-trades.js';
import { formatPrice, formatQuantity, formatSignedMoney, trendOf } from '../lib/format.js';
import { nextSort, type SortState, sortRows } from '../lib/sort.js';

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function PeriodSumsRow({ label, sums, privacy }: { label: string; sums: PeriodSums; privacy: boolean }) {
  return (
    <div class="period-row">
      <div class="period-row-label">{label}</div>
      <dl class="period-sums">
        {TRADE_PERIODS.map((p) => (
          <div key={p}>
            <dt>{PERIOD_LABELS[p]}</dt>
            <dd class={`change-${trendOf(sums[p])}`}>
              <Amount text={formatSignedMoney(sums[p], { privacy })} privacy={privacy} />
            </dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

export function ClosedTradesPanel({
  client,
  accountKey,
  dataVersion,
  privacy,
  showAccount,
}: {
  client: RendererClient;
  accountKey: string | null;
  dataVersion: number;
  privacy: boolean;
  showAccount: boolean;
}) {
  const [period, setPeriod] = useState<TradePeriod>('all');
  const [symbol, setSymbol] = useState<string | null>(null);
  const [view, setView] = useState<ClosedTradesView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sort, setSort] = useState<SortState<ClosedTradeColumn>>({ key: 'closed', direction: 'descending' });

  useEffect(() => {
    if (!accountKey) return;
    let current = true;
    client.call('getClosedTrades', { accountKey, period, ...(symbol ? { symbol } : {}) }).then(
      (v) => {
        if (!current) return;
        setView(v);
        setError(null);
      },
      (e: unknown) => current && setError(messageOf(e)),
    );
    return () => {
      current = false;
    };
  }, [client, accountKey, period, symbol, dataVersion]);

  // A view for another filter (still loading) is not shown as this one's.
  const shown = view && view.period === period && view.symbol === symbol ? view : null;
  const rows = useMemo(() => (shown ? sortRows(shown.trades, sort, CLOSED_TRADE_SORT) : []), [shown, sort]);
  const ascendingFirst: ClosedTradeColumn[] = ['symbol', 'contract', 'reason'];
  const onSort = (column: ClosedTradeColumn) =>
    setSort((s) => nextSort(s, column, ascendingFirst.includes(column) ? 'ascending' : 'descending'));
  const header = { sort, onSort };
  const symbols = view?.symbols ?? [];
  const year = (shown?.asOf ?? '').slice(0, 4);

  const actions = (
    <>
      {/* biome-ignore lint/a11y/useSemanticElements: a toggle-button group (WAI-ARIA), not a form fieldset. */}
      <div class="segmented" role="group" aria-label="Closed trades period">
        {TRADE_PERIODS.map((p) => (
          <button key={p} type="button" aria-pressed={p === period} onClick={() => setPeriod(p)}>
            {PERIOD_LABELS[p]}
          </button>
        ))}
      </div>
      <label class="symbol-filter">
        <span class="visually-hidden">Symbol</span>
        <select
          value={symbol ?? ''}
          onChange={(e) => setSymbol((e.target as HTMLSelectElement).value || null)}
          aria-label="Symbol"
        >
          <option value="">All symbols</option>
          {symbols.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        class="btn"
        disabled={!shown || rows.length === 0}
        onClick={() => {
          if (!shown || !accountKey) return;
          download(csvFileName({ accountKey, period, symbol, asOf: shown.asOf }), closedTradesCsv(rows));
        }}
      >
        Export CSV
      </button>
    </>
  );

  return (
    <Section id="closed" title="Closed trades" actions={actions} class="closed-trades">
      {error ? (
        <p class="empty error-text">{error}</p>
      ) : !view ? (
        <p class="empty">Loading closed trades…</p>
      ) : (
        <>
          <PeriodSumsRow label="Realized P&L" sums={view.realized} privacy={privacy} />
          <PeriodSumsRow label="Dividends received" sums={view.dividends} privacy={privacy} />
          {!shown ? (
            <p class="empty">Loading…</p>
          ) : shown.trades.length === 0 ? (
            <p class="empty">
              No closed trades{symbol ? ` in ${symbol}` : ''}
              {period === 'all' ? ' yet' : ` ${PERIOD_LABELS[period].toLowerCase()}`}.
            </p>
          ) : (
            <>
              <p class="footnote filtered-total">
                {shown.tradeCount} {shown.tradeCount === 1 ? 'trade' : 'trades'}, realized{' '}
                <span class={`change-${trendOf(shown.filteredRealized)}`}>
                  <Amount text={formatSignedMoney(shown.filteredRealized, { privacy })} privacy={privacy} />
                </span>
                {shown.trades.length < shown.tradeCount && ` · showing the newest ${shown.trades.length}`}
              </p>
              <TableWrap label="Closed trades" class="closed-trades-table">
                <table class="data-table" aria-labelledby="closed-title">
                  <thead>
                    <tr>
                      <SortHeader label="Symbol" column="symbol" {...header} />
                      <SortHeader label="Contract" column="contract" {...header} />
                      <SortHeader
                        label="Qty"
                        column="quantity"
                        align="right"
                        title="Shares or contracts"
                        {...header}
                      />
                      <SortHeader label="Opened" column="opened" {...header} />
                      <SortHeader label="Closed" column="closed" {...header} />
                      <SortHeader
                        label="Open"
                        column="openPrice"
                        align="right"
                        title="Open price per share"
                        {...header}
                      />
                      <SortHeader
                        label="Close"
                        column="closePrice"
                        align="right"
                        title="Close price per share"
                        {...header}
                      />
                      <SortHeader
                        label="Realized P&L"
                        column="pl"
                        align="right"
                        title="Realized profit and loss after fees"
                        {...header}
                      />
                      <SortHeader label="Closed by" column="reason" {...header} />
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((t) => (
                      <tr key={t.tradeKey}>
                        <th scope="row">
                          <span class="symbol">{t.symbol}</span>
                          {showAccount && <span class="sub account-cell">{t.accountKey}</span>}
                        </th>
                        <td>{contractLabel(t)}</td>
                        <td class="num">
                          <Amount text={formatQuantity(t.quantity, { privacy })} privacy={privacy} />
                        </td>
                        <td>
                          <time dateTime={t.openedAt}>{marketDayLabel(t.openedAt, year)}</time>
                        </td>
                        <td>
                          <time dateTime={t.closedAt}>{marketDayLabel(t.closedAt, year)}</time>
                        </td>
                        <td class="num">
                          <Amount text={formatPrice(t.openPrice, { privacy })} privacy={privacy} />
                        </td>
                        <td class="num">
                          <Amount text={formatPrice(t.closePrice, { privacy })} privacy={privacy} />
                        </td>
                        <td class={`num change-${trendOf(t.realizedPl)}`}>
                          <Amount text={formatSignedMoney(t.realizedPl, { privacy })} privacy={privacy} />
                        </td>
                        <td>{CLOSE_REASON_LABELS[t.closeReason]}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            </>
          )}
          {shown && shown.receivedDividends.length > 0 && (
            <TableWrap label="Dividends received" class="dividends-table">
              <table class="data-table">
                <caption>Dividends received</caption>
                <thead>
                  <tr>
                    <th scope="col">Paid</th>
                    <th scope="col">Symbol</th>
                    {showAccount && <th scope="col">Account</th>}
                    <th scope="col" class="num">
                      Amount
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {shown.receivedDividends.map((d) => (
                    <tr key={d.dividendId}>
                      <td>
                        <time dateTime={d.paidOn}>{dateLabel(d.paidOn)}</time>
                        {d.state === 'reinvested' && <span class="sub">reinvested</span>}
                      </td>
                      <th scope="row">{d.symbol ?? '—'}</th>
                      {showAccount && <td class="account-cell">{d.accountKey}</td>}
                      <td class="num">
                        <Amount text={formatSignedMoney(d.amount, { privacy })} privacy={privacy} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </>
      )}
    </Section>
  );
}
