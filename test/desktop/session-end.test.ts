/**
 * The OS ending the session (Windows logoff/shutdown, macOS/Linux shutdown) quits through the same
 * path as Quit: the runtime stops and the store closes before the app exits, and the OS is held
 * only while that is still running. Electron's events come from EventEmitters; `app.quit()` is
 * modelled as Electron documents it: it emits before-quit, and exits unless a listener prevents it.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { QuitCoordinator } from '../../main/desktop/lifecycle.js';
import { type SessionEndEvent, watchSessionEnd } from '../../main/desktop/session-end.js';
import { collectingLogger } from '../../main/util/logger.js';

function appWithStore() {
  const log: string[] = [];
  let finishStop!: () => void;
  const coordinator = new QuitCoordinator({
    stop: () =>
      new Promise<void>((resolve) => {
        log.push('runtime stopping');
        finishStop = () => {
          log.push('store closed');
          resolve();
        };
      }),
    quit: () => quit(),
    logger: collectingLogger(),
  });
  const quit = () => {
    let prevented = false;
    coordinator.onBeforeQuit({ preventDefault: () => (prevented = true) });
    if (!prevented) log.push('exited');
  };
  return { log, coordinator, quit, finishStop: () => finishStop() };
}

const sessionEvent = (reasons: string[] = ['logoff']): SessionEndEvent & { held: boolean } => {
  const e = {
    held: false,
    reasons,
    preventDefault: () => {
      e.held = true;
    },
  };
  return e;
};

describe('Windows session end', () => {
  it('query-session-end: holds the session, stops the runtime, closes the store, then exits', async () => {
    const app = appWithStore();
    const window = new EventEmitter();
    const powerMonitor = new EventEmitter();
    const sessionWindow = vi.fn(() => window);
    watchSessionEnd({
      platform: 'win32',
      sessionWindow,
      powerMonitor,
      quit: app.quit,
      isStopped: () => app.coordinator.phase === 'stopped',
      logger: collectingLogger(),
    });
    expect(sessionWindow).toHaveBeenCalledOnce();
    expect(powerMonitor.listenerCount('shutdown')).toBe(0);

    const query = sessionEvent(['shutdown']);
    window.emit('query-session-end', query);
    expect(query.held).toBe(true);
    expect(app.log).toEqual(['runtime stopping']);
    // Windows follows with session-end while the stop is still running: no second stop.
    window.emit('session-end', sessionEvent(['shutdown']));
    app.finishStop();
    await vi.waitFor(() => expect(app.log).toEqual(['runtime stopping', 'store closed', 'exited']));

    // Asked again after the store is closed: nothing to hold.
    const late = sessionEvent();
    window.emit('query-session-end', late);
    expect(late.held).toBe(false);
    expect(app.log).toHaveLength(3);
  });

  it('session-end without a question first (forced logoff): still stops and closes', async () => {
    const app = appWithStore();
    const window = new EventEmitter();
    watchSessionEnd({
      platform: 'win32',
      sessionWindow: () => window,
      powerMonitor: new EventEmitter(),
      quit: app.quit,
      isStopped: () => app.coordinator.phase === 'stopped',
      logger: collectingLogger(),
    });
    window.emit('session-end', sessionEvent(['critical']));
    app.finishStop();
    await vi.waitFor(() => expect(app.log).toEqual(['runtime stopping', 'store closed', 'exited']));
  });
});

describe('macOS and Linux shutdown', () => {
  for (const platform of ['darwin', 'linux'] as const) {
    it(`${platform}: powerMonitor shutdown delays it and quits through the store close`, async () => {
      const app = appWithStore();
      const powerMonitor = new EventEmitter();
      const sessionWindow = vi.fn(() => new EventEmitter());
      watchSessionEnd({
        platform,
        sessionWindow,
        powerMonitor,
        quit: app.quit,
        isStopped: () => app.coordinator.phase === 'stopped',
        logger: collectingLogger(),
      });
      expect(sessionWindow).not.toHaveBeenCalled();
      const shutdown = sessionEvent();
      powerMonitor.emit('shutdown', shutdown);
      expect(shutdown.held).toBe(true);
      app.finishStop();
      await vi.waitFor(() => expect(app.log).toEqual(['runtime stopping', 'store closed', 'exited']));
    });
  }
});
