/**
 * Option positions with their Greeks; the legs of a multi-leg strategy sit under one strategy row
 * (net delta, net theta, summed P&L) that can be folded.
 */
import { useMemo, useState } from 'preact/hooks';
import type { OptionLegView } from '../../../shared/models.js';
import { Amount, Section, SortHeader, TableWrap } from '../components/bits.js';
import { Icon } from '../components/Icon.js';
import {
  formatGreek,
  formatIv,
  formatPrice,
  formatQuantity,
  formatSignedMoney,
  formatStrike,
  strategyLabel,
  trendOf,
} from '../lib/format.js';
import { nextSort, type SortAccessors, type SortState, sortRows } from '../lib/sort.js';
import { groupOptionLegs, legId, type OptionRow } from '../lib/strategies.js';

export type OptionColumn =
  | 'symbol'
  | 'type'
  | 'strike'
  | 'expiration'
  | 'side'
  | 'contracts'
  | 'mark'
  | 'delta'
  | 'theta'
  | 'iv'
  | 'pl';

const legOf = (row: OptionRow): OptionLegView | null => (row.kind === 'leg' ? row.leg : null);

export const OPTION_SORT: SortAccessors<OptionRow, OptionColumn> = {
  symbol: (r) => ({ kind: 'text', value: r.kind === 'leg' ? r.leg.symbol : r.symbol }),
  type: (r) => ({ kind: 'text', value: r.kind === 'leg' ? r.leg.optionType : strategyLabel(r.strategy) }),
  strike: (r) => ({
    kind: 'decimal',
    value: r.kind === 'leg' ? r.leg.strikePrice : (r.legs[0]?.strikePrice ?? null),
  }),
  expiration: (r) => ({ kind: 'number', value: r.kind === 'leg' ? r.leg.daysToExpiry : r.daysToExpiry }),
  side: (r) => ({ kind: 'text', value: legOf(r)?.direction ?? null }),
  contracts: (r) => ({
    kind: 'decimal',
    value: r.kind === 'leg' ? r.leg.quantity : (r.legs[0]?.quantity ?? null),
  }),
  mark: (r) => ({ kind: 'decimal', value: legOf(r)?.markPrice ?? null }),
  delta: (r) => ({ kind: 'decimal', value: r.kind === 'leg' ? r.leg.delta : r.netDelta }),
  theta: (r) => ({ kind: 'decimal', value: r.kind === 'leg' ? r.leg.theta : r.netTheta }),
  iv: (r) => ({ kind: 'decimal', value: legOf(r)?.impliedVolatility ?? null }),
  pl: (r) => ({ kind: 'decimal', value: r.kind === 'leg' ? r.leg.unrealizedPl : r.unrealizedPl }),
};

/** "Dec 19 (21d)"; the year only when it is not this year's. */
function expiryText(date: string, days: number): string {
  const at = new Date(`${date}T00:00:00Z`);
  const label = at.toLocaleDateString('en-US', {
    month: 'short',
    day: 'numeric',
    ...(at.getUTCFullYear() !== new Date().getUTCFullYear() ? { year: 'numeric' } : {}),
    timeZone: 'UTC',
  });
  return `${label} (${days}d)`;
}

function LegCells({
  leg,
  privacy,
  nested,
  showAccount,
}: {
  leg: OptionLegView;
  privacy: boolean;
  nested: boolean;
  showAccount: boolean;
}) {
  const trend = trendOf(leg.unrealizedPl);
  return (
    <>
      <th scope="row" class={nested ? 'leg-symbol' : undefined}>
        {nested && <span class="leg-mark" aria-hidden="true" />}
        <span class="symbol">{leg.symbol}</span>
        {!nested && leg.strategy && <span class="sub">{strategyLabel(leg.strategy)}</span>}
        {showAccount && !nested && <span class="sub account-cell">{leg.accountKey}</span>}
      </th>
      <td>
        <span class={`pill pill-${leg.optionType}`}>{leg.optionType === 'call' ? 'Call' : 'Put'}</span>
      </td>
      <td class="num">{formatStrike(leg.strikePrice)}</td>
      <td class={leg.daysToExpiry <= 7 ? 'warn-text' : undefined}>
        {expiryText(leg.expirationDate, leg.daysToExpiry)}
      </td>
      <td>
        <span class={`side side-${leg.direction}`}>{leg.direction === 'long' ? 'Long' : 'Short'}</span>
      </td>
      <td class="num">
        <Amount text={formatQuantity(leg.quantity, { privacy })} privacy={privacy} />
      </td>
      <td class="num">
        <Amount text={formatPrice(leg.markPrice, { privacy })} privacy={privacy} />
      </td>
      <td class="num">{formatGreek(leg.delta)}</td>
      <td class="num">{formatGreek(leg.theta)}</td>
      <td class="num">{formatIv(leg.impliedVolatility)}</td>
      <td class={`num change-${trend}`}>
        <Amount text={formatSignedMoney(leg.unrealizedPl, { privacy })} privacy={privacy} />
      </td>
    </>
  );
}

