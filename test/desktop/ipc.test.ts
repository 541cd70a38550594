/**
 * IPC, main side: every call is registered, a frame that is not our page is refused before any
 * handler runs, payloads are zod-checked, failures cross as codes, and runtime events reach every
 * window. The same layer over a real desktop runtime is in ipc-demo.integration.test.ts.
 */
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { forwardEvents } from '../../main/desktop/ipc.js';
import { createEventBus } from '../../main/runtime/event-bus.js';
import { collectingLogger } from '../../main/util/logger.js';
import { CallFailure } from '../../shared/call-result.js';
import { CALL_NAMES, type Handlers, ipcChannel } from '../../shared/contract.js';
import { status } from './fixtures.js';
import { ownFrame, setup } from './ipc-fixtures.js';

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
