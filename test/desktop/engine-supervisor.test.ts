/**
 * The engine supervisor and the relay, with a scripted engine on the other end of a real message
 * channel (node:worker_threads): the status while starting and after a crash, the restart backoff,
 * the stop bound, and both ends refusing what does not validate.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type EngineProcess, EngineSupervisor } from '../../main/desktop/engine-supervisor.js';
import {
  ENGINE_METHODS,
  ENGINE_NOTICES,
  type EngineInit,
  type EngineMethods,
  type EngineNotices,
  HOST_METHODS,
  type HostMethods,
  type HostNotices,
} from '../../main/engine-host/protocol.js';
import { RelayError, RelayPeer, type RelayPort } from '../../main/engine-host/relay.js';
import { collectingLogger, silentLogger } from '../../main/util/logger.js';
import { CallFailure } from '../../shared/call-result.js';
import type { SyncStatus } from '../../shared/models.js';
import { DEFAULT_SETTINGS } from '../../shared/settings.js';

/** Electron's MessagePortMain hands `{ data }` to listeners; Node's MessagePort hands the data. */
function relayPort(port: MessagePort): RelayPort {
  return {
    postMessage: (message) => port.postMessage(message),
    on: (_event, listener) => port.on('message', (data: unknown) => listener({ data })),
    start: () => port.start(),
    close: () => port.close(),
  };
}

const engineStatus = (state: SyncStatus['state']): SyncStatus => ({
  state,
  demo: false,
  progress: null,
  startedAt: '2026-12-01T00:00:00.000Z',
  lastSuccessAt: '2026-12-01T00:01:00.000Z',
  lastAttemptAt: null,
  lastError: null,
  nextRunAt: null,
  nextHistoryRunAt: null,
  throttledUntil: null,
  cycleCount: 1,
  errorCount: 0,
  consecutiveFailures: 0,
  lastCycleRequests: 9,
  rateLimitPerMinute: 60,
  syncIntervalSeconds: 300,
  tradeHistoryIntervalSeconds: 3600,
  authPrompt: null,
});

/** A scripted engine process: answers `start` when told to, exits on `stop` unless stubborn. */
class FakeEngine implements EngineProcess {
  readonly port: RelayPort;
  readonly pid = Math.floor(Math.random() * 1e6);
  killed = false;
  readonly init: EngineInit;
  private exitListener: ((code: number) => void) | null = null;
  private releaseStart: (() => void) | null = null;
  readonly engine: RelayPeer<EngineMethods, EngineNotices, HostMethods, HostNotices>;
  private readonly channel = new MessageChannel();

  constructor(init: EngineInit, o: { stubborn?: boolean; holdStart?: boolean } = {}) {
    this.init = init;
    this.port = relayPort(this.channel.port1);
    const held = o.holdStart
      ? new Promise<void>((resolve) => {
          this.releaseStart = resolve;
        })
      : Promise.resolve();
    this.engine = new RelayPeer<EngineMethods, EngineNotices, HostMethods, HostNotices>(
      relayPort(this.channel.port2),
      {
        methods: ENGINE_METHODS,
        handlers: {
          call: async ({ name }) => {
            if (name === 'getState')
              return { ok: true, value: { version: 'x', status: engineStatus('idle') } };
            if (name === 'updateSettings')
              return {
                ok: false,
                error: {
                  code: 'invalid-request',
                  message: 'Invalid request: syncIntervalSeconds: Too small.',
                  fields: { syncIntervalSeconds: 'Too small.' },
                },
              };
            return { ok: true, value: { name } };
          },
          start: async () => {
            await held;
            return engineStatus('idle');
          },
        },
        notices: ENGINE_NOTICES,
        onNotice: {
          stop: () => {
            if (!o.stubborn) this.exit(0);
          },
          suspend: () => undefined,
          resume: () => undefined,
          networkRestored: () => undefined,
          log: () => undefined,
        },
      },
      silentLogger,
    );
  }
  releaseStartNow(): void {
    this.releaseStart?.();
  }
  kill(): void {
    this.killed = true;
    this.exit(137);
  }
  onExit(listener: (code: number) => void): void {
    this.exitListener = listener;
  }
  exit(code: number): void {
    this.channel.port1.close();
    this.exitListener?.(code);
  }
}

