/** Stock positions, sortable by every column. */
import { useMemo, useState } from 'preact/hooks';
import type { StockPositionView } from '../../../shared/models.js';
import { Amount, Section, SortHeader, TableWrap } from '../components/bits.js';
import {
  formatMoney,
  formatPercentPoints,
  formatPrice,
  formatQuantity,
  formatSignedMoney,
  trendOf,
} from '../lib/format.js';
import { nextSort, type SortAccessors, type SortState, sortRows } from '../lib/sort.js';

export type StockColumn =
  | 'symbol'
  | 'account'
  | 'quantity'
  | 'averagePrice'
  | 'lastPrice'
  | 'marketValue'
  | 'pl'
  | 'plPercent';

export const STOCK_SORT: SortAccessors<StockPositionView, StockColumn> = {
  symbol: (r) => ({ kind: 'text', value: r.symbol }),
  account: (r) => ({ kind: 'text', value: r.accountKey }),
  quantity: (r) => ({ kind: 'decimal', value: r.quantity }),
  averagePrice: (r) => ({ kind: 'decimal', value: r.averagePrice }),
  lastPrice: (r) => ({ kind: 'decimal', value: r.lastPrice }),
  marketValue: (r) => ({ kind: 'decimal', value: r.marketValue }),
  pl: (r) => ({ kind: 'decimal', value: r.unrealizedPl }),
  plPercent: (r) => ({ kind: 'decimal', value: r.unrealizedPlPercent }),
};

export function StockTable({
  stocks,
  privacy,
  showAccount = false,
}: {
  stocks: StockPositionView[];
  privacy: boolean;
  /** The All accounts view: a column says which account holds each position. */
  showAccount?: boolean;
}) {
  const [sort, setSort] = useState<SortState<StockColumn>>({ key: 'marketValue', direction: 'descending' });
  const rows = useMemo(() => sortRows(stocks, sort, STOCK_SORT), [stocks, sort]);
  const onSort = (column: StockColumn) =>
    setSort((s) =>
      nextSort(s, column, column === 'symbol' || column === 'account' ? 'ascending' : 'descending'),
    );
  const header = { sort, onSort };
  return (
    <Section id="stocks" title={`Stocks (${stocks.length})`}>
      {stocks.length === 0 ? (
        <p class="empty">No stock positions.</p>
      ) : (
        <TableWrap label="Stock positions">
          <table class="data-table" aria-labelledby="stocks-title">
            <thead>
              <tr>
                <SortHeader label="Symbol" column="symbol" {...header} />
                {showAccount && <SortHeader label="Account" column="account" {...header} />}
                <SortHeader label="Qty" column="quantity" align="right" title="Shares" {...header} />
                <SortHeader label="Avg price" column="averagePrice" align="right" {...header} />
                <SortHeader label="Last" column="lastPrice" align="right" title="Last price" {...header} />
                <SortHeader label="Market value" column="marketValue" align="right" {...header} />
                <SortHeader
                  label="P&L"
                  column="pl"
                  align="right"
                  title="Unrealized profit and loss"
                  {...header}
                />
                <SortHeader label="P&L %" column="plPercent" align="right" {...header} />
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const trend = trendOf(r.unrealizedPl);
                return (
                  <tr key={`${r.accountKey}|${r.symbol}`}>
                    <th scope="row">
                      <span class="symbol">{r.symbol}</span>
                      {r.name && <span class="sub">{r.name}</span>}
                    </th>
                    {showAccount && <td class="account-cell">{r.accountKey}</td>}
                    <td class="num">
                      <Amount text={formatQuantity(r.quantity, { privacy })} privacy={privacy} />
                    </td>
                    <td class="num">
                      <Amount text={formatPrice(r.averagePrice, { privacy })} privacy={privacy} />
                    </td>
                    <td class="num">
                      <Amount text={formatPrice(r.lastPrice, { privacy })} privacy={privacy} />
                    </td>
                    <td class="num">
                      <Amount text={formatMoney(r.marketValue, { privacy })} privacy={privacy} />
                    </td>
                    <td class={`num change-${trend}`}>
                      <Amount text={formatSignedMoney(r.unrealizedPl, { privacy })} privacy={privacy} />
                    </td>
                    <td class={`num change-${trend}`}>{formatPercentPoints(r.unrealizedPlPercent)}</td>
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
