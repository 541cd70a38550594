/**
 * Sleep, wake and network changes, forwarded to the runtime.
 *
 * powerMonitor's suspend/resume events are unreliable on some Linux builds, so a clock-jump detector
 * runs beside them: a timer ticks every second and compares how far the wall clock moved with how
 * far the monotonic clock moved (and with the tick interval). A machine that slept, or a wall clock
 * that was set, shows up as a gap. Electron has no online/offline event in the main process, so a
 * network watcher polls `net.isOnline()` and reports the offline → online edge.
 *
 * Everything here takes its clock and timers as arguments; app.ts wires powerMonitor and net.
 */

export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const nodeTimers: Timers = {
  setInterval: (fn, ms) => {
    const handle = setInterval(fn, ms);
    handle.unref?.();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

export interface JumpClock {
  /** Wall-clock milliseconds (Date.now). */
  wallMs(): number;
  /** Monotonic milliseconds (performance.now); never set by the user. */
  monotonicMs(): number;
}

export const systemJumpClock: JumpClock = { wallMs: () => Date.now(), monotonicMs: () => performance.now() };

export interface ClockJump {
  /** Wall-clock movement minus the expected movement, in ms (positive: forward). */
  skewMs: number;
}

export interface ClockJumpDetectorOptions {
  clock: JumpClock;
  timers: Timers;
  onJump(jump: ClockJump): void;
  tickMs?: number;
  /** A gap larger than this is a jump; keep it well above event-loop stalls. */
  thresholdMs?: number;
}

export class ClockJumpDetector {
  private handle: unknown = null;
  private lastWall = 0;
  private lastMono = 0;
  private readonly tickMs: number;
  private readonly thresholdMs: number;

  constructor(private readonly o: ClockJumpDetectorOptions) {
    this.tickMs = o.tickMs ?? 1000;
    this.thresholdMs = o.thresholdMs ?? 30_000;
  }

  start(): void {
    if (this.handle !== null) return;
    this.reset();
    this.handle = this.o.timers.setInterval(() => this.tick(), this.tickMs);
  }

  stop(): void {
    if (this.handle === null) return;
    this.o.timers.clearInterval(this.handle);
    this.handle = null;
  }

  /** Forget the previous reading (after a resume event handled the same gap). */
  reset(): void {
    this.lastWall = this.o.clock.wallMs();
    this.lastMono = this.o.clock.monotonicMs();
  }

  /** One reading; public so tests can drive it without timers. */
  tick(): void {
    const wall = this.o.clock.wallMs();
    const mono = this.o.clock.monotonicMs();
    const wallDelta = wall - this.lastWall;
    const monoDelta = mono - this.lastMono;
    this.lastWall = wall;
    this.lastMono = mono;
    // The wall clock was set (monotonic time did not move the same way), or the whole machine
    // slept (on platforms whose monotonic clock stops during sleep, both show a gap past the tick).
    const setSkew = wallDelta - monoDelta;
    const sleepSkew = wallDelta - this.tickMs;
    if (Math.abs(setSkew) > this.thresholdMs) {
      this.o.onJump({ skewMs: setSkew });
    } else if (sleepSkew > this.thresholdMs) {
      this.o.onJump({ skewMs: sleepSkew });
    }
  }
}

export interface NetworkWatcherOptions {
  isOnline(): boolean;
  timers: Timers;
  onOnline(): void;
  onOffline?(): void;
  pollMs?: number;
}

/** Reports edges of net.isOnline(): offline → online calls onOnline once. */
export class NetworkWatcher {
  private handle: unknown = null;
  private online = true;

  constructor(private readonly o: NetworkWatcherOptions) {}

  start(): void {
    if (this.handle !== null) return;
    this.online = this.o.isOnline();
    this.handle = this.o.timers.setInterval(() => this.poll(), this.o.pollMs ?? 5000);
  }

  stop(): void {
    if (this.handle === null) return;
    this.o.timers.clearInterval(this.handle);
    this.handle = null;
  }

  poll(): void {
    const now = this.o.isOnline();
    if (now === this.online) return;
    this.online = now;
    if (now) this.o.onOnline();
    else this.o.onOffline?.();
  }
}

/** The runtime's side of power events (a subset of Runtime). */
export interface PowerTarget {
  suspend(): void;
  resume(reason: 'resume' | 'clock-jump'): void;
  networkRestored(): void;
}

export interface PowerBridgeOptions {
  target: PowerTarget;
  clock: JumpClock;
  /** A clock jump this soon after a resume event is the same wake-up; do not sync twice. */
  dedupeMs?: number;
}

/**
 * Turns platform events into runtime calls: suspend pauses timers; resume, or a clock jump that no
 * resume event explained, reschedules and syncs; the network returning retries at once.
 */
export class PowerBridge {
  private lastWakeMono = Number.NEGATIVE_INFINITY;
  private suspended = false;

  constructor(private readonly o: PowerBridgeOptions) {}

  get isSuspended(): boolean {
    return this.suspended;
  }

  suspend(): void {
    if (this.suspended) return;
    this.suspended = true;
    this.o.target.suspend();
  }

  /** powerMonitor 'resume'. Returns true when forwarded. */
  resume(): boolean {
    return this.wake('resume');
  }

  /** The detector saw a gap. Returns true when forwarded (not the same wake-up as a resume event). */
  clockJumped(): boolean {
    return this.wake('clock-jump');
  }

  networkRestored(): void {
    this.o.target.networkRestored();
  }

  private wake(reason: 'resume' | 'clock-jump'): boolean {
    const now = this.o.clock.monotonicMs();
    // Both signals usually arrive for one wake-up, in either order: forward the first only.
    if (!this.suspended && now - this.lastWakeMono < (this.o.dedupeMs ?? 60_000)) return false;
    this.suspended = false;
    this.lastWakeMono = now;
    this.o.target.resume(reason);
    return true;
  }
}
