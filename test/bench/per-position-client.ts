/**
 * The comparison client: the per-position request pattern of the popular open-source Robinhood
 * libraries (robin_stocks' `build_holdings` and its option helpers; docs/broker-api.md#request-counts),
 * written out so it can run against the simulator in the same benchmark run as the engine.
 *
 * Per refresh:
 *   GET /positions/?nonzero=true (+ pages), GET /portfolios/, GET /accounts/;
 *   per stock position: the instrument by its URL, /quotes/?symbols=SYM, /fundamentals/?symbols=SYM,
 *     and /instruments/?symbol=SYM for the name (cached for the life of the process, like
 *     robin_stocks' lru_cache on get_name_by_symbol);
 *   GET /options/positions/?nonzero=True (+ pages);
 *   per option leg: /options/instruments/{id}/ (strike, type, expiry) and the market data by id,
 *     which re-reads the instrument before /marketdata/options/?instruments=<url>.
 * So 4P + pp + 2 on the first refresh of a process (3P + pp + 2 afterwards) and 1 + 3·O for options.
 *
 * `concurrency` > 1 runs the per-position calls in parallel (same requests, shorter wall time); the
 * libraries themselves are sequential (concurrency 1).
 */
import { Dec } from '../../main/util/money.js';

export interface PerPositionOptions {
  baseUrl: string;
  username: string;
  password: string;
  deviceToken?: string;
  concurrency?: number;
  fetch?: typeof fetch;
}

export interface HoldingRow {
  symbol: string;
  name: string;
  quantity: string;
  price: string;
  equity: string;
  peRatio: string | null;
}

export interface OptionRow {
  optionId: string;
  chainSymbol: string;
  type: string;
  strike: string;
  expiration: string;
  quantity: string;
  mark: string;
}

export interface Refresh {
  holdings: HoldingRow[];
  options: OptionRow[];
  /** Requests this refresh sent (the client's own count). */
  requests: number;
}

type Json = Record<string, unknown>;

export class PerPositionClient {
  readonly #o: PerPositionOptions;
  readonly #fetch: typeof fetch;
  readonly #names = new Map<string, string>();
  #token: string | null = null;
  #requests = 0;

  constructor(options: PerPositionOptions) {
    this.#o = options;
    this.#fetch = options.fetch ?? fetch;
  }

  /** Every request sent so far, login included. */
  get requests(): number {
    return this.#requests;
  }

