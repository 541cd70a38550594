/**
 * "What a clean sync produces": the same simulator state synced once, with no fault, into a brand-new
 * database (a fresh PostgreSQL database or a fresh embedded folder), read back as StoreContents.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redactor } from '../../../main/logging/index.js';
import { createRuntime } from '../../../main/runtime/runtime.js';
import { memorySettingsStore } from '../../../main/runtime/settings-file.js';
import { MemorySecretStore } from '../../../main/secrets/index.js';
import { DEFAULT_SETTINGS } from '../../../shared/settings.js';
import { silentRootLogger } from '../../helpers/loggers.js';
import { createTestDatabase } from '../../helpers/postgres.js';
import type { Backend } from '../../helpers/sync-harness.js';
import type { Simulator } from '../../simulator-tools/index.js';
import { type StoreContents, storeContents } from './store-contents.js';

export const FAST_TUNING = {
  backoffBaseMs: 5,
  backoffMaxMs: 20,
  timeoutMs: 2_000,
  maxRetryAfterMs: 2_000,
  burst: 10_000,
} as const;

/** No client-side pacing in tests: the simulator answers as fast as it can. */
export const UNTHROTTLED = 100_000;

export function credentialsEnv(sim: Simulator): NodeJS.ProcessEnv {
  const user = sim.state.users[0]!;
  return {
    ROBINHOOD_USERNAME: user.username,
    ROBINHOOD_PASSWORD: user.password,
    ...(user.totpSecret ? { ROBINHOOD_TOTP_SECRET: user.totpSecret } : {}),
  };
}

export async function cleanSyncContents(
  sim: Simulator,
  backend: Backend = 'postgres',
): Promise<StoreContents> {
  const dataDir = await mkdtemp(join(tmpdir(), 'magnus-clean-'));
  const database = backend === 'postgres' ? await createTestDatabase('clean') : null;
  const runtime = createRuntime({
    host: 'headless',
    dataDir,
    settings: memorySettingsStore({ ...DEFAULT_SETTINGS }),
    secrets: new MemorySecretStore(),
    keychainStatus: { available: true },
    logger: silentRootLogger(),
    redactor: new Redactor(),
    apiUrl: sim.url,
    env: credentialsEnv(sim),
    requestsPerMinute: UNTHROTTLED,
    brokerTuning: FAST_TUNING,
    ...(database ? { databaseUrl: database.url } : {}),
  });
  try {
    const outcome = await runtime.syncOnce('cli', 'force');
    if (outcome.status !== 'success')
      throw new Error(`the clean sync did not succeed: ${outcome.status} ${outcome.error?.message ?? ''}`);
    return await storeContents(runtime.store()!.knex);
  } finally {
    await runtime.stop();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
