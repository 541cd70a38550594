/**
 * IPC, main side: every call is registered, a frame that is not our page is refused before any
 * handler runs, payloads are zod-checked, failures cross as codes, and runtime events reach every
 * window. The last test drives a real desktop runtime (demo simulator, embedded store) through it.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { forwardEvents, type InvokeEventLike, registerIpcHandlers } from '../../main/desktop/ipc.js';
import { isOwnRendererUrl } from '../../main/desktop/window-policy.js';
import { Redactor } from '../../main/logging/index.js';
import { createEventBus } from '../../main/runtime/event-bus.js';
import { createRuntime } from '../../main/runtime/runtime.js';
import { memorySettingsStore } from '../../main/runtime/settings-file.js';
import { collectingLogger } from '../../main/util/logger.js';
import { CallFailure } from '../../shared/call-result.js';
import { CALL_NAMES, type CallResult, type Handlers, ipcChannel } from '../../shared/contract.js';
import { DEFAULT_SETTINGS } from '../../shared/settings.js';
import { silentRootLogger } from '../helpers/loggers.js';
import { status } from './fixtures.js';

const rendererDir = '/app/dist/renderer';
const ownFrame = { senderFrame: { url: pathToFileURL(`${rendererDir}/status.html`).href } };

function fakeIpcMain() {
  const registered = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
  return {
    registered,
    handle: (channel: string, fn: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>) => {
      if (registered.has(channel)) throw new Error(`second handler for ${channel}`);
      registered.set(channel, fn);
    },
    removeHandler: (channel: string) => registered.delete(channel),
    invoke: (channel: string, event: InvokeEventLike, payload?: unknown) => {
      const fn = registered.get(channel);
      if (!fn) throw new Error(`No handler registered for '${channel}'`);
      return fn(event, payload) as Promise<CallResult<unknown>>;
    },
  };
}

function setup(handlers: Partial<Handlers>) {
  const ipcMain = fakeIpcMain();
  const logger = collectingLogger();
  const dispose = registerIpcHandlers({
    ipcMain,
    handlers: handlers as Handlers,
    isTrustedSender: (url) => isOwnRendererUrl(url, rendererDir),
    logger,
  });
  return { ipcMain, logger, dispose };
}

describe('registerIpcHandlers', () => {
  it('registers exactly one handler per call of the contract, and removes them', () => {
    const { ipcMain, dispose } = setup({});
    expect([...ipcMain.registered.keys()].sort()).toEqual(CALL_NAMES.map((n) => ipcChannel.call(n)).sort());
    dispose();
    expect(ipcMain.registered.size).toBe(0);
  });

  it('refuses senders that are not our pages, before the handler runs', async () => {
    const syncNow = vi.fn(async () => ({ message: 'ok' }));
    const { ipcMain, logger } = setup({ syncNow });
    for (const event of [
      { senderFrame: { url: 'https://evil.example/status.html' } },
      { senderFrame: { url: pathToFileURL('/tmp/status.html').href } },
      { senderFrame: null },
      {},
    ]) {
      expect(await ipcMain.invoke(ipcChannel.call('syncNow'), event, {})).toEqual({
        ok: false,
        error: { code: 'forbidden', message: 'This window may not call Magnus Sync.' },
      });
    }
    expect(syncNow).not.toHaveBeenCalled();
    expect(logger.records[0]).toMatchObject({
      level: 'warn',
      meta: { call: 'syncNow', origin: 'https://evil.example' },
    });
  });

  it('validates payloads with the call schema and passes the parsed value', async () => {
    const getChart = vi.fn(async (req: unknown) => ({ echoed: req }));
    const updateSettings = vi.fn();
    const { ipcMain } = setup({ getChart, updateSettings } as unknown as Partial<Handlers>);
    const bad = await ipcMain.invoke(ipcChannel.call('getChart'), ownFrame, {
      accountKey: '****1',
      range: '5Y',
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect((bad as { error: { message: string } }).error.message).toMatch(/^Invalid request: range/);
    const extra = await ipcMain.invoke(ipcChannel.call('updateSettings'), ownFrame, { notAField: 1 });
    expect(extra).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(updateSettings).not.toHaveBeenCalled();
    const good = await ipcMain.invoke(ipcChannel.call('getChart'), ownFrame, {
      accountKey: '****1',
      range: '1D',
    });
    expect(good).toEqual({ ok: true, value: { echoed: { accountKey: '****1', range: '1D' } } });
  });

  it('turns a throwing handler into an internal error without its message', async () => {
    const { ipcMain, logger } = setup({
      getStats: async () => {
        throw new Error('password=hunter2 at /secret/path');
      },
    });
    const result = await ipcMain.invoke(ipcChannel.call('getStats'), ownFrame, undefined);
    expect(result).toEqual({
      ok: false,
      error: { code: 'internal', message: 'The getStats call failed; the log has the details.' },
    });
    expect(JSON.stringify(result)).not.toContain('hunter2');
    expect(logger.records.at(-1)?.level).toBe('error');
  });

  it('says "unavailable" while the engine process restarts, instead of an internal error', async () => {
    const { ipcMain } = setup({
      syncNow: async () => {
        throw new CallFailure('unavailable', 'The sync engine is restarting; try again in a moment.');
      },
    });
    expect(await ipcMain.invoke(ipcChannel.call('syncNow'), ownFrame, {})).toEqual({
      ok: false,
      error: { code: 'unavailable', message: 'The sync engine is restarting; try again in a moment.' },
    });
  });
});

describe('forwardEvents', () => {
  it('sends each runtime event on its channel, until unsubscribed', () => {
    const events = createEventBus(collectingLogger());
    const sent: Array<[string, unknown]> = [];
    const off = forwardEvents(events, (channel, payload) => sent.push([channel, payload]));
    const s = status();
    events.emit('status', s);
    events.emit('dataChanged', { accounts: ['****1'], at: 'now' });
    off();
    events.emit('status', s);
    expect(sent).toEqual([
      ['magnus:event:status', s],
      ['magnus:event:dataChanged', { accounts: ['****1'], at: 'now' }],
    ]);
  });
});

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