/** Timers the test runs by hand. */
function manualTimers() {
  const pending = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  return {
    pending,
    setTimeout: (fn: () => void, ms: number) => {
      pending.set(next, { fn, ms });
      return next++;
    },
    clearTimeout: (handle: unknown) => {
      pending.delete(handle as number);
    },
    /** Runs the timer with this delay; fails when there is none. */
    fire(ms: number) {
      const entry = [...pending].find(([, t]) => t.ms === ms);
      if (!entry) throw new Error(`no timer of ${ms} ms; pending: ${[...pending.values()].map((t) => t.ms)}`);
      pending.delete(entry[0]);
      entry[1].fn();
    },
    delays: () => [...pending.values()].map((t) => t.ms),
  };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('EngineSupervisor', () => {
  let supervisor: EngineSupervisor | null = null;
  afterEach(async () => {
    await supervisor?.stop();
    supervisor = null;
  });

  function make(o: { stubborn?: boolean; holdStart?: boolean; stopTimeoutMs?: number } = {}) {
    const engines: FakeEngine[] = [];
    const timers = manualTimers();
    const saved: unknown[] = [];
    const logger = collectingLogger();
    supervisor = new EngineSupervisor({
      spawn: (init) => {
        const engine = new FakeEngine(init, o);
        engines.push(engine);
        return engine;
      },
      init: () => ({ dataDir: '/data', demo: false, settings: DEFAULT_SETTINGS }),
      hooks: { openPath: async ({ path }) => ({ ok: true, message: `opened ${path}` }) },
      saveSettings: (next) => saved.push(next),
      logger,
      timers,
      stopTimeoutMs: o.stopTimeoutMs ?? 2_000,
    });
    const statuses: SyncStatus[] = [];
    supervisor.events.on('status', (s) => statuses.push(s));
    return { s: supervisor, engines, timers, saved, statuses, logger };
  }

  it('says "starting" until the engine answers, also to a window that asks then', async () => {
    const { s, engines, statuses } = make({ holdStart: true });
    s.start();
    expect(s.status().state).toBe('starting');
    expect(statuses.at(-1)?.state).toBe('starting');
    expect(engines[0]!.init).toMatchObject({ type: 'init', dataDir: '/data', hooks: ['openPath'] });
    const state = (await s.handlers.getState({})) as unknown as { status: SyncStatus };
    expect(state.status.state).toBe('starting');

    engines[0]!.releaseStartNow();
    await settled();
    expect(s.status().state).toBe('idle');
    expect(statuses.at(-1)?.state).toBe('idle');
  });

  it('relays calls both ways, and settings changes to the settings file', async () => {
    const { s, engines, saved } = make();
    s.start();
    await settled();
    expect(await s.handlers.getStats({})).toEqual({ name: 'getStats' });
    // The engine's failure is the call's failure: code, message and fields cross unchanged.
    const refused = await s.handlers
      .updateSettings({ syncIntervalSeconds: 5 })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CallFailure);
    expect(refused).toMatchObject({
      code: 'invalid-request',
      message: 'Invalid request: syncIntervalSeconds: Too small.',
      fields: { syncIntervalSeconds: 'Too small.' },
    });
    const engine = engines[0]!.engine;
    expect(await engine.request('openPath', { path: '/logs' })).toEqual({
      ok: true,
      message: 'opened /logs',
    });
    // A hook the app does not serve, and parameters that do not validate, are refused.
    await expect(engine.request('setLaunchAtLogin', { enabled: true })).rejects.toMatchObject({
      code: 'failed',
    });
    await expect(engine.request('openPath', { path: 42 } as never)).rejects.toMatchObject({
      code: 'invalid-request',
    });
    engine.notify('settings', { ...DEFAULT_SETTINGS, syncIntervalSeconds: 900 });
    engine.notify('settings', { ...DEFAULT_SETTINGS, syncIntervalSeconds: -1 });
    await settled();
    expect(saved).toEqual([{ ...DEFAULT_SETTINGS, syncIntervalSeconds: 900 }]);
  });

  it('after a crash: the error state, calls refused as unavailable, restarts at 1 s, 2 s, 4 s … 30 s', async () => {
    const { s, engines, timers, statuses } = make();
    s.start();
    await vi.waitFor(() => expect(s.status().state).toBe('idle'));
    const delays: number[] = [];
    for (let crash = 1; crash <= 7; crash++) {
      engines.at(-1)!.exit(1);
      expect(s.status().state).toBe('error');
      expect(statuses.at(-1)?.lastError?.message).toMatch(/sync engine stopped unexpectedly \(exit code 1\)/);
      await expect(s.handlers.syncNow({})).rejects.toBeInstanceOf(CallFailure);
      await expect(s.handlers.syncNow({})).rejects.toMatchObject({ code: 'unavailable' });
      const delay = timers.delays().find((ms) => ms <= 30_000)!;
      delays.push(delay);
      timers.fire(delay);
      expect(engines).toHaveLength(crash + 1);
      expect(s.status().state).toBe('starting');
      await vi.waitFor(() => expect(s.status().state).toBe('idle'));
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    // A minute of healthy running resets the backoff.
    timers.fire(60_000);
    engines.at(-1)!.exit(1);
    expect(timers.delays()).toContain(1_000);
  });

  it('stop: the engine stops on its own; nothing is killed and no restart follows', async () => {
    const { s, engines, timers } = make();
    s.start();
    await settled();
    await s.stop();
    expect(engines[0]!.killed).toBe(false);
    expect(timers.delays()).not.toContain(1_000);
    await expect(s.handlers.getStats({})).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('stop: an engine that does not exit within the bound is killed', async () => {
    const { s, engines } = make({ stubborn: true, stopTimeoutMs: 100 });
    s.start();
    await settled();
    const started = Date.now();
    await s.stop();
    expect(engines[0]!.killed).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(engines).toHaveLength(1);
  });
});

describe('RelayPeer', () => {
  it('drops malformed messages and refuses unknown methods', async () => {
    const { port1, port2 } = new MessageChannel();
    const logger = collectingLogger();
    const host = new RelayPeer<HostMethods, HostNotices, EngineMethods, EngineNotices>(
      relayPort(port1),
      {
        methods: HOST_METHODS,
        handlers: {
          openPath: async () => ({ ok: true, message: '' }),
          openExternal: async () => null,
          setLaunchAtLogin: async () => null,
        },
        notices: { event: ENGINE_NOTICES.stop, settings: ENGINE_NOTICES.stop } as never,
        onNotice: { event: () => undefined, settings: () => undefined },
      },
      logger,
    );
    const answers: unknown[] = [];
    port2.on('message', (m) => answers.push(m));
    port2.postMessage({ kind: 'request', id: 'x', method: 'openPath' });
    port2.postMessage({ kind: 'request', id: 7, method: 'rm -rf', params: {} });
    await settled();
    expect(logger.records.map((r) => r.message)).toContain('relay: dropped a malformed message');
    expect(answers).toEqual([
      { kind: 'response', id: 7, ok: false, error: { code: 'unknown-method', message: 'rm -rf' } },
    ]);
    host.close('gone');
    await expect(host.request('start', { trigger: 'startup' })).rejects.toBeInstanceOf(RelayError);
    port2.close();
  });
});
