import { describe, expect, test } from 'vitest';
import { absoluteTime, tickIntervalMs } from '../../renderer/src/lib/relative-time.js';
import {
  checkCredentialsForm,
  checkSettingsForm,
  checkVerificationCode,
  fieldErrorsOfFailure,
  formValuesOf,
  patchFromForm,
} from '../../renderer/src/lib/settings-form.js';
import { stateInfo } from '../../renderer/src/lib/state-labels.js';
import { CallFailure } from '../../shared/call-result.js';
import type { SyncStatus } from '../../shared/models.js';
import { SYNC_STATES } from '../../shared/models.js';
import { relativeTime } from '../../shared/relative-time.js';
import { DEFAULT_SETTINGS } from '../../shared/settings.js';

const now = new Date('2026-11-28T17:38:29.000Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000).toISOString();

describe('relative times', () => {
  test.each([
    [0, 'just now'],
    [4, 'just now'],
    [44, 'just now'],
    [45, '45 s ago'],
    [120, '2 min ago'],
    [179, '2 min ago'],
    [3600, '1 h ago'],
    [3600 + 25 * 60, '1 h 25 min ago'],
    [8 * 3600 + 60, '8 h ago'],
    [3 * 86_400, '3 d ago'],
    [-180, 'in 3 min'],
    [-45, 'in 45 s'],
    [-30, 'in <1 min'],
    [-2, 'in <1 min'],
  ])('%i s before now → %s', (seconds, text) => {
    expect(relativeTime(ago(seconds), now)).toBe(text);
  });

  test('missing and broken times', () => {
    expect(relativeTime(null, now)).toBe('never');
    expect(relativeTime('yesterday', now)).toBe('unknown');
  });

  test('ticks every second near now, every 30 s otherwise, never without times', () => {
    expect(tickIntervalMs([ago(30), ago(-600)], now)).toBe(1000);
    expect(tickIntervalMs([ago(300), ago(-600)], now)).toBe(30_000);
    expect(tickIntervalMs([null, undefined], now)).toBeNull();
  });

  test('absolute time for tooltips', () => {
    expect(absoluteTime('2026-11-28T17:38:29.000Z', 'en-US', 'UTC')).toBe('Nov 28, 17:38:29');
  });
});

describe('state labels never rely on colour alone', () => {
  const base: SyncStatus = {
    state: 'idle',
    demo: false,
    progress: null,
    startedAt: ago(3600),
    lastSuccessAt: ago(60),
    lastAttemptAt: ago(60),
    lastError: null,
    nextRunAt: ago(-240),
    nextHistoryRunAt: null,
    throttledUntil: null,
    cycleCount: 1,
    errorCount: 0,
    consecutiveFailures: 0,
    lastCycleRequests: 12,
    rateLimitPerMinute: 60,
    syncIntervalSeconds: 300,
    tradeHistoryIntervalSeconds: 3600,
    authPrompt: null,
  };

  test('every state has its own words, icon and tone', () => {
    const infos = SYNC_STATES.map((state) => stateInfo({ ...base, state }, now));
    expect(new Set(infos.map((i) => i.label)).size).toBe(SYNC_STATES.length);
    expect(new Set(infos.map((i) => i.icon)).size).toBe(SYNC_STATES.length);
    expect(new Set(infos.map((i) => i.tone)).size).toBe(SYNC_STATES.length);
  });

  test('details come from the status', () => {
    expect(
      stateInfo(
        { ...base, state: 'syncing', progress: { step: 'Fetching positions', completed: 2, total: 7 } },
        now,
      ).detail,
    ).toBe('Fetching positions (2 of 7)');
    expect(
      stateInfo({ ...base, state: 'error', lastError: { message: 'HTTP 503', at: ago(5) } }, now).detail,
    ).toBe('HTTP 503');
    expect(
      stateInfo(
        { ...base, state: 'needs-auth', authPrompt: { kind: 'approval', message: 'Approve in the app.' } },
        now,
      ).detail,
    ).toBe('Approve in the app.');
  });
});

describe('settings form', () => {
  const current = DEFAULT_SETTINGS;

  test('an unchanged form is an empty patch', () => {
    expect(patchFromForm(formValuesOf(current), current)).toEqual({});
    expect(checkSettingsForm(formValuesOf(current), current)).toEqual({ ok: true, patch: {} });
  });

  test('only changed fields are sent', () => {
    const values = { ...formValuesOf(current), syncIntervalSeconds: ' 600 ', privacyMode: true };
    expect(checkSettingsForm(values, current)).toEqual({
      ok: true,
      patch: { syncIntervalSeconds: 600, privacyMode: true },
    });
  });

  test('every invalid field gets the shared schema’s message', () => {
    const values = {
      ...formValuesOf(current),
      syncIntervalSeconds: '59',
      tradeHistoryIntervalSeconds: '1h',
      databaseKind: 'postgres' as const,
      databaseUrl: 'postgres://localhost',
    };
    expect(checkSettingsForm(values, current)).toEqual({
      ok: false,
      errors: {
        syncIntervalSeconds: 'Sync interval must be a whole number of seconds between 60 and 86400.',
        tradeHistoryIntervalSeconds:
          'Trade-history interval must be a whole number of seconds between 300 and 604800.',
        database: 'Database URL must name one database, e.g. postgres://user@localhost:5432/magnus.',
      },
    });
  });

  test.each(['', '300.5', '1e3', '-300', 'abc'])('sync interval "%s" is refused', (text) => {
    const check = checkSettingsForm({ ...formValuesOf(current), syncIntervalSeconds: text }, current);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(Object.keys(check.errors)).toEqual(['syncIntervalSeconds']);
  });

  test('a valid PostgreSQL URL is accepted; switching back to embedded sends only the kind', () => {
    const url = 'postgresql://sync@db.internal:5432/magnus';
    const pg = checkSettingsForm(
      { ...formValuesOf(current), databaseKind: 'postgres', databaseUrl: url },
      current,
    );
    expect(pg).toEqual({ ok: true, patch: { database: { kind: 'postgres', url } } });
    const onPg = { ...current, database: { kind: 'postgres' as const, url } };
    expect(checkSettingsForm({ ...formValuesOf(onPg), databaseKind: 'embedded' }, onPg)).toEqual({
      ok: true,
      patch: { database: { kind: 'embedded' } },
    });
  });

  test("the server's per-field messages land on the form's fields, the rest under form", () => {
    const invalid = CallFailure.invalid({
      syncIntervalSeconds: 'Too small.',
      database: 'Bad URL.',
      x: 'Unknown.',
    });
    expect(fieldErrorsOfFailure(invalid, ['syncIntervalSeconds', 'database'])).toEqual({
      syncIntervalSeconds: 'Too small.',
      database: 'Bad URL.',
      form: 'Unknown.',
    });
    expect(fieldErrorsOfFailure(CallFailure.refused('The database is down.'), ['database'])).toEqual({
      form: 'The database is down.',
    });
  });
});

describe('credentials form', () => {
  test('empty fields keep what is stored; all empty is refused', () => {
    expect(checkCredentialsForm({ username: '', password: '', totpSecret: '' })).toEqual({
      ok: false,
      errors: { form: 'Enter at least one value to store; empty fields keep what is stored.' },
    });
    expect(checkCredentialsForm({ username: 'me@example.com', password: '', totpSecret: '' })).toEqual({
      ok: true,
      input: { username: 'me@example.com' },
    });
  });

  test('a malformed TOTP secret is refused with its message', () => {
    const check = checkCredentialsForm({ username: '', password: 'pw', totpSecret: 'hello world 123' });
    expect(check).toEqual({
      ok: false,
      errors: {
        totpSecret:
          'The TOTP secret must be the base32 key your authenticator app shows (letters A–Z and digits 2–7) or an otpauth:// link.',
      },
    });
  });

  test('verification codes', () => {
    expect(checkVerificationCode(' 123456 ')).toEqual({ ok: true, code: '123456' });
    expect(checkVerificationCode('12a')).toEqual({
      ok: false,
      error: 'Enter the 4–8 digit code the broker sent.',
    });
  });
});
