/** windows.ts with a fake `electron`: the guards it installs refuse navigation, windows and webviews. */
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => ({
  shell: { openExternal: vi.fn(async () => undefined) },
  BrowserWindow: class {},
}));
vi.mock('electron', () => ({ ...electron, default: electron }));

const { guardWebContents, hardenSession } = await import('../../main/desktop/windows.js');
const { collectingLogger } = await import('../../main/util/logger.js');

type Listener = (event: { url: string; preventDefault(): void }) => void;

function fakeContents() {
  const listeners = new Map<string, Listener>();
  let openHandler: ((d: { url: string }) => { action: string }) | null = null;
  return {
    on: (name: string, fn: Listener) => listeners.set(name, fn),
    setWindowOpenHandler: (fn: typeof openHandler) => {
      openHandler = fn;
    },
    fire(name: string, url: string) {
      const event = { url, preventDefault: vi.fn() };
      listeners.get(name)?.(event);
      return event.preventDefault.mock.calls.length > 0;
    },
    open: (url: string) => openHandler?.({ url }),
  };
}

const rendererDir = '/app/dist/renderer';
const options = {
  rendererDir,
  isAllowedExternal: (url: string) => url.startsWith('https://github.com/'),
  logger: collectingLogger(),
};

describe('guardWebContents', () => {
  beforeEach(() => electron.shell.openExternal.mockClear());

  it('lets our pages load, refuses everything else, and opens allow-listed links in the browser', () => {
    const contents = fakeContents();
    guardWebContents(contents as never, options);
    expect(contents.fire('will-navigate', pathToFileURL(`${rendererDir}/settings.html`).href)).toBe(false);
    expect(contents.fire('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.fire('will-redirect', 'https://evil.example/')).toBe(true);
    expect(contents.fire('will-navigate', 'https://github.com/magnus')).toBe(true);
    expect(contents.fire('will-attach-webview', 'about:blank')).toBe(true);
    expect(contents.open('https://evil.example/')).toEqual({ action: 'deny' });
    expect(contents.open('https://github.com/issues')).toEqual({ action: 'deny' });
    expect(electron.shell.openExternal.mock.calls).toEqual([
      ['https://github.com/magnus'],
      ['https://github.com/issues'],
    ]);
  });
});

describe('hardenSession', () => {
  it('denies every permission and adds the CSP header', () => {
    let requestHandler: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | null = null;
    let checkHandler: (() => boolean) | null = null;
    let headers:
      | ((d: { responseHeaders?: Record<string, string[]> }, cb: (r: unknown) => void) => void)
      | null = null;
    hardenSession({
      setPermissionRequestHandler: (fn: typeof requestHandler) => (requestHandler = fn),
      setPermissionCheckHandler: (fn: typeof checkHandler) => (checkHandler = fn),
      webRequest: { onHeadersReceived: (fn: typeof headers) => (headers = fn) },
    } as never);
    const answer = vi.fn();
    requestHandler!(null, 'media', answer);
    expect(answer).toHaveBeenCalledWith(false);
    expect(checkHandler!()).toBe(false);
    const reply = vi.fn();
    headers!({ responseHeaders: { 'X-A': ['1'] } }, reply);
    expect(reply.mock.calls[0]?.[0]).toMatchObject({
      responseHeaders: {
        'X-A': ['1'],
        'Content-Security-Policy': [expect.stringContaining("script-src 'self'")],
      },
    });
  });
});
