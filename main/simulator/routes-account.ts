/** Accounts, portfolios and positions (docs/broker-api.md#accounts, docs/broker-api.md#stock-positions, docs/broker-api.md#option-positions, docs/broker-api.md#option-aggregate-positions). */
import { Dec } from '../util/money.js';
import { batchParam, listReply } from './paging.js';
import {
  accountPayload,
  optionAggregatePayload,
  optionPositionPayload,
  portfolioPayload,
  stockPositionPayload,
} from './payloads.js';
import {
  notFound,
  ok,
  type Route,
  type RouteContext,
  route,
  type SimHttpRequest,
  truthy,
} from './routing.js';

function nonzeroOnly(request: SimHttpRequest): boolean {
  return truthy(request.query.get('nonzero'));
}

/** The accounts a list is restricted to: `param` (comma list) when given, else every account. */
function accountFilter(request: SimHttpRequest, param: string): (accountNumber: string) => boolean {
  const wanted = batchParam(request, param);
  if (wanted === null) return () => true;
  const set = new Set(wanted);
  return (accountNumber) => set.has(accountNumber);
}

export function accountRoutes(ctx: RouteContext): Route[] {
  const account = (n: string) => ctx.lookups.account(n);
  return [
    route('GET', '/accounts/', true, (request) =>
      listReply(request, ctx, ctx.state.accounts, (a) => accountPayload(ctx, a)),
    ),
    route(
      'GET',
      '/accounts/:n/',
      true,
      (_r, [n]) => {
        const a = account(n as string);
        return a ? ok(accountPayload(ctx, a)) : notFound();
      },
      { optionalSlash: true },
    ),
    route('GET', '/portfolios/', true, (request) =>
      listReply(request, ctx, ctx.state.accounts, (a) => portfolioPayload(ctx, a)),
    ),
    route(
      'GET',
      '/portfolios/:n/',
      true,
      (_r, [n]) => {
        const a = account(n as string);
        return a ? ok(portfolioPayload(ctx, a)) : notFound();
      },
      { optionalSlash: true },
    ),

    route('GET', '/positions/', true, (request) => {
      const inAccount = accountFilter(request, 'account_number');
      const nonzero = nonzeroOnly(request);
      const items = ctx.state.stockPositions.filter(
        (p) => inAccount(p.accountNumber) && (!nonzero || !new Dec(p.quantity).isZero()),
      );
      return listReply(request, ctx, items, (p) => stockPositionPayload(ctx, p));
    }),
    route('GET', '/positions/:n/:id/', true, (_r, [n, id]) => {
      const p = ctx.state.stockPositions.find((x) => x.accountNumber === n && x.instrumentId === id);
      return p ? ok(stockPositionPayload(ctx, p)) : notFound();
    }),

    route('GET', '/options/positions/', true, (request) => {
      const inAccount = accountFilter(request, 'account_numbers');
      const chains = batchParam(request, 'chain_ids');
      const nonzero = nonzeroOnly(request);
      const items = ctx.state.optionPositions.filter((p) => {
        if (!inAccount(p.accountNumber)) return false;
        if (nonzero && new Dec(p.quantity).isZero()) return false;
        if (chains && !chains.includes(ctx.lookups.option(p.optionId)?.chainId ?? '')) return false;
        return true;
      });
      return listReply(request, ctx, items, (p) => optionPositionPayload(ctx, p));
    }),
    route('GET', '/options/positions/:id/', true, (_r, [id]) => {
      const p = ctx.lookups.optionPosition(id as string);
      return p ? ok(optionPositionPayload(ctx, p)) : notFound();
    }),

    route('GET', '/options/aggregate_positions/', true, (request) => {
      const inAccount = accountFilter(request, 'account_numbers');
      const chains = batchParam(request, 'chain_ids');
      const nonzero = nonzeroOnly(request);
      const items = ctx.state.optionAggregates.filter((a) => {
        if (!inAccount(a.accountNumber)) return false;
        if (nonzero && new Dec(a.quantity).isZero()) return false;
        if (chains && !chains.includes(a.chainId)) return false;
        return true;
      });
      return listReply(request, ctx, items, (a) => optionAggregatePayload(ctx, a));
    }),
    route('GET', '/options/aggregate_positions/:id/', true, (_r, [id]) => {
      const a = ctx.lookups.optionAggregate(id as string);
      return a ? ok(optionAggregatePayload(ctx, a)) : notFound();
    }),
  ];
}
