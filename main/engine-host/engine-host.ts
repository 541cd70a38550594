/**
 * The engine side of the desktop app: runs the runtime (store, broker, engine) in its own process
 * and serves it to the main process over the relay, so database work and the FIFO rebuild never
 * block the tray or a window.
 *
 * Settings: the main process owns the settings file; the engine starts from the copy in `init`
 * and sends every change back (the `settings` notice) before it announces it (`settingsChanged`).
 */
import type { EventName } from '../../shared/contract.js';
import { EVENT_NAMES } from '../../shared/contract.js';
import type { Settings } from '../../shared/settings.js';
import { dispatch } from '../runtime/dispatch.js';
import { type AppRuntime, createRuntime } from '../runtime/runtime.js';
import type { PlatformHooks, SettingsStore } from '../runtime/runtime-types.js';
import { errorMeta } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import {
  ENGINE_METHODS,
  ENGINE_NOTICES,
  type EngineInit,
  type EngineMethods,
  type EngineNotices,
  type HostMethods,
  type HostNotices,
} from './protocol.js';
import { RelayPeer, type RelayPort } from './relay.js';

export type EngineSide = RelayPeer<EngineMethods, EngineNotices, HostMethods, HostNotices>;

export interface ServeEngineOptions {
  init: EngineInit;
  port: RelayPort;
  env: NodeJS.ProcessEnv;
  /** Ends the process once the runtime stopped (process.exit in the engine entry). */
  exit(code: number): void;
  /** Overrides for tests (e.g. a memory secret store); the entry passes none. */
  createRuntime?: typeof createRuntime;
}

export function serveEngine(o: ServeEngineOptions): { runtime: AppRuntime; relay: EngineSide } {
  let relay: EngineSide | null = null;
  const peer = () => {
    if (!relay) throw new Error('the relay is not connected yet');
    return relay;
  };
  let current: Settings = o.init.settings;
  const settings: SettingsStore = {
    get: () => current,
    set: (next) => {
      current = next;
      peer().notify('settings', next);
    },
  };
  const hooks = new Set(o.init.hooks);
  const platform: PlatformHooks = {
    ...(hooks.has('openPath') ? { openPath: (path: string) => peer().request('openPath', { path }) } : {}),
    ...(hooks.has('openExternal')
      ? {
          openExternal: (url: string) =>
            peer()
              .request('openExternal', { url })
              .then(() => undefined),
        }
      : {}),
    ...(hooks.has('setLaunchAtLogin')
      ? {
          setLaunchAtLogin: (enabled: boolean) =>
            peer()
              .request('setLaunchAtLogin', { enabled })
              .then(() => undefined),
        }
      : {}),
  };
  const runtime = (o.createRuntime ?? createRuntime)({
    host: 'desktop',
    dataDir: o.init.dataDir,
    settings,
    platform,
    demo: o.init.demo,
    env: o.env,
    ...(o.init.keychainService ? { keychainService: o.init.keychainService } : {}),
    ...(o.init.apiUrl ? { apiUrl: o.init.apiUrl } : {}),
  });
  const logger: Logger = runtime.logger;
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= runtime
      .stop()
      .catch((error: unknown) => {
        logger.error('the sync engine did not stop cleanly', errorMeta(error));
      })
      .then(() => {
        logger.info('sync engine stopped');
        o.exit(0);
      });
    return stopping;
  };

  const served: EngineSide = new RelayPeer<EngineMethods, EngineNotices, HostMethods, HostNotices>(
    o.port,
    {
      methods: ENGINE_METHODS,
      handlers: {
        call: ({ name, request }) => dispatch(runtime.handlers, name, request, { logger, via: 'engine' }),
        start: async ({ trigger }) => {
          await runtime.start(trigger);
          return runtime.status();
        },
      },
      notices: ENGINE_NOTICES,
      onNotice: {
        stop: () => void stop(),
        suspend: () => runtime.suspend(),
        resume: ({ reason }) => runtime.resume(reason),
        networkRestored: () => runtime.networkRestored(),
        log: ({ level, message, meta }) => logger[level](message, { ...meta, process: 'main' }),
      },
    },
    logger,
  );
  relay = served;
  for (const name of EVENT_NAMES) {
    runtime.events.on(name, (payload) =>
      peer().notify('event', { name: name as EventName, payload: payload as Record<string, unknown> }),
    );
  }
  return { runtime, relay: served };
}
