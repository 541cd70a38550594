/**
 * The main process's side of the engine process: starts it, relays the contract to it, restarts it
 * after a crash, and stops it on quit.
 *
 * To the rest of the main process (tray, IPC, notifications, power events) it looks like the
 * runtime: `handlers`, `events`, `status()`, `suspend()`/`resume()`/`networkRestored()`. Until
 * the engine answers, the status is "starting"; after a crash it is "error" with the reason and
 * when the engine comes back (1 s, 2 s, 4 s … up to 30 s; the count resets after a minute of
 * healthy running). `stop()` asks the engine to stop (the running cycle completes or rolls back,
 * the store closes) and kills it when it has not exited within the bound.
 *
 * No electron import: app.ts passes `spawn`, which forks the utility process and hands it the port.
 */
import { CALL_NAMES, type CallName, type EventName } from '../../shared/call-names.js';
import { CallFailure, unwrapResult } from '../../shared/call-result.js';
import type { Events, Handlers } from '../../shared/contract.js';
import type { SyncStatus } from '../../shared/models.js';
import type { Settings } from '../../shared/settings.js';
import {
  type EngineInit,
  type EngineMethods,
  type EngineNotices,
  HOST_METHODS,
  HOST_NOTICES,
  type HostMethods,
  type HostNotices,
} from '../engine-host/protocol.js';
import { RelayError, RelayPeer, type RelayPort } from '../engine-host/relay.js';
import { createEventBus } from '../runtime/event-bus.js';
import type { EventBus } from '../runtime/runtime-types.js';
import { describeError, errorMeta } from '../util/errors.js';
import type { Logger, LogMeta, LogRecord } from '../util/logger.js';

export const RESTART_FIRST_DELAY_MS = 1_000;
export const RESTART_MAX_DELAY_MS = 30_000;
/** Running this long without a crash resets the restart delay to the first step. */
export const HEALTHY_AFTER_MS = 60_000;
/** Quit waits this long for the engine to stop on its own before it is killed. */
export const ENGINE_STOP_TIMEOUT_MS = 10_000;
/** The engine's default request budget, shown until the engine reports its own status. */
const PLACEHOLDER_RATE_LIMIT_PER_MINUTE = 60;
const MAX_BUFFERED_LOG_RECORDS = 500;

/** A started engine process, as app.ts (Electron's utilityProcess) or a test provides it. */
export interface EngineProcess {
  /** The relay's port, already handed to the process together with `init`. */
  readonly port: RelayPort;
  readonly pid: number | undefined;
  kill(): void;
  onExit(listener: (code: number) => void): void;
}

type HostHandlers = {
  [M in keyof HostMethods]?: (params: Parameters<HostImpl[M]>[0]) => ReturnType<HostImpl[M]>;
};
type HostImpl = {
  openPath(p: { path: string }): Promise<{ ok: boolean; message: string }>;
  openExternal(p: { url: string }): Promise<null>;
  setLaunchAtLogin(p: { enabled: boolean }): Promise<null>;
};

export interface EngineSupervisorOptions {
  /** Starts one engine process and sends it `init` with the relay's port. */
  spawn(init: EngineInit): EngineProcess;
  /** The engine's configuration, read again at every (re)start (the settings may have changed). */
  init(): Omit<EngineInit, 'type' | 'hooks'>;
  /** The platform hooks the main process serves to the engine. */
  hooks: HostHandlers;
  /** The engine changed the settings: save them (the main process owns the settings file). */
  saveSettings(next: Settings): void;
  /** The main process's own log (console); used for what cannot go to the engine's log file. */
  logger: Logger;
  now?: () => Date;
  timers?: {
    setTimeout(fn: () => void, ms: number): unknown;
    clearTimeout(handle: unknown): void;
  };
  restartFirstDelayMs?: number;
  restartMaxDelayMs?: number;
  healthyAfterMs?: number;
  stopTimeoutMs?: number;
}

type Phase = 'idle' | 'starting' | 'running' | 'restarting' | 'stopping' | 'stopped';

interface Current {
  process: EngineProcess;
  relay: RelayPeer<HostMethods, HostNotices, EngineMethods, EngineNotices>;
  exited: Promise<number>;
}

export class EngineSupervisor {
  readonly handlers: Handlers;
  readonly events: EventBus;
  /** Log records of the main process; written to the engine's redacting log file. */
  readonly logSink: Logger;

  private phase: Phase = 'idle';
  private current: Current | null = null;
  private engineStatus: SyncStatus | null = null;
  private crash: { message: string; at: Date; restartAt: Date } | null = null;
  private failures = 0;
  private restartTimer: unknown = null;
  private healthyTimer: unknown = null;
  private readonly startedAt: Date;
  private readonly bufferedLogs: LogRecord[] = [];
  private readonly now: () => Date;
  private readonly timers: NonNullable<EngineSupervisorOptions['timers']>;
  private spawnedCount = 0;

