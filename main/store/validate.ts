/**
 * Input checks for every write: a bad row is refused with a message naming the row and field,
 * before anything is written. Values are never echoed (they could be sensitive).
 */

import { z } from 'zod';
import { RUN_STATUSES } from '../../shared/models.js';
import { isAccountKey } from '../domain/account-references.js';
import { isIsoDate } from '../domain/market-time.js';
import { dec, isDecimalString } from '../util/money.js';
import { StoreInputError } from './config.js';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

export const decimal = z.string().refine((v) => isDecimalString(v), { error: 'must be a decimal string' });
export const positiveDecimal = decimal.refine((v) => isDecimalString(v) && dec(v).gt(0), {
  error: 'must be greater than zero',
});
export const nonNegativeDecimal = decimal.refine((v) => isDecimalString(v) && dec(v).gte(0), {
  error: 'must not be negative',
});
export const isoTime = z.string().refine((v) => ISO_TIME.test(v) && !Number.isNaN(Date.parse(v)), {
  error: 'must be an ISO-8601 time with a zone',
});
export const isoDate = z.string().refine((v) => isIsoDate(v), { error: 'must be a date YYYY-MM-DD' });
export const accountKey = z.string().refine((v) => isAccountKey(v), {
  error: 'must be a masked account key such as ****4141 (full account numbers are never stored)',
});
export const id = z.string().min(1).max(200);
export const shortText = z.string().max(200);

const optDecimal = decimal.nullish();
const optText = shortText.nullish();

export const accountSchema = z
  .object({
    accountNumber: accountKey,
    broker: z.enum(['robinhood', 'demo']),
    accountType: z.string().min(1).max(50),
    brokerageAccountType: optText,
    optionLevel: optText,
    isDefault: z.boolean().nullish(),
    buyingPower: decimal.nullable(),
    cash: decimal.nullable(),
    portfolioValue: decimal.nullable(),
    marketValue: decimal.nullable(),
    withdrawableAmount: decimal.nullable(),
    previousCloseEquity: optDecimal,
  })
  .strict();

const positionBase = {
  instrumentId: id,
  symbol: z.string().min(1).max(40),
  name: optText,
  direction: z.enum(['long', 'short']),
  quantity: positiveDecimal,
  averagePrice: nonNegativeDecimal,
  lastPrice: nonNegativeDecimal.nullable(),
  openedAt: isoTime.nullish(),
};

export const positionSchema = z.discriminatedUnion('assetType', [
  z.object({ ...positionBase, assetType: z.literal('stock') }).strict(),
  z
    .object({
      ...positionBase,
      assetType: z.literal('option'),
      optionType: z.enum(['call', 'put']),
      strikePrice: positiveDecimal,
      expirationDate: isoDate,
      multiplier: positiveDecimal,
      chainId: id.nullish(),
      strategy: optText,
      strategyId: id.nullish(),
      delta: optDecimal,
      gamma: optDecimal,
      theta: optDecimal,
      vega: optDecimal,
      rho: optDecimal,
      impliedVolatility: optDecimal,
    })
    .strict(),
]);

const legSchema = z
  .object({
    legId: id,
    optionInstrumentId: id,
    side: z.enum(['buy', 'sell']),
    positionEffect: z.enum(['open', 'close']).nullable(),
    ratioQuantity: z.number().int().nullish(),
    optionType: z.enum(['call', 'put']).nullish(),
    strikePrice: optDecimal,
    expirationDate: isoDate.nullish(),
  })
  .strict();

export const orderSchema = z
  .object({
    orderId: id,
    accountNumber: accountKey,
    assetType: z.enum(['stock', 'option']),
    symbol: z.string().max(40).nullable(),
    instrumentId: id.nullish(),
    chainId: id.nullish(),
    state: z.string().min(1).max(60),
    side: z.enum(['buy', 'sell']).nullish(),
    direction: z.enum(['debit', 'credit']).nullish(),
    orderType: optText,
    timeInForce: optText,
    trigger: optText,
    quantity: optDecimal,
    filledQuantity: nonNegativeDecimal,
    price: optDecimal,
    stopPrice: optDecimal,
    averagePrice: optDecimal,
    fees: nonNegativeDecimal,
    premium: optDecimal,
    processedPremium: optDecimal,
    netAmount: optDecimal,
    openingStrategy: optText,
    closingStrategy: optText,
    strategy: optText,
    positionEffect: optText,
    legs: z.array(legSchema).nullish(),
    createdAt: isoTime,
    updatedAt: isoTime,
    raw: z.unknown().optional(),
  })
  .strict();

export const executionSchema = z
  .object({
    orderId: id,
    executionId: id,
    accountNumber: accountKey,
    assetType: z.enum(['stock', 'option']),
    legId: id.nullish(),
    instrumentId: id,
    symbol: z.string().min(1).max(40),
    side: z.enum(['buy', 'sell']),
    positionEffect: z.enum(['open', 'close']).nullable(),
    quantity: positiveDecimal,
    price: nonNegativeDecimal,
    fees: nonNegativeDecimal,
    multiplier: positiveDecimal,
    optionType: z.enum(['call', 'put']).nullish(),
    strikePrice: optDecimal,
    expirationDate: isoDate.nullish(),
    executedAt: isoTime,
    settlementDate: isoDate.nullish(),
  })
  .strict()
  .refine((e) => e.assetType === 'stock' || (e.optionType && e.strikePrice && e.expirationDate), {
    error: 'option fills need optionType, strikePrice and expirationDate',
  });

export const instrumentSchema = z
  .object({
    id,
    symbol: z.string().min(1).max(40),
    name: z.string().max(500).nullish(),
    simpleName: z.string().max(500).nullish(),
    type: optText,
    state: optText,
    tradableChainId: id.nullish(),
    country: optText,
    listDate: isoDate.nullish(),
  })
  .strict();

