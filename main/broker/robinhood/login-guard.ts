/**
 * Keeps password logins rare. A revoked token, a changed password or a broker hiccup must never turn
 * into a burst of logins: Robinhood locks accounts and networks for hours after too many.
 *
 * Rules (monotonic clock):
 * - at most one password attempt per `minIntervalMs`;
 * - after n consecutive failures the next attempt waits min(maxBackoffMs, baseBackoffMs × 2^(n−1));
 * - credentials the broker rejected are not tried again until that backoff has passed, unless the
 *   user changed them (detected by an in-memory fingerprint, never stored).
 * Network failures (the request never reached the broker) do not count as failures; the attempt
 * itself still counts against the minimum interval.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../util/clock.js';

export interface LoginGuardPolicy {
  /** Default 60 000 (one password attempt per minute). */
  minIntervalMs: number;
  /** Default 60 000. */
  baseBackoffMs: number;
  /** Default 3 600 000 (one hour). */
  maxBackoffMs: number;
}

export const DEFAULT_LOGIN_GUARD_POLICY: Readonly<LoginGuardPolicy> = Object.freeze({
  minIntervalMs: 60_000,
  baseBackoffMs: 60_000,
  maxBackoffMs: 3_600_000,
});

export type LoginGuardVerdict =
  | { allowed: true }
  | { allowed: false; reason: 'too-soon' | 'rejected-credentials'; waitMs: number };

export class LoginGuard {
  readonly policy: Readonly<LoginGuardPolicy>;
  readonly #clock: Clock;
  #lastAttemptMs: number | null = null;
  #failures = 0;
  #rejectedFingerprint: string | null = null;

  constructor(clock: Clock, policy: Partial<LoginGuardPolicy> = {}) {
    const merged = { ...DEFAULT_LOGIN_GUARD_POLICY, ...policy };
    for (const [key, value] of Object.entries(merged)) {
      if (!(Number.isFinite(value) && value >= 0))
        throw new RangeError(`login guard ${key} must be zero or more`);
    }
    this.policy = Object.freeze(merged);
    this.#clock = clock;
  }

  /** In-memory fingerprint of a username/password pair (to notice that the user changed them). */
  static fingerprint(username: string, password: string): string {
    return createHash('sha256').update(username).update('\u0000').update(password).digest('hex');
  }

  get consecutiveFailures(): number {
    return this.#failures;
  }

  check(fingerprint: string): LoginGuardVerdict {
    if (this.#lastAttemptMs === null) return { allowed: true };
    const since = this.#clock.monotonicMs() - this.#lastAttemptMs;
    const backoff =
      this.#failures === 0
        ? 0
        : Math.min(this.policy.maxBackoffMs, this.policy.baseBackoffMs * 2 ** (this.#failures - 1));
    if (fingerprint === this.#rejectedFingerprint && since < backoff) {
      return { allowed: false, reason: 'rejected-credentials', waitMs: backoff - since };
    }
    // New credentials deserve a prompt try; the minimum spacing still applies.
    const required =
      fingerprint === this.#rejectedFingerprint || this.#rejectedFingerprint === null
        ? Math.max(this.policy.minIntervalMs, backoff)
        : this.policy.minIntervalMs;
    if (since < required) return { allowed: false, reason: 'too-soon', waitMs: required - since };
    return { allowed: true };
  }

  recordAttempt(): void {
    this.#lastAttemptMs = this.#clock.monotonicMs();
  }

  recordSuccess(): void {
    this.#failures = 0;
    this.#rejectedFingerprint = null;
  }

  /** `rejectedFingerprint`: the credentials the broker called wrong, if that was the failure. */
  recordFailure(rejectedFingerprint: string | null = null): void {
    this.#failures += 1;
    if (rejectedFingerprint !== null) this.#rejectedFingerprint = rejectedFingerprint;
  }
}
