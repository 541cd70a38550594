/**
 * The window's store over the IPC client: a call's failure arrives as the one CallResult error
 * shape and becomes the notice the window shows — a refusal as information, anything else as an
 * error — and a refused setting is rolled back.
 */
import { describe, expect, test } from 'vitest';
import { createIpcClient } from '../../renderer/src/api/ipc-client.js';
import { AppStore } from '../../renderer/src/state/app-store.js';
import type { CallResult } from '../../shared/call-result.js';
import type { CallName, PreloadApi } from '../../shared/contract.js';
import { DEFAULT_SETTINGS, type SettingsView } from '../../shared/settings.js';

function storeAnswering(answers: Partial<Record<CallName, CallResult<unknown>>>) {
  const asked: CallName[] = [];
  const api: PreloadApi = {
    call: async (name) => {
      asked.push(name);
      const answer = answers[name];
      if (!answer) throw new Error(`unexpected call ${name}`);
      return answer;
    },
    on: () => () => {},
  };
  return { store: new AppStore(createIpcClient(api), { followData: false }), asked };
}

const VIEW: SettingsView = {
  settings: DEFAULT_SETTINGS,
  databasePasswordStored: false,
  effectiveDataDir: '/data',
  logDir: '/data/logs',
};

describe('AppStore notices', () => {
  test('Sync now refused (a login is needed) is information, with the reason', async () => {
    const { store, asked } = storeAnswering({
      syncNow: { ok: false, error: { code: 'refused', message: 'Log in first (Settings).' } },
    });
    await store.syncNow();
    expect(asked).toEqual(['syncNow']);
    expect(store.state.notice).toEqual({ tone: 'info', text: 'Log in first (Settings).' });
  });

  test('Sync now accepted clears the notice; an internal failure is an error', async () => {
    const ok = storeAnswering({ syncNow: { ok: true, value: { message: 'Sync started.' } } });
    await ok.store.syncNow();
    expect(ok.store.state.notice).toBeNull();
    const failing = storeAnswering({
      syncNow: {
        ok: false,
        error: { code: 'internal', message: 'The syncNow call failed; the log has the details.' },
      },
    });
    await failing.store.syncNow();
    expect(failing.store.state.notice).toEqual({
      tone: 'error',
      text: 'The syncNow call failed; the log has the details.',
    });
  });

  test("a refused privacy toggle is rolled back and shows the field's message", async () => {
    const { store } = storeAnswering({
      updateSettings: {
        ok: false,
        error: {
          code: 'invalid-request',
          message: 'Invalid request: privacyMode: Not now.',
          fields: { privacyMode: 'Not now.' },
        },
      },
    });
    store.applySettings(VIEW);
    await store.setPrivacy(true);
    expect(store.state.settings).toEqual(VIEW);
    expect(store.state.notice).toEqual({ tone: 'error', text: 'Not now.' });
  });

  test('a saved privacy toggle keeps the view the main process answered', async () => {
    const saved = { ...VIEW, settings: { ...DEFAULT_SETTINGS, privacyMode: true } };
    const { store } = storeAnswering({ updateSettings: { ok: true, value: saved } });
    store.applySettings(VIEW);
    await store.setPrivacy(true);
    expect(store.state.settings).toEqual(saved);
    expect(store.state.notice).toBeNull();
  });
});
