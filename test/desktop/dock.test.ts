/** macOS Dock icon: shown while one of our windows is visible, hidden otherwise. */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { DockVisibility } from '../../main/desktop/dock.js';

class FakeWindow extends EventEmitter {
  visible = false;
  isVisible() {
    return this.visible;
  }
  show() {
    this.visible = true;
    this.emit('show');
  }
  hide() {
    this.visible = false;
    this.emit('hide');
  }
  close() {
    this.visible = false;
    this.emit('closed');
  }
}

function recordingDock() {
  const calls: string[] = [];
  return { calls, show: async () => void calls.push('show'), hide: () => void calls.push('hide') };
}

describe('DockVisibility', () => {
  it('starts hidden, shows with the first visible window, hides after the last one goes', () => {
    const dock = recordingDock();
    const policy = new DockVisibility(dock);
    policy.start();
    expect(dock.calls).toEqual(['hide']);

    const helper = new FakeWindow(); // never shown (the session-end helper window)
    const status = new FakeWindow();
    const settings = new FakeWindow();
    for (const w of [helper, status, settings]) policy.track(w);
    expect(dock.calls).toEqual(['hide']);

    status.show();
    settings.show();
    expect(dock.calls).toEqual(['hide', 'show']);
    status.close();
    expect(dock.calls).toEqual(['hide', 'show']);
    settings.hide();
    expect(dock.calls).toEqual(['hide', 'show', 'hide']);
    settings.show();
    expect(dock.calls).toEqual(['hide', 'show', 'hide', 'show']);
  });

  it('a window already visible when tracked counts at once', () => {
    const dock = recordingDock();
    const policy = new DockVisibility(dock);
    policy.start();
    const w = new FakeWindow();
    w.visible = true;
    policy.track(w);
    expect(dock.calls).toEqual(['hide', 'show']);
  });
});