  constructor(private readonly o: EngineSupervisorOptions) {
    this.now = o.now ?? (() => new Date());
    this.timers = o.timers ?? {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    };
    this.startedAt = this.now();
    this.events = createEventBus(o.logger);
    this.handlers = this.relayedHandlers();
    const at =
      (level: LogRecord['level']) =>
      (message: string, meta?: LogMeta): void =>
        this.log({ level, message, ...(meta ? { meta: plainMeta(meta) } : {}) });
    this.logSink = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  }

  /** The engine's process id, while one runs (for diagnostics and tests). */
  pid(): number | undefined {
    return this.current?.process.pid;
  }

  /** How many engine processes were started so far. */
  get launches(): number {
    return this.spawnedCount;
  }

  status(): SyncStatus {
    const base = this.engineStatus ?? this.placeholder();
    switch (this.phase) {
      case 'running':
      case 'stopping':
      case 'stopped':
        return base;
      case 'restarting': {
        const crash = this.crash;
        return {
          ...base,
          state: 'error',
          progress: null,
          authPrompt: null,
          lastError: crash ? { message: crash.message, at: crash.at.toISOString() } : base.lastError,
          nextRunAt: crash ? crash.restartAt.toISOString() : null,
        };
      }
      default:
        return { ...base, state: 'starting', progress: null, authPrompt: null, nextRunAt: null };
    }
  }

  /** Starts the engine; the status says "starting" until it answers. Returns at once. */
  start(): void {
    if (this.phase !== 'idle') return;
    this.launch();
  }

  /** Asks the engine to stop and waits for it to exit; kills it after the bound. */
  async stop(): Promise<void> {
    if (this.phase === 'stopping' || this.phase === 'stopped') return this.stopped;
    this.phase = 'stopping';
    this.clearTimers();
    this.stopped = this.stopCurrent();
    return this.stopped;
  }
  private stopped: Promise<void> = Promise.resolve();

  suspend(): void {
    this.current?.relay.notify('suspend', {});
  }

  resume(reason: 'resume' | 'clock-jump'): void {
    this.current?.relay.notify('resume', { reason });
  }

  networkRestored(): void {
    this.current?.relay.notify('networkRestored', {});
  }

  // ---- process lifecycle ------------------------------------------------------------------------

