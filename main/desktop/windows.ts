/**
 * The status and settings windows. Every window is isolated and sandboxed with no Node, loads only
 * our built pages from file://, may not navigate elsewhere or open windows, and hands allow-listed
 * https links to the user's browser. The rules themselves are in window-policy.ts.
 */
import { BrowserWindow, type Session, shell, type WebContents } from 'electron';
import { errorMeta } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import {
  decideNavigation,
  decideWindowOpen,
  type NavigationDecision,
  type RendererPage,
  rendererPagePath,
  secureWebPreferences,
  withCspHeader,
} from './window-policy.js';

export type WindowKind = 'status' | 'settings';

const PAGES: Record<WindowKind, { page: RendererPage; width: number; height: number; title: string }> = {
  status: { page: 'status.html', width: 1100, height: 760, title: 'Magnus Sync' },
  settings: { page: 'settings.html', width: 720, height: 760, title: 'Magnus Sync: Settings' },
};

export interface WindowManagerOptions {
  rendererDir: string;
  preloadPath: string;
  iconPath?: string;
  isAllowedExternal(url: string): boolean;
  logger: Logger;
}

export class WindowManager {
  private readonly open = new Map<WindowKind, BrowserWindow>();

  constructor(private readonly o: WindowManagerOptions) {}

  /** Shows the window, creating it when needed; brings an existing one to the front. */
  show(kind: WindowKind): BrowserWindow {
    const existing = this.open.get(kind);
    if (existing && !existing.isDestroyed()) {
      if (existing.isMinimized()) existing.restore();
      existing.show();
      existing.focus();
      return existing;
    }
    const spec = PAGES[kind];
    const win = new BrowserWindow({
      width: spec.width,
      height: spec.height,
      minWidth: 480,
      minHeight: 400,
      title: spec.title,
      show: false,
      autoHideMenuBar: true,
      ...(this.o.iconPath ? { icon: this.o.iconPath } : {}),
      webPreferences: secureWebPreferences(this.o.preloadPath),
    });
    this.open.set(kind, win);
    win.on('closed', () => {
      if (this.open.get(kind) === win) this.open.delete(kind);
    });
    win.once('ready-to-show', () => win.show());
    guardWebContents(win.webContents, this.o);
    void win.loadFile(rendererPagePath(this.o.rendererDir, spec.page)).catch((error: unknown) => {
      this.o.logger.error(`the ${kind} window could not load`, errorMeta(error));
    });
    return win;
  }

  /** Sends an event to every live window. */
  broadcast(channel: string, payload: unknown): void {
    for (const win of BrowserWindow.getAllWindows()) {
      if (!win.isDestroyed() && !win.webContents.isDestroyed()) win.webContents.send(channel, payload);
    }
  }

  closeAll(): void {
    for (const win of this.open.values()) if (!win.isDestroyed()) win.close();
  }
}

const guarded = new WeakSet<WebContents>();

/** Navigation, redirects, new windows and <webview> are refused for a webContents (once per contents). */
export function guardWebContents(
  contents: WebContents,
  o: Pick<WindowManagerOptions, 'rendererDir' | 'isAllowedExternal' | 'logger'>,
): void {
  if (guarded.has(contents)) return;
  guarded.add(contents);
  const apply = (decision: NavigationDecision, prevent: () => void, url: string) => {
    if (decision.action === 'allow') return;
    prevent();
    if (decision.openExternal) {
      void shell.openExternal(decision.openExternal).catch(() => undefined);
    } else {
      o.logger.warn('refused a navigation away from the app', { scheme: url.split(':')[0] });
    }
  };
  contents.on('will-navigate', (event) =>
    apply(
      decideNavigation(event.url, o.rendererDir, o.isAllowedExternal),
      () => event.preventDefault(),
      event.url,
    ),
  );
  contents.on('will-redirect', (event) =>
    apply(
      decideNavigation(event.url, o.rendererDir, o.isAllowedExternal),
      () => event.preventDefault(),
      event.url,
    ),
  );
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    apply(decideWindowOpen(url, o.isAllowedExternal), () => undefined, url);
    return { action: 'deny' };
  });
}

/** Session-wide: no permission is ever granted, and every response carries our CSP. */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCspHeader(details.responseHeaders) });
  });
}