export const optionInstrumentSchema = z
  .object({
    id,
    chainId: id.nullish(),
    chainSymbol: z.string().min(1).max(40),
    optionType: z.enum(['call', 'put']),
    strikePrice: positiveDecimal,
    expirationDate: isoDate,
    multiplier: positiveDecimal,
    state: optText,
  })
  .strict();

export const dividendSchema = z
  .object({
    dividendId: id,
    accountNumber: accountKey,
    instrumentId: id.nullish(),
    symbol: z.string().max(40).nullish(),
    amount: decimal,
    rate: optDecimal,
    position: optDecimal,
    withholding: optDecimal,
    recordDate: isoDate.nullish(),
    payableDate: isoDate.nullish(),
    paidAt: isoTime.nullish(),
    state: z.string().min(1).max(60),
    dripEnabled: z.boolean().nullish(),
    raw: z.unknown().optional(),
  })
  .strict();

export const optionEventSchema = z
  .object({
    eventId: id,
    accountNumber: accountKey,
    optionInstrumentId: id,
    chainSymbol: z.string().max(40).nullish(),
    type: z.string().min(1).max(60),
    direction: optText,
    state: optText,
    quantity: nonNegativeDecimal,
    eventDate: isoDate,
    totalCashAmount: optDecimal,
    underlyingPrice: optDecimal,
    raw: z.unknown().optional(),
  })
  .strict();

export const snapshotSchema = z
  .object({
    accountNumber: accountKey,
    takenAt: isoTime,
    equity: decimal,
    marketValue: decimal.nullable(),
    cash: decimal.nullable(),
    buyingPower: decimal.nullable(),
    stockValue: decimal.nullable(),
    optionsValue: decimal.nullable(),
    previousCloseEquity: decimal.nullable(),
    totalPositions: z.number().int().min(0).nullish(),
    runId: z.number().int().positive().nullish(),
  })
  .strict();

export const historicalBalanceSchema = z.object({ date: isoDate, endingBalance: decimal }).strict();

const count = z.number().int().min(0).max(2_147_483_647);

export const syncRunSchema = z
  .object({
    startedAt: isoTime,
    finishedAt: isoTime,
    status: z.enum(RUN_STATUSES),
    trigger: z.enum(['schedule', 'manual', 'startup', 'resume', 'cli']),
    streams: z.array(z.string().min(1).max(60)).max(50),
    accounts: z.array(accountKey).max(50).optional(),
    apiRequests: count,
    rowsWritten: count,
    durationMs: count,
    error: z.string().nullable(),
    agentId: z.string().max(200).nullish(),
    host: z.string().max(200).nullish(),
  })
  .strict();

export const syncRunStartSchema = syncRunSchema.pick({
  startedAt: true,
  trigger: true,
  agentId: true,
  host: true,
});
export const syncRunEndSchema = syncRunSchema.omit({
  startedAt: true,
  trigger: true,
  agentId: true,
  host: true,
});

export const streamAccountKey = z
  .string()
  .refine((v) => v === '*' || isAccountKey(v), { error: 'must be a masked account key or "*"' });

export const syncStatePatchSchema = z
  .object({
    accountNumber: streamAccountKey,
    stream: z.string().min(1).max(60),
    lastAttemptAt: isoTime.nullish(),
    lastSuccessAt: isoTime.nullish(),
    highWaterMark: isoTime.nullish(),
    cursor: z.unknown().optional(),
    lastError: z.string().nullish(),
  })
  .strict();

export const closedTradeSchema = z
  .object({
    tradeKey: z.string().min(8).max(200),
    accountNumber: accountKey,
    assetType: z.enum(['stock', 'option']),
    instrumentKey: id,
    symbol: z.string().min(1).max(40),
    optionType: z.enum(['call', 'put']).nullable(),
    strikePrice: decimal.nullable(),
    expirationDate: isoDate.nullable(),
    multiplier: positiveDecimal,
    direction: z.enum(['long', 'short']),
    quantity: positiveDecimal,
    openDate: isoTime,
    closeDate: isoTime,
    openPrice: decimal,
    closePrice: decimal,
    openFees: nonNegativeDecimal,
    closeFees: nonNegativeDecimal,
    realizedPl: decimal,
    realizedPlPercent: decimal.nullable(),
    closeReason: z.enum(['closed', 'expired', 'assigned', 'exercised']),
    daysHeld: z.number().int(),
    openOrderId: id,
    openExecutionId: id,
    closeOrderId: id.nullable(),
    closeExecutionId: id.nullable(),
    closeEventId: id.nullable(),
  })
  .strict();

function describeIssue(label: string, index: number | null, issue: z.core.$ZodIssue): string {
  const where = [index === null ? label : `${label}[${index}]`, ...issue.path.map(String)].join('.');
  return `${where}: ${issue.message}`;
}

/** Parses every row or throws StoreInputError for the first bad one. */
export function parseRows<S extends z.ZodType>(
  schema: S,
  rows: readonly unknown[],
  label: string,
): z.output<S>[] {
  const out: z.output<S>[] = [];
  for (let i = 0; i < rows.length; i++) {
    const result = schema.safeParse(rows[i]);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new StoreInputError(issue ? describeIssue(label, i, issue) : `${label}[${i}]: invalid`);
    }
    out.push(result.data);
  }
  return out;
}

export function parseOne<S extends z.ZodType>(schema: S, row: unknown, label: string): z.output<S> {
  const result = schema.safeParse(row);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new StoreInputError(issue ? describeIssue(label, null, issue) : `${label}: invalid`);
  }
  return result.data;
}
