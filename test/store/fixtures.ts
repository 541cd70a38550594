/** Shared helpers for the store tests: both backends, and rows to write. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  AccountInput,
  ExecutionInput,
  OptionPositionInput,
  OrderInput,
  SnapshotInput,
  StockPositionInput,
} from '../../main/store/index.js';
import { openStore, type Store } from '../../main/store/index.js';
import { createTestDatabase } from '../helpers/postgres.js';

export interface OpenedBackend {
  store: Store;
  cleanup(): Promise<void>;
}

export interface Backend {
  name: 'postgres' | 'embedded';
  open(): Promise<OpenedBackend>;
}

export const BACKENDS: Backend[] = [
  {
    name: 'postgres',
    async open() {
      const db = await createTestDatabase('store');
      const store = await openStore({ kind: 'postgres', url: db.url });
      return {
        store,
        async cleanup() {
          await store.close();
          await db.drop();
        },
      };
    },
  },
  {
    name: 'embedded',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'magnus-store-'));
      const store = await openStore({ kind: 'embedded', dataDir: dir });
      return {
        store,
        async cleanup() {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

let accounts = 0;
/** A fresh masked account key per test, so tests sharing one database never see each other's rows. */
export function nextAccountKey(): string {
  accounts++;
  return `****T${accounts.toString(36).toUpperCase().padStart(3, '0')}`;
}

export function account(accountNumber: string, overrides: Partial<AccountInput> = {}): AccountInput {
  return {
    accountNumber,
    broker: 'demo',
    accountType: 'margin',
    brokerageAccountType: 'individual',
    buyingPower: '1523.4100',
    cash: '1523.4100',
    portfolioValue: '9936.0700',
    marketValue: '8412.5600',
    withdrawableAmount: '1400.0000',
    previousCloseEquity: '9871.2200',
    ...overrides,
  };
}

export function stock(overrides: Partial<StockPositionInput> = {}): StockPositionInput {
  return {
    assetType: 'stock',
    instrumentId: 'inst-aapl',
    symbol: 'AAPL',
    name: 'Apple',
    direction: 'long',
    quantity: '2.00000000',
    averagePrice: '181.9650',
    lastPrice: '182.52',
    ...overrides,
  };
}

export function shortCall(overrides: Partial<OptionPositionInput> = {}): OptionPositionInput {
  return {
    assetType: 'option',
    instrumentId: 'opt-f-1150c',
    symbol: 'F',
    direction: 'short',
    quantity: '1.0000',
    averagePrice: '0.29',
    lastPrice: '0.12',
    optionType: 'call',
    strikePrice: '11.5000',
    expirationDate: '2026-03-20',
    multiplier: '100.0000',
    strategy: 'short_call',
    strategyId: 'agg-1',
    delta: '0.251234',
    gamma: '0.112',
    theta: '-0.0123',
    vega: '0.0042',
    rho: '0.0011',
    impliedVolatility: '0.2871',
    ...overrides,
  };
}

export function stockOrder(
  accountNumber: string,
  id: string,
  overrides: Partial<OrderInput> = {},
): OrderInput {
  return {
    orderId: id,
    accountNumber,
    assetType: 'stock',
    symbol: 'AAPL',
    instrumentId: 'inst-aapl',
    state: 'filled',
    side: 'buy',
    orderType: 'market',
    quantity: '2',
    filledQuantity: '2',
    averagePrice: '181.965',
    fees: '0',
    createdAt: '2026-01-14T14:32:27.948317Z',
    updatedAt: '2026-01-14T14:32:28.901171Z',
    raw: {
      id,
      account: 'https://api.robinhood.com/accounts/5QR24141/',
      account_number: '5QR24141',
      state: 'filled',
    },
    ...overrides,
  };
}

export function stockFill(
  accountNumber: string,
  orderId: string,
  executionId: string,
  overrides: Partial<ExecutionInput> = {},
): ExecutionInput {
  return {
    orderId,
    executionId,
    accountNumber,
    assetType: 'stock',
    instrumentId: 'inst-aapl',
    symbol: 'AAPL',
    side: 'buy',
    positionEffect: 'open',
    quantity: '2',
    price: '181.965',
    fees: '0',
    multiplier: '1',
    executedAt: '2026-01-14T14:32:28.512000Z',
    ...overrides,
  };
}

export function snapshot(
  accountNumber: string,
  takenAt: string,
  overrides: Partial<SnapshotInput> = {},
): SnapshotInput {
  return {
    accountNumber,
    takenAt,
    equity: '10000.00',
    marketValue: '8000.00',
    cash: '2000.00',
    buyingPower: '2000.00',
    stockValue: '7500.00',
    optionsValue: '500.00',
    previousCloseEquity: '9900.00',
    totalPositions: 3,
    ...overrides,
  };
}
