/**
 * The simulator's JSON against the recorded payloads in test/fixtures/robinhood: every key a
 * recording has (nested objects and list items included) is present, and values have the recorded
 * JSON types (decimal strings stay strings, sizes stay numbers).
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, DEVICE_TOKEN, startSim } from './helpers.js';

afterEach(closeAll);

// biome-ignore lint/suspicious/noExplicitAny: free-form JSON
type Json = any;

const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../fixtures/robinhood/${name}`, import.meta.url), 'utf8'));

/** Keys of `recorded` missing from `actual`, and JSON type mismatches (ignoring nulls), as paths. */
function differences(recorded: Json, actual: Json, path = ''): string[] {
  const out: string[] = [];
  if (recorded === null || actual === null || typeof recorded !== 'object') {
    if (recorded !== null && actual !== null && typeof recorded !== typeof actual)
      out.push(`${path}: ${typeof actual} instead of ${typeof recorded}`);
    return out;
  }
  if (Array.isArray(recorded)) {
    if (!Array.isArray(actual)) return [`${path}: not a list`];
    const sample = recorded.find((item) => item !== null);
    const mine = actual.find((item: Json) => item !== null);
    if (sample !== undefined && mine !== undefined) out.push(...differences(sample, mine, `${path}[]`));
    return out;
  }
  if (typeof actual !== 'object' || Array.isArray(actual)) return [`${path}: not an object`];
  for (const key of Object.keys(recorded)) {
    if (!(key in actual)) out.push(`${path}.${key} missing`);
    else out.push(...differences(recorded[key], actual[key], `${path}.${key}`));
  }
  return out;
}

