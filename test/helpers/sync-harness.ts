/**
 * A real runtime (engine + cycle runner + store + Robinhood client) syncing a simulator over a
 * socket, on the embedded server or a fresh PostgreSQL database. Shared by the engine integration tests, the
 * fault matrix, the benchmarks and the real-runtime Playwright project.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redactor } from '../../main/logging/index.js';
import { type AppRuntime, createRuntime, type RuntimeOptions } from '../../main/runtime/runtime.js';
import { memorySettingsStore } from '../../main/runtime/settings-file.js';
import { MemorySecretStore } from '../../main/secrets/index.js';
import { DEFAULT_SETTINGS, type Settings } from '../../shared/settings.js';
import {
  buildScenario,
  type Scenario,
  type ScenarioOptions,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from '../simulator-tools/index.js';
import { collectingRootLogger } from './loggers.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

export type Backend = 'embedded' | 'postgres';
export const BACKENDS: readonly Backend[] = ['embedded', 'postgres'];

export interface SyncHarness {
  runtime: AppRuntime;
  sim: Simulator;
  scenario: Scenario;
  backend: Backend;
  dataDir: string;
  database: TestDatabase | null;
  secrets: MemorySecretStore;
  logger: ReturnType<typeof collectingRootLogger>;
  /** Opens another runtime on the same store and simulator (e.g. after a restart). */
  reopen(overrides?: Partial<RuntimeOptions>): AppRuntime;
  close(): Promise<void>;
}

export interface SyncHarnessOptions {
  backend: Backend;
  scenario?: Scenario | ScenarioOptions;
  simulator?: Partial<Omit<SimulatorOptions, 'scenario'>>;
  settings?: Partial<Settings>;
  runtime?: Partial<RuntimeOptions>;
}

export const SMALL_ACCOUNT: ScenarioOptions = {
  seed: 11,
  accounts: [
    {
      stocks: 12,
      optionLegs: 8,
      multiLegStrategies: 2,
      stockOrders: 60,
      optionOrders: 30,
      dividends: 4,
      optionEvents: 2,
    },
  ],
};

function isScenario(value: Scenario | ScenarioOptions): value is Scenario {
  return (value as Scenario).version === 1;
}

export async function createSyncHarness(options: SyncHarnessOptions): Promise<SyncHarness> {
  const scenarioInput = options.scenario ?? SMALL_ACCOUNT;
  const scenario = isScenario(scenarioInput) ? scenarioInput : buildScenario(scenarioInput);
  const sim = await startSimulator({ latencyMs: 0, ...options.simulator, scenario });
  const dataDir = await mkdtemp(join(tmpdir(), 'magnus-sync-'));
  const database = options.backend === 'postgres' ? await createTestDatabase('sync') : null;
  const secrets = new MemorySecretStore();
  const logger = collectingRootLogger();
  const user = scenario.users[0];
  if (!user) throw new Error('the scenario has no user');
  const settings = memorySettingsStore({ ...DEFAULT_SETTINGS, ...options.settings });
  const make = (overrides: Partial<RuntimeOptions> = {}): AppRuntime =>
    createRuntime({
      host: 'headless',
      dataDir,
      settings,
      secrets,
      keychainStatus: { available: true },
      logger,
      redactor: new Redactor(),
      apiUrl: sim.url,
      env: {
        ROBINHOOD_USERNAME: user.username,
        ROBINHOOD_PASSWORD: user.password,
        ...(user.totpSecret ? { ROBINHOOD_TOTP_SECRET: user.totpSecret } : {}),
      },
      // The product's 60 requests/minute would make every first sync in a test take many seconds;
      // the rate limiter has its own tests. Benchmarks pass the real budget.
      requestsPerMinute: 6_000,
      brokerTuning: {
        backoffBaseMs: 5,
        backoffMaxMs: 20,
        timeoutMs: 2_000,
        maxRetryAfterMs: 2_000,
        burst: 100,
      },
      ...(database ? { databaseUrl: database.url } : {}),
      ...options.runtime,
      ...overrides,
    });
  const runtime = make();
  const opened: AppRuntime[] = [runtime];
  return {
    runtime,
    sim,
    scenario,
    backend: options.backend,
    dataDir,
    database,
    secrets,
    logger,
    reopen(overrides) {
      const next = make(overrides);
      opened.push(next);
      return next;
    },
    async close() {
      for (const r of opened) await r.stop().catch(() => undefined);
      await sim.close();
      await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
