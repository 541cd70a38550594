import { describe, expect, it, vi } from 'vitest';
import { deferredLogger } from '../../main/desktop/deferred-logger.js';
import { initialWindow, parseDesktopArgs, QuitCoordinator } from '../../main/desktop/lifecycle.js';
import { collectingLogger } from '../../main/util/logger.js';

const evt = () => ({ preventDefault: vi.fn() });

describe('QuitCoordinator', () => {
  it('holds the first quit until the runtime stopped, then quits once for real', async () => {
    let finish!: () => void;
    const stop = vi.fn(() => new Promise<void>((r) => (finish = r)));
    const quit = vi.fn();
    const q = new QuitCoordinator({ stop, quit, logger: collectingLogger() });
    const first = evt();
    q.onBeforeQuit(first);
    expect(first.preventDefault).toHaveBeenCalled();
    const second = evt();
    q.onBeforeQuit(second);
    expect(second.preventDefault).toHaveBeenCalled();
    expect(stop).toHaveBeenCalledOnce();
    expect(quit).not.toHaveBeenCalled();
    finish();
    await vi.waitFor(() => expect(quit).toHaveBeenCalledOnce());
    const third = evt();
    q.onBeforeQuit(third);
    expect(third.preventDefault).not.toHaveBeenCalled();
    expect(q.phase).toBe('stopped');
  });

  it('quits anyway when stopping hangs or fails', async () => {
    const logger = collectingLogger();
    let fire!: () => void;
    const hung = new QuitCoordinator({
      stop: () => new Promise<void>(() => {}),
      quit: vi.fn(),
      logger,
      timeoutMs: 5,
      setTimeout: (fn) => {
        fire = fn;
      },
    });
    hung.onBeforeQuit(evt());
    fire();
    await vi.waitFor(() => expect(hung.phase).toBe('stopped'));
    const failing = new QuitCoordinator({
      stop: async () => Promise.reject(new Error('x')),
      quit: vi.fn(),
      logger,
    });
    failing.onBeforeQuit(evt());
    await vi.waitFor(() => expect(failing.phase).toBe('stopped'));
    expect(logger.records.map((r) => r.level)).toEqual(['warn', 'error']);
  });
});

describe('startup', () => {
  it('parses our flags among Electron and Chromium ones', () => {
    expect(
      parseDesktopArgs(['/electron', 'dist/main/index.js', '--no-sandbox', '--hidden', '--demo']),
    ).toEqual({
      hidden: true,
      demo: true,
      dataDir: null,
      apiUrl: null,
    });
    expect(parseDesktopArgs(['/app', '--api-url=http://127.0.0.1:9/']).apiUrl).toBe('http://127.0.0.1:9/');
    expect(parseDesktopArgs(['/app', '--data-dir=/tmp/a']).dataDir).toBe('/tmp/a');
    expect(parseDesktopArgs(['/app', '--data-dir', '/tmp/b']).dataDir).toBe('/tmp/b');
    expect(parseDesktopArgs(['/app', '--data-dir', '--demo'])).toMatchObject({ dataDir: null, demo: true });
  });

  it('a login start opens no window; a manual one opens the status window', () => {
    expect(initialWindow({ startedAtLogin: true })).toBeNull();
    expect(initialWindow({ startedAtLogin: false })).toBe('status');
  });

  it('the deferred logger replays early records to the real one, then forwards', () => {
    const log = deferredLogger();
    log.warn('early', { a: 1 });
    const real = collectingLogger();
    log.attach(real);
    log.info('late');
    expect(real.records).toEqual([
      { level: 'warn', message: 'early', meta: { a: 1 } },
      { level: 'info', message: 'late', meta: undefined },
    ]);
  });
});