  /** Password grant, as robin_stocks.login does (one request for an account without MFA). */
  async login(): Promise<void> {
    const body = new URLSearchParams({
      grant_type: 'password',
      client_id: 'c82SH0WZOsabOXGP2sxqcj34FxkvfnWRZBKlBjFS',
      scope: 'internal',
      expires_in: '86400',
      username: this.#o.username,
      password: this.#o.password,
      device_token: this.#o.deviceToken ?? '6a3a3b0e-5c3f-4c2e-9d7e-0c8f6f0a9b11',
    });
    const response = await this.#send(`${this.#o.baseUrl}/oauth2/token/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
    });
    const token = response['access_token'];
    if (typeof token !== 'string') throw new Error('the per-position client could not log in');
    this.#token = token;
  }

  /** One refresh of holdings and option positions, the way the libraries' scripts do it. */
  async refresh(): Promise<Refresh> {
    if (!this.#token) await this.login();
    const before = this.#requests;
    const positions = await this.#allPages(`${this.#o.baseUrl}/positions/?nonzero=true`);
    await this.#get(`${this.#o.baseUrl}/portfolios/`);
    await this.#get(`${this.#o.baseUrl}/accounts/?default_to_all_accounts=true`);
    const holdings = await this.#pool(positions, (p) => this.#holding(p));

    const legs = await this.#allPages(`${this.#o.baseUrl}/options/positions/?nonzero=True`);
    const options = await this.#pool(legs, (leg) => this.#optionLeg(leg));
    return { holdings, options, requests: this.#requests - before };
  }

  async #holding(position: Json): Promise<HoldingRow> {
    const instrument = await this.#get(String(position['instrument']));
    const symbol = String(instrument['symbol']);
    const quote = first(await this.#get(`${this.#o.baseUrl}/quotes/?symbols=${encodeURIComponent(symbol)}`));
    const price = String(quote['last_extended_hours_trade_price'] ?? quote['last_trade_price']);
    const fundamentals = first(
      await this.#get(`${this.#o.baseUrl}/fundamentals/?symbols=${encodeURIComponent(symbol)}`),
    );
    const name = await this.#nameOf(symbol);
    const quantity = String(position['quantity']);
    return {
      symbol,
      name,
      quantity,
      price,
      equity: new Dec(quantity).times(price).toFixed(2),
      peRatio: fundamentals['pe_ratio'] === null ? null : String(fundamentals['pe_ratio']),
    };
  }

  async #nameOf(symbol: string): Promise<string> {
    const cached = this.#names.get(symbol);
    if (cached !== undefined) return cached;
    const found = first(
      await this.#get(`${this.#o.baseUrl}/instruments/?symbol=${encodeURIComponent(symbol)}`),
    );
    const name = String(found['simple_name'] ?? found['name'] ?? '');
    this.#names.set(symbol, name);
    return name;
  }

  async #optionLeg(leg: Json): Promise<OptionRow> {
    const optionId = String(leg['option_id'] ?? idFromUrl(String(leg['option'])));
    // get_option_instrument_data_by_id
    const instrument = await this.#get(`${this.#o.baseUrl}/options/instruments/${optionId}/`);
    // get_option_market_data_by_id: the instrument again, then the market data by its URL
    const again = await this.#get(`${this.#o.baseUrl}/options/instruments/${optionId}/`);
    const market = first(
      await this.#get(
        `${this.#o.baseUrl}/marketdata/options/?instruments=${encodeURIComponent(String(again['url']))}`,
      ),
    );
    return {
      optionId,
      chainSymbol: String(leg['chain_symbol'] ?? instrument['chain_symbol']),
      type: String(instrument['type']),
      strike: String(instrument['strike_price']),
      expiration: String(instrument['expiration_date']),
      quantity: String(leg['quantity']),
      mark: String(market['adjusted_mark_price'] ?? market['mark_price']),
    };
  }

  async #allPages(url: string): Promise<Json[]> {
    const items: Json[] = [];
    let next: string | null = url;
    while (next) {
      const page: Json = await this.#get(next);
      items.push(...((page['results'] as Json[] | undefined) ?? []));
      next = typeof page['next'] === 'string' ? page['next'] : null;
    }
    return items;
  }

  #get(url: string): Promise<Json> {
    return this.#send(url, { method: 'GET' });
  }

  async #send(url: string, init: RequestInit): Promise<Json> {
    this.#requests += 1;
    const headers = new Headers(init.headers);
    headers.set('Accept', 'application/json');
    if (this.#token) headers.set('Authorization', `Bearer ${this.#token}`);
    const response = await this.#fetch(url, { ...init, headers });
    const text = await response.text();
    if (!response.ok)
      throw new Error(`per-position client: ${init.method} ${pathOf(url)} → ${response.status}`);
    return JSON.parse(text) as Json;
  }

  async #pool<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
    const results = new Array<R>(items.length);
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index] as T);
      }
    };
    const lanes = Math.max(1, Math.min(this.#o.concurrency ?? 1, items.length));
    await Promise.all(Array.from({ length: lanes }, worker));
    return results;
  }
}

function first(page: Json): Json {
  const results = page['results'];
  const item = Array.isArray(results) ? results[0] : page;
  if (!item || typeof item !== 'object') throw new Error('per-position client: empty result');
  return item as Json;
}

function idFromUrl(url: string): string {
  const parts = url.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? '';
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