  private launch(): void {
    this.phase = 'starting';
    const init: EngineInit = {
      type: 'init',
      ...this.o.init(),
      hooks: (Object.keys(this.o.hooks) as Array<keyof HostMethods>).filter((k) => this.o.hooks[k]),
    };
    const process = this.o.spawn(init);
    this.spawnedCount++;
    let markExited: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => {
      markExited = resolve;
    });
    const relay = new RelayPeer<HostMethods, HostNotices, EngineMethods, EngineNotices>(
      process.port,
      {
        methods: HOST_METHODS,
        handlers: {
          openPath: (p) => this.hook('openPath', p),
          openExternal: (p) => this.hook('openExternal', p),
          setLaunchAtLogin: (p) => this.hook('setLaunchAtLogin', p),
        },
        notices: HOST_NOTICES,
        onNotice: {
          event: ({ name, payload }) => this.onEngineEvent(name as EventName, payload),
          settings: (next) => this.o.saveSettings(next),
        },
      },
      this.o.logger,
    );
    const current: Current = { process, relay, exited };
    this.current = current;
    process.onExit((code) => {
      markExited(code);
      this.onExit(current, code);
    });
    for (const record of this.bufferedLogs.splice(0)) relay.notify('log', record);
    this.emitStatus();
    relay.request('start', { trigger: 'startup' }).then(
      (status) => {
        if (this.current !== current || this.phase !== 'starting') return;
        this.phase = 'running';
        this.crash = null;
        this.engineStatus = status;
        this.healthyTimer = this.timers.setTimeout(() => {
          this.failures = 0;
        }, this.o.healthyAfterMs ?? HEALTHY_AFTER_MS);
        this.emitStatus();
      },
      (error: unknown) => {
        if (this.current === current) this.o.logger.warn('the sync engine did not start', errorMeta(error));
      },
    );
  }

  private onExit(current: Current, code: number): void {
    if (this.current !== current) return;
    this.current = null;
    current.relay.close('The sync engine is not running.');
    if (this.phase === 'stopping' || this.phase === 'stopped') return;
    this.clearTimers();
    this.failures++;
    const first = this.o.restartFirstDelayMs ?? RESTART_FIRST_DELAY_MS;
    const delay = Math.min(
      first * 2 ** (this.failures - 1),
      this.o.restartMaxDelayMs ?? RESTART_MAX_DELAY_MS,
    );
    const at = this.now();
    this.crash = {
      message: `The sync engine stopped unexpectedly (exit code ${code}); restarting it in ${Math.max(1, Math.round(delay / 1000))} s.`,
      at,
      restartAt: new Date(at.getTime() + delay),
    };
    this.phase = 'restarting';
    this.log({
      level: 'error',
      message: 'the sync engine stopped unexpectedly',
      meta: { code, restartInMs: delay },
    });
    this.emitStatus();
    this.restartTimer = this.timers.setTimeout(() => {
      this.restartTimer = null;
      if (this.phase === 'restarting') this.launch();
    }, delay);
  }

  private async stopCurrent(): Promise<void> {
    const current = this.current;
    if (current) {
      current.relay.notify('stop', {});
      const timeoutMs = this.o.stopTimeoutMs ?? ENGINE_STOP_TIMEOUT_MS;
      const code = await within(current.exited, timeoutMs);
      if (code === null) {
        this.o.logger.warn(`the sync engine did not stop within ${timeoutMs} ms; ending it`);
        current.process.kill();
        await within(current.exited, 5_000);
      }
    }
    this.phase = 'stopped';
  }

  private clearTimers(): void {
    if (this.restartTimer !== null) this.timers.clearTimeout(this.restartTimer);
    if (this.healthyTimer !== null) this.timers.clearTimeout(this.healthyTimer);
    this.restartTimer = null;
    this.healthyTimer = null;
  }

  // ---- relay ------------------------------------------------------------------------------------

  private async hook<M extends keyof HostImpl>(
    name: M,
    params: Parameters<HostImpl[M]>[0],
  ): Promise<Awaited<ReturnType<HostImpl[M]>>> {
    const handler = this.o.hooks[name] as
      | ((p: unknown) => Promise<Awaited<ReturnType<HostImpl[M]>>>)
      | undefined;
    if (!handler) throw new Error(`${name} is not available in this app`);
    return handler(params);
  }

  private onEngineEvent(name: EventName, payload: Record<string, unknown>): void {
    if (name === 'status') {
      this.engineStatus = payload as unknown as SyncStatus;
      // While starting, the status says so; the engine's own status shows once it is running.
      if (this.phase !== 'running') return;
    }
    this.events.emit(name, payload as unknown as Events[typeof name]);
  }

  private emitStatus(): void {
    this.events.emit('status', this.status());
  }

  private relayedHandlers(): Handlers {
    const handlers = {} as Record<CallName, (request: unknown) => Promise<unknown>>;
    for (const name of CALL_NAMES) {
      handlers[name] = async (request) => {
        const current = this.current;
        if (!current) throw new CallFailure('unavailable', unavailableMessage(this.phase));
        let result: Awaited<ReturnType<typeof current.relay.request<'call'>>>;
        try {
          result = await current.relay.request('call', { name, request });
        } catch (error) {
          if (error instanceof RelayError && error.code === 'unavailable')
            throw new CallFailure('unavailable', unavailableMessage(this.phase));
          throw error;
        }
        // The engine's failure is this call's failure, with its code, message and fields.
        const value = unwrapResult(result);
        // A window that asks while the engine starts sees "starting", as the tray does.
        if (name === 'getState' && this.phase !== 'running')
          return { ...(value as object), status: this.status() };
        return value;
      };
    }
    return handlers as Handlers;
  }

  private log(record: LogRecord): void {
    if (record.level === 'warn' || record.level === 'error')
      this.o.logger[record.level](record.message, record.meta);
    const current = this.current;
    if (current) current.relay.notify('log', record);
    else if (this.bufferedLogs.push(record) > MAX_BUFFERED_LOG_RECORDS) this.bufferedLogs.shift();
  }

  private placeholder(): SyncStatus {
    const init = this.o.init();
    return {
      state: 'starting',
      demo: init.demo,
      progress: null,
      startedAt: this.startedAt.toISOString(),
      lastSuccessAt: null,
      lastAttemptAt: null,
      lastError: null,
      nextRunAt: null,
      nextHistoryRunAt: null,
      throttledUntil: null,
      cycleCount: 0,
      errorCount: 0,
      consecutiveFailures: 0,
      lastCycleRequests: null,
      rateLimitPerMinute: PLACEHOLDER_RATE_LIMIT_PER_MINUTE,
      syncIntervalSeconds: init.settings.syncIntervalSeconds,
      tradeHistoryIntervalSeconds: init.settings.tradeHistoryIntervalSeconds,
      authPrompt: null,
    };
  }
}

function unavailableMessage(phase: Phase): string {
  if (phase === 'stopping' || phase === 'stopped') return 'The sync engine is stopping.';
  return 'The sync engine is restarting; try again in a moment.';
}

/** Resolves with the value, or null when it did not come within `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(null);
      },
    );
  });
}

/** Log meta as plain data (it crosses a process boundary): errors keep the logged shape (describeError). */
function plainMeta(meta: LogMeta): LogMeta {
  try {
    return JSON.parse(
      JSON.stringify(meta, (_key, value: unknown) => (value instanceof Error ? describeError(value) : value)),
    );
  } catch {
    return { meta: 'unserialisable' };
  }
}
