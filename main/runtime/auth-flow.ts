/**
 * The user's side of a broker login: Test login, a verification code, and waiting for an approval
 * in the broker's app. Turns the session's states into the contract's LoginOutcome and its errors
 * into a refused call, whose messages are safe to show (never a secret).
 */
import { CallFailure } from '../../shared/call-result.js';
import type { LoginOutcome } from '../../shared/models.js';
import type { SessionLoginState } from '../broker/robinhood/index.js';
import type { BrokerConnection } from '../engine/cycle.js';
import { classifyError } from '../engine/cycle-errors.js';
import type { Clock } from '../util/clock.js';
import { errorMeta } from '../util/errors.js';
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

/** How a watch ended. */
export type ApprovalEnd =
  | { status: 'approved' }
  /** The broker switched to a code challenge; the state says which. */
  | { status: 'needs-code'; state: SessionLoginState }
  /** Denied, expired or failed; the message is safe to show. */
  | { status: 'failed'; message: string }
  | { status: 'stopped' }
  | { status: 'nothing-pending' };

/**
 * What a watch's end means to whoever asked to log in (the CLI's login, for one): the login's
 * outcome, or a CallFailure ('refused') with a message safe to show.
 */
export function approvalOutcome(end: ApprovalEnd): LoginOutcome {
  switch (end.status) {
    case 'approved':
      return outcomeOf({ status: 'authenticated' });
    case 'needs-code':
      return outcomeOf(end.state);
    case 'failed':
      throw CallFailure.refused(end.message);
    case 'stopped':
      throw CallFailure.refused('Stopped while waiting for the approval.');
    case 'nothing-pending':
      throw CallFailure.refused('No approval is pending. Log in again to start one.');
  }
}

/**
 * Polls a pending approval (push prompt) until it is approved, denied or times out, every
 * APPROVAL_POLL_MS on the injected clock. At most one watch runs: start() while one runs returns
 * the running one, so the runtime and a waiting login share a single poller.
 */
export class ApprovalWatcher {
  private running: Promise<ApprovalEnd> | null = null;
  private readonly abort = new AbortController();

  constructor(private readonly o: ApprovalWatcherOptions) {}

  get active(): boolean {
    return this.running !== null;
  }

  start(): Promise<ApprovalEnd> {
    if (this.abort.signal.aborted) return Promise.resolve({ status: 'stopped' });
    if (!this.running) {
      this.running = this.watch().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async watch(): Promise<ApprovalEnd> {
    const { clock, logger } = this.o;
    const pollMs = this.o.pollMs ?? APPROVAL_POLL_MS;
    const deadline = clock.monotonicMs() + (this.o.timeoutMs ?? APPROVAL_TIMEOUT_MS);
    const signal = this.abort.signal;
    logger.info('waiting for the login to be approved in the Robinhood app');
    while (!signal.aborted) {
      try {
        await clock.sleep(pollMs, signal);
      } catch {
        return { status: 'stopped' };
      }
      if (signal.aborted) return { status: 'stopped' };
      let session: BrokerConnection['session'];
      try {
        session = this.o.connection().session;
      } catch {
        return { status: 'nothing-pending' }; // not connected (any more): nothing to poll
      }
      if (!session.pendingPrompt) return { status: 'nothing-pending' };
      try {
        const state = await session.pollApproval({ signal });
        if (state.status === 'authenticated') {
          logger.info('the login was approved');
          this.o.onApproved();
          return { status: 'approved' };
        }
        if (state.status === 'needs-code') {
          // The broker switched to a code challenge: the user answers it in Settings.
          return { status: 'needs-code', state };
        }
      } catch (error) {
        if (signal.aborted) return { status: 'stopped' };
        const classified = classifyError(error, '');
        logger.warn('waiting for the approval failed', errorMeta(classified));
        this.o.onFailed(classified.message);
        return { status: 'failed', message: classified.message };
      }
      if (clock.monotonicMs() > deadline) {
        const message = 'The approval request expired. Log in again to start a new one.';
        this.o.onFailed(message);
        return { status: 'failed', message };
      }
    }
    return { status: 'stopped' };
  }
}