export function OptionTable({
  legs,
  privacy,
  showAccount = false,
}: {
  legs: OptionLegView[];
  privacy: boolean;
  /** The All accounts view: each position (or strategy) says which account holds it. */
  showAccount?: boolean;
}) {
  const [sort, setSort] = useState<SortState<OptionColumn>>({ key: 'expiration', direction: 'ascending' });
  const [folded, setFolded] = useState<ReadonlySet<string>>(new Set());
  const rows = useMemo(() => sortRows(groupOptionLegs(legs), sort, OPTION_SORT), [legs, sort]);
  const ascendingFirst: OptionColumn[] = ['symbol', 'type', 'expiration', 'side'];
  const onSort = (column: OptionColumn) =>
    setSort((s) => nextSort(s, column, ascendingFirst.includes(column) ? 'ascending' : 'descending'));
  const toggle = (id: string) =>
    setFolded((f) => {
      const next = new Set(f);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const header = { sort, onSort };
  const contracts = legs.length;
  return (
    <Section id="options" title={`Options (${contracts} ${contracts === 1 ? 'leg' : 'legs'})`}>
      {legs.length === 0 ? (
        <p class="empty">No option positions.</p>
      ) : (
        <TableWrap label="Option positions">
          <table class="data-table options-table" aria-labelledby="options-title">
            <thead>
              <tr>
                <SortHeader label="Symbol" column="symbol" {...header} />
                <SortHeader label="Type" column="type" title="Call or put" {...header} />
                <SortHeader label="Strike" column="strike" align="right" {...header} />
                <SortHeader
                  label="Expires"
                  column="expiration"
                  title="Expiration (days to expiry)"
                  {...header}
                />
                <SortHeader label="Side" column="side" title="Long or short" {...header} />
                <SortHeader label="Qty" column="contracts" align="right" title="Contracts" {...header} />
                <SortHeader
                  label="Mark"
                  column="mark"
                  align="right"
                  title="Mark price per share"
                  {...header}
                />
                <SortHeader
                  label="Δ"
                  column="delta"
                  align="right"
                  title="Delta (net for strategies)"
                  {...header}
                />
                <SortHeader
                  label="Θ"
                  column="theta"
                  align="right"
                  title="Theta per day (net for strategies)"
                  {...header}
                />
                <SortHeader label="IV" column="iv" align="right" title="Implied volatility" {...header} />
                <SortHeader
                  label="P&L"
                  column="pl"
                  align="right"
                  title="Unrealized profit and loss"
                  {...header}
                />
              </tr>
            </thead>
            {rows.map((row) => {
              if (row.kind === 'leg') {
                return (
                  <tbody key={row.id}>
                    <tr>
                      <LegCells leg={row.leg} privacy={privacy} nested={false} showAccount={showAccount} />
                    </tr>
                  </tbody>
                );
              }
              const open = !folded.has(row.id);
              const trend = trendOf(row.unrealizedPl);
              return (
                <tbody key={row.id} class="strategy-group">
                  <tr class="strategy-row">
                    <th scope="row">
                      <button
                        type="button"
                        class="fold"
                        aria-expanded={open}
                        onClick={() => toggle(row.id)}
                        title={open ? 'Hide legs' : 'Show legs'}
                      >
                        <Icon name="chevron" class={open ? 'rot90' : undefined} />
                        <span class="symbol">{row.symbol}</span>
                      </button>
                      {showAccount && <span class="sub account-cell">{row.legs[0]?.accountKey}</span>}
                    </th>
                    <td colSpan={2}>
                      <span class="strategy-name">{strategyLabel(row.strategy)}</span>
                    </td>
                    <td class={row.daysToExpiry <= 7 ? 'warn-text' : undefined}>
                      {expiryText(row.expirationDate, row.daysToExpiry)}
                    </td>
                    <td colSpan={3} class="muted">
                      {row.legs.length} legs
                    </td>
                    <td class="num" title="Net delta">
                      {formatGreek(row.netDelta)}
                    </td>
                    <td class="num" title="Net theta">
                      {formatGreek(row.netTheta)}
                    </td>
                    <td />
                    <td class={`num change-${trend}`}>
                      <Amount text={formatSignedMoney(row.unrealizedPl, { privacy })} privacy={privacy} />
                    </td>
                  </tr>
                  {open &&
                    row.legs.map((leg) => (
                      <tr key={legId(leg)} class="leg-row">
                        <LegCells leg={leg} privacy={privacy} nested showAccount={showAccount} />
                      </tr>
                    ))}
                </tbody>
              );
            })}
          </table>
        </TableWrap>
      )}
    </Section>
  );
}
