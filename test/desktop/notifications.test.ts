import { describe, expect, it } from 'vitest';
import { NotificationPolicy } from '../../main/desktop/notifications.js';
import { minutesFrom, NOW, status } from './fixtures.js';

const failing = (n: number) =>
  status({
    state: 'error',
    consecutiveFailures: n,
    lastError: { message: 'Robinhood answered 503', at: NOW.toISOString() },
  });

describe('NotificationPolicy', () => {
  it('notifies once when syncing needs the user, with the prompt, opening Settings', () => {
    const p = new NotificationPolicy();
    expect(p.next(status(), true)).toBeNull();
    const auth = status({
      state: 'needs-auth',
      authPrompt: { kind: 'approval', message: 'Approve the login in the Robinhood app.' },
    });
    expect(p.next(auth, true)).toMatchObject({
      kind: 'needs-auth',
      body: 'Approve the login in the Robinhood app.',
      opens: 'settings',
    });
    expect(p.next(auth, true)).toBeNull();
    // A different prompt (now a code) is news.
    const code = status({
      state: 'needs-auth',
      authPrompt: { kind: 'code', challengeType: 'sms', message: 'Enter the SMS code.' },
    });
    expect(p.next(code, true)?.kind).toBe('needs-auth');
  });

  it('notifies after N consecutive failures, not for each one, and once per run of failures', () => {
    const p = new NotificationPolicy(3);
    p.next(status(), true);
    expect(p.next(failing(1), true)).toBeNull();
    expect(p.next(failing(2), true)).toBeNull();
    const notice = p.next(failing(3), true);
    expect(notice).toMatchObject({ kind: 'failing', opens: 'status' });
    expect(notice?.body).toContain('3 syncs in a row failed: Robinhood answered 503');
    expect(p.next(failing(4), true)).toBeNull();
    expect(p.next(failing(9), true)).toBeNull();
  });

  it('announces recovery after a failure notice or needs-auth, and not after unnoticed failures', () => {
    const p = new NotificationPolicy(3);
    p.next(status(), true);
    p.next(failing(1), true);
    expect(p.next(status({ lastSuccessAt: minutesFrom(NOW, 1) }), true)).toBeNull();
    for (const n of [1, 2, 3]) p.next(failing(n), true);
    expect(p.next(status({ lastSuccessAt: minutesFrom(NOW, 10) }), true)).toMatchObject({
      kind: 'recovered',
    });
    expect(p.next(status({ lastSuccessAt: minutesFrom(NOW, 15) }), true)).toBeNull();

    p.next(status({ state: 'needs-auth', authPrompt: { kind: 'credentials', message: 'Log in.' } }), true);
    expect(p.next(status({ lastSuccessAt: minutesFrom(NOW, 20) }), true)).toMatchObject({
      kind: 'recovered',
    });
  });

  it('offline is not a failure', () => {
    const p = new NotificationPolicy(1);
    p.next(status(), true);
    expect(p.next(status({ state: 'offline', consecutiveFailures: 0 }), true)).toBeNull();
    expect(p.next(status({ state: 'offline', consecutiveFailures: 0 }), true)).toBeNull();
  });

  it('shows nothing with notifications off, but keeps following the state', () => {
    const p = new NotificationPolicy(2);
    p.next(status(), false);
    expect(p.next(failing(2), false)).toBeNull();
    // Already counted as notified-in-spirit: turning them on does not replay it for the same run.
    expect(p.next(failing(3), true)).toBeNull();
  });
});
