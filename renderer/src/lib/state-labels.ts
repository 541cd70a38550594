/**
 * How each engine state is shown: words and an icon as well as a colour, so the state never
 * depends on colour alone.
 */
import type { SyncState, SyncStatus } from '../../../shared/models.js';

export type StateTone = 'starting' | 'ok' | 'busy' | 'paused' | 'error' | 'auth' | 'offline';
export type StateIcon = 'clock' | 'check' | 'sync' | 'pause' | 'alert' | 'key' | 'offline';

export interface StateInfo {
  state: SyncState;
  label: string;
  /** One sentence under the badge. */
  detail: string;
  tone: StateTone;
  icon: StateIcon;
}

export function stateInfo(status: SyncStatus, now: Date): StateInfo {
  const throttled = status.throttledUntil !== null && Date.parse(status.throttledUntil) > now.getTime();
  switch (status.state) {
    case 'starting':
      return {
        state: 'starting',
        label: 'Starting',
        detail: 'The sync engine is starting (keychain, database).',
        tone: 'starting',
        icon: 'clock',
      };
    case 'idle':
      return {
        state: 'idle',
        label: status.lastSuccessAt ? 'Up to date' : 'Waiting for first sync',
        detail: throttled ? 'Robinhood is throttling requests; the next sync waits.' : 'Syncing on schedule.',
        tone: 'ok',
        icon: 'check',
      };
    case 'syncing': {
      const p = status.progress;
      return {
        state: 'syncing',
        label: 'Syncing',
        detail: p ? `${p.step} (${p.completed} of ${p.total})` : 'Starting a sync cycle.',
        tone: 'busy',
        icon: 'sync',
      };
    }
    case 'paused':
      return {
        state: 'paused',
        label: 'Paused',
        detail: 'No sync runs until you resume.',
        tone: 'paused',
        icon: 'pause',
      };
    case 'error':
      return {
        state: 'error',
        label: 'Sync failed',
        detail: status.lastError?.message ?? 'The last sync failed; it will be retried.',
        tone: 'error',
        icon: 'alert',
      };
    case 'needs-auth':
      return {
        state: 'needs-auth',
        label: 'Login needed',
        detail: status.authPrompt?.message ?? 'Robinhood needs you to log in again.',
        tone: 'auth',
        icon: 'key',
      };
    case 'offline':
      return {
        state: 'offline',
        label: 'Offline',
        detail: 'Waiting for the network; syncing resumes on its own.',
        tone: 'offline',
        icon: 'offline',
      };
  }
}
