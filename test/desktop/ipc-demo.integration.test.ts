/**
 * IPC against a real desktop runtime: the demo simulator and an embedded store, through a full
 * startup sync (about 25 s on a shared machine), so it lives in the integration tier.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { forwardEvents } from '../../main/desktop/ipc.js';
import { Redactor } from '../../main/logging/index.js';
import { createRuntime } from '../../main/runtime/runtime.js';
import { memorySettingsStore } from '../../main/runtime/settings-file.js';
import { ipcChannel } from '../../shared/contract.js';
import { DEFAULT_SETTINGS } from '../../shared/settings.js';
import { silentRootLogger } from '../helpers/loggers.js';
import { ownFrame, setup } from './ipc-fixtures.js';

describe('IPC against a real desktop runtime (demo simulator)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it("getState, the startup sync's pushed events and getDashboard travel through the IPC layer", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'magnus-desktop-ipc-'));
    const runtime = createRuntime({
      host: 'desktop',
      dataDir,
      settings: memorySettingsStore(DEFAULT_SETTINGS),
      platform: {
        setLaunchAtLogin: async () => undefined,
        openPath: async () => ({ ok: true, message: '' }),
      },
      demo: true,
      logger: silentRootLogger(),
      redactor: new Redactor(),
      env: {},
    });
    cleanups.push(async () => {
      await runtime.stop();
      await rm(dataDir, { recursive: true, force: true });
    });
    const { ipcMain } = setup(runtime.handlers);
    const sent: string[] = [];
    const off = forwardEvents(runtime.events, (channel) => sent.push(channel));
    cleanups.push(async () => off());

    const state = await ipcMain.invoke(ipcChannel.call('getState'), ownFrame, {});
    expect(state).toMatchObject({
      ok: true,
      value: { capabilities: { desktop: true, canLaunchAtLogin: true } },
    });

    await runtime.start('startup');
    await vi.waitFor(() => expect(sent).toContain('magnus:event:dataChanged'), {
      timeout: 40_000,
      interval: 100,
    });
    expect(sent).toContain('magnus:event:status');
    const dashboard = await ipcMain.invoke(ipcChannel.call('getDashboard'), ownFrame, {});
    expect(dashboard).toMatchObject({ ok: true, value: { account: { broker: 'demo' } } });
    // Closed trades travel the same contract over IPC as over HTTP, validated the same way.
    const closed = (await ipcMain.invoke(ipcChannel.call('getClosedTrades'), ownFrame, {
      accountKey: 'all',
      period: 'all',
    })) as { ok: true; value: { realized: unknown; tradeCount: number } };
    const direct = await runtime.store()?.closedTrades({
      accountKey: 'all',
      period: 'all',
      symbol: null,
      now: new Date(),
    });
    expect(closed.ok).toBe(true);
    expect(closed.value.tradeCount).toBeGreaterThan(0);
    expect(closed.value.tradeCount).toBe(direct?.tradeCount);
    expect(closed.value.realized).toEqual(direct?.realized);
    expect(
      await ipcMain.invoke(ipcChannel.call('getClosedTrades'), ownFrame, {
        accountKey: 'all',
        period: 'decade',
      }),
    ).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const secretFree = JSON.stringify(await ipcMain.invoke(ipcChannel.call('getCredentials'), ownFrame, {}));
    expect(secretFree).not.toMatch(/password"\s*:\s*"/);
  }, 60_000);
});
