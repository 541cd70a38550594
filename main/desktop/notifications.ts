/**
 * When to show a desktop notification, as a pure policy fed with every status:
 * - the engine starts waiting for the user (needs-auth): once per prompt;
 * - syncing fails N cycles in a row: once per run of failures, not for every failed cycle;
 * - syncing works again after either of those.
 * Offline is not a failure (it retries when the network returns), so it never notifies.
 * With settings.notifications off the policy still follows the state, but shows nothing.
 */
import type { SyncStatus } from '../../shared/models.js';

export const DEFAULT_FAILURES_BEFORE_NOTICE = 3;

export interface Notice {
  kind: 'needs-auth' | 'failing' | 'recovered';
  title: string;
  body: string;
  /** What a click on the notification opens. */
  opens: 'status' | 'settings';
}

export class NotificationPolicy {
  private authKey: string | null = null;
  private failureNoticeShown = false;
  private troubleShown = false;
  private lastSuccessAt: string | null | undefined = undefined;

  constructor(private readonly failuresBeforeNotice = DEFAULT_FAILURES_BEFORE_NOTICE) {}

  /** Feed every status in order; returns the notice to show now, if any. */
  next(status: SyncStatus, enabled: boolean): Notice | null {
    const notice = this.decide(status);
    return enabled ? notice : null;
  }

  private decide(status: SyncStatus): Notice | null {
    const firstStatus = this.lastSuccessAt === undefined;
    const succeededSinceLast = !firstStatus && status.lastSuccessAt !== this.lastSuccessAt;
    this.lastSuccessAt = status.lastSuccessAt;

    if (status.state === 'needs-auth') {
      const key = `${status.authPrompt?.kind ?? 'credentials'}:${status.authPrompt?.message ?? ''}`;
      if (key === this.authKey) return null;
      this.authKey = key;
      this.troubleShown = true;
      return {
        kind: 'needs-auth',
        title: 'Magnus Sync needs you',
        body: status.authPrompt?.message ?? 'Log in to Robinhood in Settings to keep syncing.',
        opens: 'settings',
      };
    }
    this.authKey = null;

    if (succeededSinceLast && status.consecutiveFailures === 0) {
      this.failureNoticeShown = false;
      if (this.troubleShown) {
        this.troubleShown = false;
        return {
          kind: 'recovered',
          title: 'Magnus Sync is syncing again',
          body: 'The last sync succeeded.',
          opens: 'status',
        };
      }
      return null;
    }

    if (
      status.state === 'error' &&
      status.consecutiveFailures >= this.failuresBeforeNotice &&
      !this.failureNoticeShown
    ) {
      this.failureNoticeShown = true;
      this.troubleShown = true;
      return {
        kind: 'failing',
        title: 'Magnus Sync keeps failing',
        body: `${status.consecutiveFailures} syncs in a row failed: ${status.lastError?.message ?? 'see the status window'}`,
        opens: 'status',
      };
    }
    return null;
  }
}
