import { describe, expect, it, vi } from 'vitest';
import {
  ClockJumpDetector,
  NetworkWatcher,
  PowerBridge,
  type PowerTarget,
  type Timers,
} from '../../main/desktop/power.js';

function fakeClock(start = 1_700_000_000_000) {
  let wall = start;
  let mono = 0;
  return {
    clock: { wallMs: () => wall, monotonicMs: () => mono },
    advance(ms: number) {
      wall += ms;
      mono += ms;
    },
    setWall(delta: number) {
      wall += delta;
    },
    sleep(ms: number, monotonicStops = true) {
      wall += ms;
      if (!monotonicStops) mono += ms;
    },
  };
}

function manualTimers() {
  const active = new Set<number>();
  const fns = new Map<number, () => void>();
  let id = 0;
  const timers: Timers = {
    setInterval: (fn) => {
      id += 1;
      active.add(id);
      fns.set(id, fn);
      return id;
    },
    clearInterval: (h) => {
      active.delete(h as number);
    },
  };
  return {
    timers,
    fire: () => {
      for (const h of active) fns.get(h)?.();
    },
    activeCount: () => active.size,
  };
}

describe('ClockJumpDetector', () => {
  it('stays quiet on normal ticks and small stalls', () => {
    const c = fakeClock();
    const onJump = vi.fn();
    const d = new ClockJumpDetector({ clock: c.clock, timers: manualTimers().timers, onJump });
    d.start();
    for (let i = 0; i < 10; i++) {
      c.advance(1000);
      d.tick();
    }
    c.advance(8000); // an event-loop stall: both clocks move
    d.tick();
    expect(onJump).not.toHaveBeenCalled();
  });

  it('sees the wall clock being set forward or back', () => {
    const c = fakeClock();
    const onJump = vi.fn();
    const d = new ClockJumpDetector({ clock: c.clock, timers: manualTimers().timers, onJump });
    d.start();
    c.advance(1000);
    c.setWall(3_600_000);
    d.tick();
    c.advance(1000);
    c.setWall(-120_000);
    d.tick();
    expect(onJump.mock.calls.map((call) => Math.round(call[0].skewMs / 1000))).toEqual([3600, -120]);
  });

  it('sees a sleep whether or not the monotonic clock stopped', () => {
    for (const monotonicStops of [true, false]) {
      const c = fakeClock();
      const onJump = vi.fn();
      const d = new ClockJumpDetector({ clock: c.clock, timers: manualTimers().timers, onJump });
      d.start();
      c.sleep(45 * 60_000, monotonicStops);
      d.tick();
      expect(onJump, `monotonicStops=${monotonicStops}`).toHaveBeenCalledOnce();
    }
  });

  it('start/stop own one interval', () => {
    const t = manualTimers();
    const d = new ClockJumpDetector({ clock: fakeClock().clock, timers: t.timers, onJump: () => {} });
    d.start();
    d.start();
    expect(t.activeCount()).toBe(1);
    d.stop();
    expect(t.activeCount()).toBe(0);
  });
});

describe('NetworkWatcher', () => {
  it('reports the offline → online edge once', () => {
    let online = true;
    const t = manualTimers();
    const onOnline = vi.fn();
    const onOffline = vi.fn();
    const w = new NetworkWatcher({ isOnline: () => online, timers: t.timers, onOnline, onOffline });
    w.start();
    t.fire();
    online = false;
    t.fire();
    t.fire();
    online = true;
    t.fire();
    t.fire();
    expect(onOffline).toHaveBeenCalledOnce();
    expect(onOnline).toHaveBeenCalledOnce();
    w.stop();
    expect(t.activeCount()).toBe(0);
  });
});

describe('PowerBridge', () => {
  function bridge() {
    const c = fakeClock();
    const target: PowerTarget & { calls: string[] } = {
      calls: [],
      suspend() {
        this.calls.push('suspend');
      },
      resume(reason) {
        this.calls.push(`resume:${reason}`);
      },
      networkRestored() {
        this.calls.push('network');
      },
    };
    return { c, target, b: new PowerBridge({ target, clock: c.clock, dedupeMs: 60_000 }) };
  }

  it('suspend pauses once; resume syncs; a clock jump right after is the same wake-up', () => {
    const { c, target, b } = bridge();
    b.suspend();
    b.suspend();
    c.sleep(3_600_000);
    expect(b.resume()).toBe(true);
    c.advance(1000);
    expect(b.clockJumped()).toBe(false);
    expect(target.calls).toEqual(['suspend', 'resume:resume']);
  });

  it('a clock jump with no resume event (unreliable Linux builds) wakes the runtime', () => {
    const { c, target, b } = bridge();
    b.suspend();
    c.sleep(3_600_000);
    expect(b.clockJumped()).toBe(true);
    c.advance(2000);
    expect(b.resume()).toBe(false);
    expect(target.calls).toEqual(['suspend', 'resume:clock-jump']);
    expect(b.isSuspended).toBe(false);
  });

  it('a later, separate jump is forwarded again; the network coming back is forwarded', () => {
    const { c, target, b } = bridge();
    expect(b.clockJumped()).toBe(true);
    c.advance(120_000);
    expect(b.clockJumped()).toBe(true);
    b.networkRestored();
    expect(target.calls).toEqual(['resume:clock-jump', 'resume:clock-jump', 'network']);
  });
});
