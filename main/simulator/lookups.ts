/**
 * Id and symbol lookups over the live scenario state. Tests may push to or replace the state's
 * arrays between requests, so each index is rebuilt when its array's identity or length changes.
 */
import type {
  ScenarioState,
  SimAccount,
  SimDividend,
  SimFundamentals,
  SimInstrument,
  SimOptionAggregate,
  SimOptionChain,
  SimOptionEvent,
  SimOptionInstrument,
  SimOptionMarketData,
  SimOptionOrder,
  SimOptionPosition,
  SimQuote,
  SimStockOrder,
} from './types.js';

interface CachedIndex {
  array: readonly unknown[];
  length: number;
  map: Map<string, unknown>;
}

export class Lookups {
  readonly #state: ScenarioState;
  readonly #cache = new Map<string, CachedIndex>();

  constructor(state: ScenarioState) {
    this.#state = state;
  }

  #index<T>(name: string, array: readonly T[], key: (item: T) => string): Map<string, T> {
    const cached = this.#cache.get(name);
    if (cached && cached.array === array && cached.length === array.length)
      return cached.map as Map<string, T>;
    const map = new Map<string, T>();
    for (const item of array) {
      const k = key(item);
      if (!map.has(k)) map.set(k, item);
    }
    this.#cache.set(name, { array, length: array.length, map });
    return map;
  }

  account(accountNumber: string): SimAccount | undefined {
    return this.#index('accounts', this.#state.accounts, (a) => a.accountNumber).get(accountNumber);
  }
  instrument(id: string): SimInstrument | undefined {
    return this.#index('instruments', this.#state.instruments, (i) => i.id).get(id.toLowerCase());
  }
  instrumentBySymbol(symbol: string): SimInstrument | undefined {
    return this.#index('instrumentsBySymbol', this.#state.instruments, (i) => i.symbol).get(
      symbol.toUpperCase(),
    );
  }
  quote(instrumentId: string): SimQuote | undefined {
    return this.#index('quotes', this.#state.quotes, (q) => q.instrumentId).get(instrumentId.toLowerCase());
  }
  fundamentals(instrumentId: string): SimFundamentals | undefined {
    return this.#index('fundamentals', this.#state.fundamentals, (f) => f.instrumentId).get(
      instrumentId.toLowerCase(),
    );
  }
  chain(id: string): SimOptionChain | undefined {
    return this.#index('chains', this.#state.optionChains, (c) => c.id).get(id.toLowerCase());
  }
  option(id: string): SimOptionInstrument | undefined {
    return this.#index('options', this.#state.optionInstruments, (o) => o.id).get(id.toLowerCase());
  }
  optionMarketData(optionId: string): SimOptionMarketData | undefined {
    return this.#index('optionMarketData', this.#state.optionMarketData, (m) => m.optionId).get(
      optionId.toLowerCase(),
    );
  }
  optionPosition(id: string): SimOptionPosition | undefined {
    return this.#index('optionPositions', this.#state.optionPositions, (p) => p.id).get(id.toLowerCase());
  }
  optionAggregate(id: string): SimOptionAggregate | undefined {
    return this.#index('optionAggregates', this.#state.optionAggregates, (a) => a.id).get(id.toLowerCase());
  }
  stockOrder(id: string): SimStockOrder | undefined {
    return this.#index('stockOrders', this.#state.stockOrders, (o) => o.id).get(id.toLowerCase());
  }
  optionOrder(id: string): SimOptionOrder | undefined {
    return this.#index('optionOrders', this.#state.optionOrders, (o) => o.id).get(id.toLowerCase());
  }
  dividend(id: string): SimDividend | undefined {
    return this.#index('dividends', this.#state.dividends, (d) => d.id).get(id.toLowerCase());
  }
  optionEvent(id: string): SimOptionEvent | undefined {
    return this.#index('optionEvents', this.#state.optionEvents, (e) => e.id).get(id.toLowerCase());
  }
}