async function session() {
  const sim = await startSim();
  const post = async (path: string, body: Record<string, string>, headers: Record<string, string> = {}) => {
    const response = await fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(body).toString(),
    });
    return { status: response.status, json: (await response.json().catch(() => null)) as Json };
  };
  const postJson = async (path: string, body: unknown) => {
    const response = await fetch(`${sim.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Json };
  };
  const grant = (username: string, password: string, extra: Record<string, string> = {}, headers = {}) =>
    post(
      '/oauth2/token/',
      { grant_type: 'password', username, password, device_token: DEVICE_TOKEN, scope: 'internal', ...extra },
      headers,
    );
  const login = await grant('direct@example.com', 'pw-direct');
  const get = async (path: string): Promise<Json> => {
    const response = await fetch(`${sim.url}${path}`, {
      headers: { Authorization: `Bearer ${login.json.access_token}` },
    });
    expect(response.status, path).toBe(200);
    return response.json();
  };
  return { sim, post, postJson, grant, login, get };
}

describe('recorded payload shapes', () => {
  it('accounts, portfolio, positions, instrument, quotes', async () => {
    const { sim, get } = await session();
    const margin = sim.state.accounts.find((a) => a.type === 'margin')!.accountNumber;
    const accounts = await get('/accounts/');
    expect(
      differences(
        fixture('accounts.json').results[0],
        accounts.results.find((a: Json) => a.account_number === margin),
      ),
    ).toEqual([]);
    expect(differences(fixture('portfolio.json'), await get(`/portfolios/${margin}/`))).toEqual([]);
    const positions = await get(`/positions/?nonzero=true&account_number=${margin}`);
    expect(differences(fixture('positions.json'), positions)).toEqual([]);
    const instrumentId = positions.results[0].instrument_id;
    expect(differences(fixture('instrument.json'), await get(`/instruments/${instrumentId}/`))).toEqual([]);
    const quotes = await get(`/marketdata/quotes/?ids=${instrumentId},00000000-0000-4000-8000-000000000000`);
    expect(differences(fixture('marketdata-quotes.json'), quotes)).toEqual([]);
    expect(quotes.results[1]).toBeNull();
  });

  it('options: positions, aggregates, instruments, market data', async () => {
    const { get } = await session();
    const positions = await get('/options/positions/?nonzero=True');
    expect(differences(fixture('option-positions.json'), positions)).toEqual([]);
    const aggregates = await get('/options/aggregate_positions/?nonzero=True');
    expect(differences(fixture('option-aggregate-position.json'), aggregates.results[0])).toEqual([]);
    const optionId = positions.results[0].option_id;
    expect(
      differences(fixture('option-instrument.json'), await get(`/options/instruments/${optionId}/`)),
    ).toEqual([]);
    const data = await get(`/marketdata/options/?ids=${optionId}`);
    expect(differences(fixture('marketdata-options.json'), data)).toEqual([]);
  });

  it('orders, option orders, dividends', async () => {
    const { get } = await session();
    const orders = await get('/orders/?state=filled');
    expect(differences(fixture('orders.json'), orders)).toEqual([]);
    const optionOrders = await get('/options/orders/?state=filled');
    expect(differences(fixture('option-order.json'), optionOrders.results[0])).toEqual([]);
    const dividends = await get('/dividends/');
    expect(differences(fixture('dividend.json'), dividends.results[0])).toEqual([]);
  });

  it('login bodies: tokens, legacy challenge, verification workflow, user views, challenge response', async () => {
    const { sim, post, postJson, grant, login } = await session();
    expect(login.status).toBe(200);
    expect(differences(fixture('oauth-token-success.json'), login.json)).toEqual([]);

    expect((await grant('legacy@example.com', 'pw-legacy')).json).toMatchObject({
      detail: 'Request blocked, challenge type required.',
      accept_challenge_types: { sms: 'SMS', email: 'Email' },
    });
    const legacy = await grant('legacy@example.com', 'pw-legacy', { challenge_type: 'sms' });
    expect(legacy.status).toBe(400);
    expect(differences(fixture('oauth-legacy-challenge.json'), legacy.json)).toEqual([]);

    const workflow = await grant('sms@example.com', 'pw-sms');
    expect(workflow.status).toBe(403);
    expect(differences(fixture('oauth-verification-workflow.json'), workflow.json)).toEqual([]);
    const machine = await postJson('/pathfinder/user_machine/', {
      device_id: DEVICE_TOKEN,
      flow: 'suv',
      input: { workflow_id: workflow.json.verification_workflow.id },
    });
    const viewPath = `/pathfinder/inquiries/${machine.json.id}/user_view/`;
    const view = (await (await fetch(`${sim.url}${viewPath}`)).json()) as Json;
    expect(differences(fixture('pathfinder-user-view-challenge.json'), view)).toEqual([]);
    expect(view.context.sheriff_challenge).toMatchObject({ type: 'sms', status: 'issued' });
    const challengeId = view.context.sheriff_challenge.id;
    const wrong = await post(`/challenge/${challengeId}/respond/`, { response: '1' });
    expect(wrong.status).toBe(400);
    expect(wrong.json.challenge.remaining_attempts).toBe(2);
    const right = await post(`/challenge/${challengeId}/respond/`, { response: sim.issuedCodes().at(-1)! });
    expect(differences(fixture('challenge-respond-validated.json'), right.json)).toEqual([]);
    expect(right.json.status).toBe('validated');
    const approved = await postJson(viewPath, { sequence: 0, user_input: { status: 'continue' } });
    expect(differences(fixture('pathfinder-user-view-approved.json'), approved.json)).toEqual([]);
    expect(approved.json.type_context.result).toBe('workflow_status_approved');
    expect((await grant('sms@example.com', 'pw-sms')).status).toBe(200);
    // JSON bodies are accepted on the token endpoint too.
    const json = await postJson('/oauth2/token/', {
      grant_type: 'password',
      username: 'direct@example.com',
      password: 'pw-direct',
    });
    expect(json.status).toBe(200);
  });

  it('decimal strings, ISO times with microseconds, absolute URLs on the simulator', async () => {
    const { sim, get } = await session();
    const order = (await get('/orders/?state=filled')).results[0];
    expect(order.price).toMatch(/^\d+\.\d{8}$/);
    expect(order.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(order.instrument.startsWith(`${sim.url}/instruments/`)).toBe(true);
    expect(order.url).toBe(`${sim.url}/orders/${order.id}/`);
    const position = (await get('/positions/?nonzero=true')).results[0];
    expect(position.quantity).toMatch(/^\d+\.\d{8}$/);
  });
});
