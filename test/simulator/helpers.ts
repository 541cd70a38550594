/**
 * Wiring for the simulator tests: the production Robinhood client (createRobinhood) pointed at a
 * running simulator, with a clock whose sleeps jump time instead of waiting (shared with the
 * simulator, so TOTP codes, token expiry and Retry-After waits agree).
 */
import {
  createRobinhood,
  type Robinhood,
  type StoredTokens,
  type TokenStore,
} from '../../main/broker/robinhood/index.js';
import type { Clock } from '../../main/util/clock.js';
import {
  buildScenario,
  type Scenario,
  type SimUser,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from '../simulator-tools/index.js';

export const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
export const DEVICE_TOKEN = '3f2a9c1e-7b4d-4e21-9a0c-5d6e7f8a9b0c';

/** Real time plus whatever the code under test slept; sleeping returns at once. */
export class JumpClock implements Clock {
  offsetMs = 0;
  slept: number[] = [];
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  monotonicMs(): number {
    return performance.now() + this.offsetMs;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.slept.push(ms);
    this.offsetMs += Math.max(0, ms);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

export class MemoryTokens implements TokenStore {
  saved: StoredTokens | null = null;
  async load() {
    return this.saved;
  }
  async save(tokens: StoredTokens) {
    this.saved = tokens;
  }
  async clear() {
    this.saved = null;
  }
}

export const USERS: SimUser[] = [
  { username: 'direct@example.com', password: 'pw-direct', flow: 'direct' },
  { username: 'mfa@example.com', password: 'pw-mfa', flow: 'mfa', totpSecret: TOTP_SECRET },
  { username: 'legacy@example.com', password: 'pw-legacy', flow: 'legacy-challenge' },
  { username: 'app@example.com', password: 'pw-app', flow: 'workflow-app', totpSecret: TOTP_SECRET },
  { username: 'sms@example.com', password: 'pw-sms', flow: 'workflow-sms' },
  { username: 'email@example.com', password: 'pw-email', flow: 'workflow-email' },
  { username: 'prompt@example.com', password: 'pw-prompt', flow: 'workflow-prompt' },
];

export function smallScenario(overrides: { seed?: number } = {}): Scenario {
  return buildScenario({
    seed: overrides.seed ?? 7,
    now: new Date('2026-03-02T15:00:00Z'),
    users: USERS,
    accounts: [
      {
        stocks: 12,
        optionLegs: 8,
        multiLegStrategies: 2,
        stockOrders: 70,
        optionOrders: 30,
        dividends: 5,
        optionEvents: 3,
      },
      {
        brokerageAccountType: 'ira_roth',
        stocks: 4,
        optionLegs: 0,
        stockOrders: 12,
        optionOrders: 0,
        dividends: 2,
      },
    ],
  });
}

export interface Connected {
  sim: Simulator;
  rh: Robinhood;
  clock: JumpClock;
  tokens: MemoryTokens;
}

const opened: Simulator[] = [];

export async function closeAll(): Promise<void> {
  await Promise.all(opened.splice(0).map((sim) => sim.close()));
}

export async function startSim(
  options: Partial<SimulatorOptions> = {},
  clock = new JumpClock(),
): Promise<Simulator> {
  const sim = await startSimulator({ scenario: smallScenario(), clock, ...options });
  opened.push(sim);
  return sim;
}

/** A simulator and a production client logged in as `username` (default: the direct-flow user). */
export async function connect(
  options: {
    sim?: Partial<SimulatorOptions>;
    username?: string;
    client?: Partial<Parameters<typeof createRobinhood>[0]>;
    clock?: JumpClock;
    simulator?: Simulator;
  } = {},
): Promise<Connected> {
  const clock = options.clock ?? new JumpClock();
  const sim = options.simulator ?? (await startSim(options.sim, clock));
  const user =
    sim.state.users.find((u) => u.username === (options.username ?? 'direct@example.com')) ??
    sim.state.users[0];
  if (!user) throw new Error('no user');
  const tokens = new MemoryTokens();
  const rh = createRobinhood({
    baseUrl: sim.url,
    clock,
    random: () => 0.5,
    requestsPerMinute: 100_000,
    burst: 10_000,
    timeoutMs: 2_000,
    backoffBaseMs: 5,
    backoffMaxMs: 20,
    tokenStore: tokens,
    deviceToken: DEVICE_TOKEN,
    credentials: async () => ({
      username: user.username,
      password: user.password,
      totpSecret: user.totpSecret ?? null,
    }),
    ...options.client,
  });
  return { sim, rh, clock, tokens };
}
