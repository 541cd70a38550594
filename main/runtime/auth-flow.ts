/**
 * The user's side of a broker login: Test login, a verification code, and waiting for an approval
 * in the broker's app. Turns the session's states into the contract's LoginOutcome and its errors
 * into a refused call, whose messages are safe to show (never a secret).
 */
import { CallFailure } from '../../shared/call-result.js';
import type { LoginOutcome } from '../../shared/models.js';
import type { SessionLoginState } from '../broker/robinhood/index.js';
import type { BrokerConnection } from '../engine/cycle.js';
import { classifyError } from '../engine/cycle.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';

/** The broker asks to poll an approval no more often than this. */
export const APPROVAL_POLL_MS = 5_000;
/** A pending approval is given up after this long; the user can start again with Test login. */
export const APPROVAL_TIMEOUT_MS = 10 * 60_000;

export function outcomeOf(state: SessionLoginState): LoginOutcome {
  switch (state.status) {
    case 'authenticated':
      return { result: 'ok', message: 'Logged in to Robinhood.' };
    case 'needs-code':
      return { result: 'needs-code', challengeType: state.challengeType, message: state.message };
    case 'needs-approval':
      return { result: 'needs-approval', message: state.message };
  }
}

/** A login that failed (wrong password, broker unreachable, …) as the call's failure. */
export function loginFailure(error: unknown, storeLocation: string): CallFailure {
  if (error instanceof CallFailure) return error;
  return CallFailure.refused(classifyError(error, storeLocation).message);
}

export interface ApprovalWatcherOptions {
  connection: () => BrokerConnection;
  clock: Clock;
  logger: Logger;
  /** Called once the broker reports the login approved. */
  onApproved(): void;
  /** Called when the approval was denied, expired or failed; the message is safe to show. */
  onFailed(message: string): void;
  pollMs?: number;
  timeoutMs?: number;
}

/**
 * Polls a pending approval (push prompt) until it is approved, denied or times out. At most one
 * watch runs; starting again while one runs is a no-op.
 */
export class ApprovalWatcher {
  private running: Promise<void> | null = null;
  private readonly abort = new AbortController();

  constructor(private readonly o: ApprovalWatcherOptions) {}

  get active(): boolean {
    return this.running !== null;
  }

  start(): void {
    if (this.running || this.abort.signal.aborted) return;
    this.running = this.watch().finally(() => {
      this.running = null;
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async watch(): Promise<void> {
    const { clock, logger } = this.o;
    const pollMs = this.o.pollMs ?? APPROVAL_POLL_MS;
    const deadline = clock.monotonicMs() + (this.o.timeoutMs ?? APPROVAL_TIMEOUT_MS);
    const signal = this.abort.signal;
    logger.info('waiting for the login to be approved in the Robinhood app');
    while (!signal.aborted) {
      try {
        await clock.sleep(pollMs, signal);
      } catch {
        return;
      }
      if (signal.aborted) return;
      const { session } = this.o.connection();
      if (!session.pendingPrompt) return;
      try {
        const state = await session.pollApproval({ signal });
        if (state.status === 'authenticated') {
          logger.info('the login was approved');
          this.o.onApproved();
          return;
        }
        if (state.status === 'needs-code') {
          // The broker switched to a code challenge: the user answers it in Settings.
          return;
        }
      } catch (error) {
        if (signal.aborted) return;
        const message = classifyError(error, '').message;
        logger.warn('waiting for the approval failed', { reason: message });
        this.o.onFailed(message);
        return;
      }
      if (clock.monotonicMs() > deadline) {
        this.o.onFailed('The approval request expired. Use Test login in Settings to start again.');
        return;
      }
    }
  }
}
