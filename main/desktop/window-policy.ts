/**
 * The security rules of our windows, as pure functions (windows.ts applies them to Electron):
 * which URLs are our own pages, what a navigation or a new-window request may do, the web
 * preferences, and the Content-Security-Policy.
 */
import { posix, resolve, win32 } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RENDERER_PAGES = ['status.html', 'settings.html'] as const;
export type RendererPage = (typeof RENDERER_PAGES)[number];

/** The same policy as the <meta> in renderer/*.html (file:// pages get no response headers). */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'; frame-ancestors 'none'";

/**
 * True for file:// URLs of one of our pages in the built renderer folder (query and hash allowed).
 * Windows paths compare case-insensitively, as its file system does: Chromium may report the
 * drive letter or a folder in another case than the path the app computed.
 */
export function isOwnRendererUrl(
  url: string | null | undefined,
  rendererDir: string,
  platform: NodeJS.Platform = process.platform,
): boolean {
  if (!url) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'file:' || (parsed.host !== '' && parsed.host !== 'localhost')) return false;
  const windows = platform === 'win32';
  const paths = windows ? win32 : posix;
  const same = windows
    ? (a: string, b: string) => a.toLowerCase() === b.toLowerCase()
    : (a: string, b: string) => a === b;
  let path: string;
  try {
    path = paths.resolve(fileURLToPath(parsed, { windows }));
  } catch {
    return false;
  }
  return (
    same(paths.dirname(path), paths.resolve(rendererDir)) &&
    RENDERER_PAGES.some((page) => same(paths.basename(path), page))
  );
}

export type NavigationDecision = { action: 'allow' } | { action: 'deny'; openExternal?: string };

/**
 * A window may move between our own pages; an allow-listed https link opens in the browser; every
 * other navigation is refused.
 */
export function decideNavigation(
  url: string,
  rendererDir: string,
  isAllowedExternal: (url: string) => boolean,
): NavigationDecision {
  if (isOwnRendererUrl(url, rendererDir)) return { action: 'allow' };
  if (isAllowedExternal(url)) return { action: 'deny', openExternal: url };
  return { action: 'deny' };
}

/** window.open / target=_blank: never a new Electron window; allow-listed links go to the browser. */
export function decideWindowOpen(
  url: string,
  isAllowedExternal: (url: string) => boolean,
): NavigationDecision {
  return isAllowedExternal(url) ? { action: 'deny', openExternal: url } : { action: 'deny' };
}

/** Web preferences for every window: isolated, sandboxed, no Node, our bundled preload only. */
export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    spellcheck: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
  } as const;
}

/** Adds the CSP to a response's headers (http(s) responses; file:// relies on the <meta>). */
export function withCspHeader(
  headers: Record<string, string[] | string> | undefined,
): Record<string, string[] | string> {
  const out: Record<string, string[] | string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() !== 'content-security-policy') out[key] = value;
  }
  out['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return out;
}

/** Where a page's file is, relative to the built renderer folder. */
export function rendererPagePath(rendererDir: string, page: RendererPage): string {
  return resolve(rendererDir, page);
}
