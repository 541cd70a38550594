/**
 * The settings window. Every field is checked in the browser with the shared schema before
 * anything is sent; the main process checks again and its per-field messages land next to the same fields.
 * Nothing is saved while any field is invalid.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  type FieldErrors,
  postgresUrlProblem,
  type Settings,
  SYNC_INTERVAL_BOUNDS,
  TRADE_INTERVAL_BOUNDS,
} from '../../../shared/settings.js';
import { messageOf } from '../api/renderer-client.js';
import { Section } from '../components/bits.js';
import { useAppState } from '../components/hooks.js';
import { Icon } from '../components/Icon.js';
import { formatInterval } from '../lib/format.js';
import {
  checkSettingsForm,
  fieldErrorsOfFailure,
  formValuesOf,
  parseWholeNumber,
  type SettingsFormValues,
} from '../lib/settings-form.js';
import type { AppStore } from '../state/app-store.js';
import { CredentialsSection } from './CredentialsSection.js';
import { EmbeddedDatabaseSection } from './EmbeddedDatabaseSection.js';
import { CheckField, FieldError, TextField } from './fields.js';

const SETTING_KEYS: (keyof Settings)[] = [
  'syncIntervalSeconds',
  'tradeHistoryIntervalSeconds',
  'database',
  'dataDir',
  'launchAtLogin',
  'notifications',
  'privacyMode',
  'showAmountsInTray',
];

/** Which input shows the message of which setting. */
const INPUT_OF: Partial<Record<keyof Settings, string>> = {
  syncIntervalSeconds: 'syncIntervalSeconds',
  tradeHistoryIntervalSeconds: 'tradeHistoryIntervalSeconds',
  database: 'databaseUrl',
};

function intervalHint(text: string, bounds: { min: number; max: number }): string {
  const n = parseWholeNumber(text);
  const range = `Seconds, ${bounds.min}–${bounds.max.toLocaleString('en-US')}.`;
  return Number.isFinite(n) && n >= bounds.min && n <= bounds.max
    ? `${range} Every ${formatInterval(n)}.`
    : range;
}

type SaveState =
  | { kind: 'idle' }
  | { kind: 'saving' }
  | { kind: 'saved' }
  | { kind: 'invalid'; count: number }
  | { kind: 'unchanged' };

