/**
 * macOS: a tray app shows no Dock icon. The packaged app declares LSUIElement (electron-builder.yml
 * mac.extendInfo), so it starts without one; while a window of ours is visible the Dock icon is
 * shown (so the window can be reached with Cmd+Tab and gets focus), and hidden again when the last
 * one is hidden or closed. Windows never shown (the hidden helper window) do not count.
 */

/** Electron's app.dock, the part used here. */
export interface DockHost {
  show(): unknown;
  hide(): void;
}

/** A BrowserWindow, the part used here. */
export interface TrackedWindow {
  on(event: 'show' | 'hide' | 'closed', listener: () => void): unknown;
  isVisible(): boolean;
}

export class DockVisibility {
  private readonly visible = new Set<TrackedWindow>();
  private shown: boolean | null = null;

  constructor(private readonly dock: DockHost) {}

  /** Applies the current state (no window yet → hidden; in development the Dock icon starts shown). */
  start(): void {
    this.apply();
  }

  track(win: TrackedWindow): void {
    win.on('show', () => this.set(win, true));
    win.on('hide', () => this.set(win, false));
    win.on('closed', () => this.set(win, false));
    if (win.isVisible()) this.set(win, true);
  }

  private set(win: TrackedWindow, visible: boolean): void {
    if (visible) this.visible.add(win);
    else this.visible.delete(win);
    this.apply();
  }

  private apply(): void {
    const want = this.visible.size > 0;
    if (want === this.shown) return;
    this.shown = want;
    if (want) void Promise.resolve(this.dock.show()).catch(() => undefined);
    else this.dock.hide();
  }
}
