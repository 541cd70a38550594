import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  decideNavigation,
  decideWindowOpen,
  isOwnRendererUrl,
  secureWebPreferences,
  withCspHeader,
} from '../../main/desktop/window-policy.js';

const dir = '/opt/magnus/resources/app.asar/dist/renderer';
const page = (name: string) => pathToFileURL(`${dir}/${name}`).href;
const allowed = (url: string) => url.startsWith('https://robinhood.com/');

describe('own renderer URLs', () => {
  it('accepts our two pages, with query or hash', () => {
    expect(isOwnRendererUrl(page('status.html'), dir)).toBe(true);
    expect(isOwnRendererUrl(`${page('settings.html')}#credentials`, dir)).toBe(true);
    expect(isOwnRendererUrl(`${page('status.html')}?x=1`, dir)).toBe(true);
  });

  it('refuses anything else', () => {
    for (const url of [
      '',
      'not a url',
      'https://robinhood.com/status.html',
      'http://127.0.0.1:5173/status.html',
      pathToFileURL(`${dir}/other.html`).href,
      pathToFileURL('/tmp/status.html').href,
      pathToFileURL(`${dir}/sub/status.html`).href,
      `file://${dir}/../renderer-evil/status.html`,
      `file://evil-host${dir}/status.html`,
      'devtools://devtools/bundled/inspector.html',
      'data:text/html,<script>1</script>',
    ]) {
      expect(isOwnRendererUrl(url, dir), url).toBe(false);
    }
    expect(isOwnRendererUrl(null, dir)).toBe(false);
  });
});

describe('navigation and new windows', () => {
  it('moves between our pages; sends allow-listed links to the browser; refuses the rest', () => {
    expect(decideNavigation(page('settings.html'), dir, allowed)).toEqual({ action: 'allow' });
    expect(decideNavigation('https://robinhood.com/account', dir, allowed)).toEqual({
      action: 'deny',
      openExternal: 'https://robinhood.com/account',
    });
    expect(decideNavigation('https://evil.example/', dir, allowed)).toEqual({ action: 'deny' });
    expect(decideWindowOpen(page('status.html'), allowed)).toEqual({ action: 'deny' });
    expect(decideWindowOpen('https://robinhood.com/x', allowed)).toMatchObject({
      openExternal: 'https://robinhood.com/x',
    });
  });
});

describe('web preferences and CSP', () => {
  it('isolated, sandboxed, no Node', () => {
    expect(secureWebPreferences('/p/preload.cjs')).toMatchObject({
      preload: '/p/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('replaces any CSP header with ours, keeping the other headers', () => {
    const headers = withCspHeader({ 'content-security-policy': ['default-src *'], 'X-A': ['1'] });
    expect(headers).toEqual({ 'X-A': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe');
  });
});

describe('desktop paths', () => {
  it('finds renderer, preload, entry and icons from the compiled module folder; icons outside app.asar', async () => {
    const { desktopPaths, unpackedPath } = await import('../../main/desktop/desktop-paths.js');
    expect(desktopPaths('/repo/dist/main/desktop')).toEqual({
      rendererDir: '/repo/dist/renderer',
      preload: '/repo/dist/main/desktop/preload.cjs',
      resources: '/repo/resources',
      entry: '/repo/dist/main/index.js',
      engineEntry: '/repo/dist/main/engine-host/entry.js',
    });
    expect(desktopPaths('/opt/Magnus Sync/resources/app.asar/dist/main/desktop').resources).toBe(
      '/opt/Magnus Sync/resources/app.asar.unpacked/resources',
    );
    expect(unpackedPath('C:\\Magnus\\resources\\app.asar\\resources')).toBe(
      'C:\\Magnus\\resources\\app.asar.unpacked\\resources',
    );
    expect(unpackedPath('/home/u/app.asarx/y')).toBe('/home/u/app.asarx/y');
  });
});

describe('isOwnRendererUrl on Windows', () => {
  const dir = 'C:\\Program Files\\Magnus Sync\\resources\\app.asar\\dist\\renderer';

  it('accepts our pages whatever the case of the drive letter or folders Chromium reports', () => {
    for (const url of [
      'file:///C:/Program%20Files/Magnus%20Sync/resources/app.asar/dist/renderer/status.html',
      'file:///c:/Program%20Files/Magnus%20Sync/resources/app.asar/dist/renderer/status.html',
      'file:///C:/PROGRAM%20FILES/magnus%20sync/Resources/app.asar/dist/renderer/Settings.html#credentials',
    ]) {
      expect(isOwnRendererUrl(url, dir, 'win32'), url).toBe(true);
    }
  });

  it('still refuses other folders and other pages', () => {
    for (const url of [
      'file:///C:/Program%20Files/Magnus%20Sync/resources/app.asar/dist/status.html',
      'file:///D:/Program%20Files/Magnus%20Sync/resources/app.asar/dist/renderer/status.html',
      'file:///C:/Program%20Files/Magnus%20Sync/resources/app.asar/dist/renderer/other.html',
      'file://evil-host/C:/Program%20Files/Magnus%20Sync/resources/app.asar/dist/renderer/status.html',
    ]) {
      expect(isOwnRendererUrl(url, dir, 'win32'), url).toBe(false);
    }
  });

  it('POSIX paths stay case-sensitive', () => {
    expect(isOwnRendererUrl('file:///opt/Magnus/renderer/status.html', '/opt/Magnus/renderer', 'linux')).toBe(
      true,
    );
    expect(isOwnRendererUrl('file:///opt/magnus/renderer/status.html', '/opt/Magnus/renderer', 'linux')).toBe(
      false,
    );
  });
});