export function SettingsApp({ store }: { store: AppStore }) {
  const state = useAppState(store);
  const { settings, credentials, capabilities, status } = state;
  const [values, setValues] = useState<SettingsFormValues | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const [dbTest, setDbTest] = useState<{ ok: boolean; message: string } | null>(null);
  const [logFolder, setLogFolder] = useState<{ ok: boolean; message: string } | null>(null);
  const dirty = useRef(false);

  // Settings changed elsewhere (tray, another window) refill the form unless the user is editing it.
  useEffect(() => {
    if (settings && (!dirty.current || values === null)) setValues(formValuesOf(settings.settings));
  }, [settings]);

  useEffect(() => {
    document.title = 'Settings · Magnus Sync';
  }, []);

  if (state.phase === 'failed') {
    return (
      <main class="center-message">
        <h1>Settings</h1>
        <p class="error-text" role="alert">
          {state.loadError}
        </p>
        <button type="button" class="btn btn-primary" onClick={() => void store.load()}>
          Try again
        </button>
      </main>
    );
  }
  if (!settings || !credentials || !capabilities || !status || !values) {
    return (
      <main class="center-message" aria-busy="true">
        <p>Loading settings…</p>
      </main>
    );
  }

  const update = <K extends keyof SettingsFormValues>(key: K, value: SettingsFormValues[K]) => {
    dirty.current = true;
    setValues({ ...values, [key]: value });
    const setting = key === 'databaseUrl' || key === 'databaseKind' ? 'database' : (key as keyof Settings);
    if (errors[setting] || errors.form) setErrors({ ...errors, [setting]: undefined, form: undefined });
    setSave({ kind: 'idle' });
  };

  const focusFirstInvalid = (found: FieldErrors) => {
    const first = SETTING_KEYS.find((k) => found[k]);
    const inputId = first ? INPUT_OF[first] : undefined;
    if (inputId) document.getElementById(inputId)?.focus();
  };

  const onSave = async (event: Event) => {
    event.preventDefault();
    const check = checkSettingsForm(values, settings.settings);
    if (!check.ok) {
      setErrors(check.errors);
      setSave({ kind: 'invalid', count: Object.keys(check.errors).length });
      focusFirstInvalid(check.errors);
      return;
    }
    if (Object.keys(check.patch).length === 0) {
      setErrors({});
      setSave({ kind: 'unchanged' });
      return;
    }
    setSave({ kind: 'saving' });
    try {
      const view = await store.client.call('updateSettings', check.patch);
      dirty.current = false;
      setErrors({});
      store.applySettings(view);
      setValues(formValuesOf(view.settings));
      setSave({ kind: 'saved' });
    } catch (error) {
      // The main process refused a field (e.g. the database cannot be reached): show it there.
      const found: FieldErrors = fieldErrorsOfFailure(error, SETTING_KEYS);
      setErrors(found);
      setSave({ kind: 'invalid', count: Object.keys(found).length });
      focusFirstInvalid(found);
    }
  };

  const onRevert = () => {
    dirty.current = false;
    setValues(formValuesOf(settings.settings));
    setErrors({});
    setSave({ kind: 'idle' });
    setDbTest(null);
  };

  const testDatabase = async () => {
    const url = values.databaseUrl.trim();
    const problem = postgresUrlProblem(url);
    if (problem) {
      setErrors({ ...errors, database: problem });
      setDbTest(null);
      return;
    }
    setDbTest({ ok: true, message: 'Connecting…' });
    try {
      const { message } = await store.client.call('testDatabase', { url });
      setDbTest({ ok: true, message });
    } catch (error) {
      setDbTest({ ok: false, message: messageOf(error) });
    }
  };

  const openLogs = async () => {
    try {
      const { message } = await store.client.call('openLogFolder', {});
      setLogFolder({ ok: true, message });
    } catch (error) {
      setLogFolder({ ok: false, message: messageOf(error) });
    }
  };

  const s = settings;
  return (
    <>
      <header class="settings-header">
        <a class="btn" href="status.html">
          <Icon name="back" /> Status
        </a>
        <h1>Settings</h1>
      </header>
      <main class="settings-content">
        <CredentialsSection
          client={store.client}
          credentials={credentials}
          capabilities={capabilities}
          status={status}
          onCredentials={(view) => store.applyCredentials(view)}
        />

        <form class="settings-form" onSubmit={(e) => void onSave(e)} noValidate>
          <Section id="sync" title="Sync schedule">
            <div class="field-grid">
              <TextField
                id="syncIntervalSeconds"
                label="Sync interval"
                value={values.syncIntervalSeconds}
                onInput={(v) => update('syncIntervalSeconds', v)}
                error={errors.syncIntervalSeconds}
                inputMode="numeric"
                hint={intervalHint(values.syncIntervalSeconds, SYNC_INTERVAL_BOUNDS)}
              />
              <TextField
                id="tradeHistoryIntervalSeconds"
                label="Trade-history interval"
                value={values.tradeHistoryIntervalSeconds}
                onInput={(v) => update('tradeHistoryIntervalSeconds', v)}
                error={errors.tradeHistoryIntervalSeconds}
                inputMode="numeric"
                hint={intervalHint(values.tradeHistoryIntervalSeconds, TRADE_INTERVAL_BOUNDS)}
              />
            </div>
            <p class="muted small">
              Each cycle costs about {status.lastCycleRequests ?? 'a dozen'} API requests; the client never
              exceeds {status.rateLimitPerMinute} requests per minute.
            </p>
          </Section>

          <Section id="database" title="Database">
            <fieldset class="radio-group">
              <legend class="visually-hidden">Where the data is stored</legend>
              <label class="radio">
                <input
                  type="radio"
                  name="databaseKind"
                  value="embedded"
                  checked={values.databaseKind === 'embedded'}
                  onChange={() => update('databaseKind', 'embedded')}
                />
                <span>
                  <strong>Embedded</strong>
                  <span class="muted small"> PostgreSQL run by the app, in {s.effectiveDataDir}</span>
                </span>
              </label>
              <label class="radio">
                <input
                  type="radio"
                  name="databaseKind"
                  value="postgres"
                  checked={values.databaseKind === 'postgres'}
                  onChange={() => update('databaseKind', 'postgres')}
                />
                <span>
                  <strong>PostgreSQL server</strong>
                  <span class="muted small"> by connection URL</span>
                </span>
              </label>
            </fieldset>
            {values.databaseKind === 'postgres' && (
              <TextField
                id="databaseUrl"
                label="PostgreSQL URL"
                type="url"
                value={values.databaseUrl}
                onInput={(v) => {
                  update('databaseUrl', v);
                  setDbTest(null);
                }}
                error={errors.database}
                placeholder="postgres://user@localhost:5432/magnus"
                inputMode="url"
                hint={
                  s.databasePasswordStored
                    ? 'A password for this server is stored in the keychain. A password typed into the URL replaces it when you save.'
                    : 'A password in the URL is moved to the system keychain when you save; the URL is stored without it.'
                }
                trailing={
                  <button type="button" class="btn" onClick={() => void testDatabase()}>
                    <Icon name="database" /> Test connection
                  </button>
                }
              />
            )}
            {values.databaseKind !== 'postgres' && (
              <FieldError id="database-error" message={errors.database} />
            )}
            {values.databaseKind === 'embedded' && s.settings.database.kind === 'embedded' && (
              <EmbeddedDatabaseSection client={store.client} settings={s} />
            )}
            {dbTest && (
              <p class={dbTest.ok ? 'saved-note' : 'field-error'} role="status">
                <Icon name={dbTest.ok ? 'check' : 'alert'} /> {dbTest.message}
              </p>
            )}
          </Section>

          <Section id="app" title="App">
            {capabilities.canLaunchAtLogin && (
              <CheckField
                id="launchAtLogin"
                label="Launch at login"
                checked={values.launchAtLogin}
                onChange={(v) => update('launchAtLogin', v)}
                hint="Starts in the tray and syncs in the background."
                error={errors.launchAtLogin}
              />
            )}
            <CheckField
              id="notifications"
              label="Notifications"
              checked={values.notifications}
              onChange={(v) => update('notifications', v)}
              hint="When a login is needed, when syncing keeps failing, and when it recovers."
              error={errors.notifications}
            />
            <CheckField
              id="privacyMode"
              label="Privacy mode"
              checked={values.privacyMode}
              onChange={(v) => update('privacyMode', v)}
              hint="Masks every amount in the windows."
              error={errors.privacyMode}
            />
            <CheckField
              id="showAmountsInTray"
              label="Show amounts in the tray"
              checked={values.showAmountsInTray}
              onChange={(v) => update('showAmountsInTray', v)}
              hint="Puts the portfolio value in the tray tooltip."
              error={errors.showAmountsInTray}
            />
          </Section>

          <Section id="logs" title="Logs">
            <p class="path-line">
              <Icon name="folder" /> <code>{s.logDir}</code>
            </p>
            {capabilities.canOpenLogFolder && (
              <button type="button" class="btn" onClick={() => void openLogs()}>
                Open log folder
              </button>
            )}
            {logFolder && !logFolder.ok && <p class="field-error">{logFolder.message}</p>}
          </Section>

          <div class="save-bar">
            <div class="save-message" role="status" aria-live="polite">
              {save.kind === 'saved' && (
                <span class="saved-note">
                  <Icon name="check" /> Settings saved.
                </span>
              )}
              {save.kind === 'unchanged' && <span class="muted">Nothing changed.</span>}
              {save.kind === 'invalid' && (
                <span class="field-error">
                  <Icon name="alert" /> Nothing was saved: fix the{' '}
                  {save.count === 1 ? 'field' : `${save.count} fields`} marked above.
                </span>
              )}
              {errors.form && <span class="field-error"> {errors.form}</span>}
            </div>
            <button type="button" class="btn" onClick={onRevert}>
              Revert
            </button>
            <button type="submit" class="btn btn-primary" disabled={save.kind === 'saving'}>
              Save settings
            </button>
          </div>
        </form>
      </main>
    </>
  );
}
