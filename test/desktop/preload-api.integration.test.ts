/**
 * The preload: exactly PreloadApi over ipcRenderer, names and channels equal to the contract's,
 * and a bundle that a sandboxed preload can run (one CommonJS file requiring only "electron").
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it, vi } from 'vitest';
import { createPreloadApi, type IpcRendererLike } from '../../main/desktop/preload-api.js';
import { CALL_NAMES, calls, EVENT_NAMES, PRELOAD_GLOBAL } from '../../shared/contract.js';

function fakeIpcRenderer() {
  const listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  const ipc: IpcRendererLike & { emit(channel: string, payload: unknown): void } = {
    invoke: vi.fn(async (channel: string, request: unknown) => ({ ok: true, value: { channel, request } })),
    on: (channel, fn) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(fn);
    },
    removeListener: (channel, fn) => listeners.get(channel)?.delete(fn),
    emit: (channel, payload) => {
      for (const fn of listeners.get(channel) ?? []) fn({ sender: 'secret-ipc-event' }, payload);
    },
  };
  return ipc;
}

describe('preload API', () => {
  it('passes every call of the contract to its channel, and subscribes every event', async () => {
    expect([...CALL_NAMES].sort()).toEqual(Object.keys(calls).sort());
    const ipc = fakeIpcRenderer();
    const api = createPreloadApi(ipc);
    for (const name of CALL_NAMES)
      expect(await api.call(name, {})).toEqual({
        ok: true,
        value: { channel: `magnus:call:${name}`, request: {} },
      });
    for (const name of EVENT_NAMES) {
      const seen: unknown[] = [];
      const off = api.on(name, (payload) => seen.push(payload));
      ipc.emit(`magnus:event:${name}`, { n: 1 });
      off();
      expect(seen).toEqual([{ n: 1 }]);
    }
  });

  it('exposes only call and on, frozen', () => {
    const api = createPreloadApi(fakeIpcRenderer());
    expect(Object.keys(api).sort()).toEqual(['call', 'on']);
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('invokes the call channel; an unknown name never reaches ipcRenderer', async () => {
    const ipc = fakeIpcRenderer();
    const api = createPreloadApi(ipc);
    expect(await api.call('syncNow', {})).toEqual({
      ok: true,
      value: { channel: 'magnus:call:syncNow', request: {} },
    });
    expect(await api.call('evil' as never, {})).toMatchObject({ ok: false, error: { code: 'unknown-call' } });
    expect(await api.call('__proto__' as never, {})).toMatchObject({ ok: false });
    expect(ipc.invoke).toHaveBeenCalledTimes(1);
  });

  it('delivers event payloads without the Electron event, and unsubscribes', () => {
    const ipc = fakeIpcRenderer();
    const api = createPreloadApi(ipc);
    const seen: unknown[][] = [];
    const off = api.on('status', (...args: unknown[]) => seen.push(args));
    ipc.emit('magnus:event:status', { state: 'idle' });
    off();
    ipc.emit('magnus:event:status', { state: 'error' });
    expect(seen).toEqual([[{ state: 'idle' }]]);
    const none = api.on('rawIpc' as never, () => seen.push(['x']));
    ipc.emit('magnus:event:rawIpc', 1);
    none();
    expect(seen).toHaveLength(1);
  });

  it('bundles to one CommonJS script that requires nothing but electron, without zod', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'magnus-preload-'));
    try {
      const outfile = join(dir, 'preload.cjs');
      // The same options as build.mjs.
      await build({
        entryPoints: ['main/desktop/preload.ts'],
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node22',
        external: ['electron'],
        outfile,
        logLevel: 'silent',
      });
      const code = await readFile(outfile, 'utf8');
      const requires = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
      expect(new Set(requires)).toEqual(new Set(['electron']));
      expect(code).not.toMatch(/\bimport\s*[{*]|\bexport\s/);
      expect(code).not.toContain('ZodError');
      expect(code.length).toBeLessThan(10_000);
      // Runs as a sandboxed preload would: with a fake electron, it exposes the API once.
      const exposed: Record<string, unknown> = {};
      const fakeElectron = {
        contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
        ipcRenderer: fakeIpcRenderer(),
      };
      new Function('require', 'module', 'exports', code)(
        (id: string) => (id === 'electron' ? fakeElectron : undefined),
        { exports: {} },
        {},
      );
      expect(Object.keys(exposed)).toEqual([PRELOAD_GLOBAL]);
      expect(Object.keys(exposed[PRELOAD_GLOBAL] as object).sort()).toEqual(['call', 'on']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
