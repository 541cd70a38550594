/**
 * The settings window's form: text inputs ↔ a settings patch, validated in the browser with the
 * same schema the main process uses, so every invalid field gets its message before anything is
 * sent; the server's per-field messages (an `invalid-request` CallFailure) are shown the same way.
 */
import { CallFailure } from '../../../shared/call-result.js';
import {
  type CredentialField,
  type CredentialsInput,
  credentialsInputSchema,
  verificationCodeSchema,
} from '../../../shared/contract.js';
import {
  applySettingsPatch,
  type FieldErrors,
  type Settings,
  type SettingsPatch,
} from '../../../shared/settings.js';

/** What the inputs hold: numbers as typed text, so "12a" can be refused with a message. */
export interface SettingsFormValues {
  syncIntervalSeconds: string;
  tradeHistoryIntervalSeconds: string;
  databaseKind: 'embedded' | 'postgres';
  databaseUrl: string;
  launchAtLogin: boolean;
  notifications: boolean;
  privacyMode: boolean;
  showAmountsInTray: boolean;
}

export function formValuesOf(settings: Settings): SettingsFormValues {
  return {
    syncIntervalSeconds: String(settings.syncIntervalSeconds),
    tradeHistoryIntervalSeconds: String(settings.tradeHistoryIntervalSeconds),
    databaseKind: settings.database.kind,
    databaseUrl: settings.database.kind === 'postgres' ? settings.database.url : '',
    launchAtLogin: settings.launchAtLogin,
    notifications: settings.notifications,
    privacyMode: settings.privacyMode,
    showAmountsInTray: settings.showAmountsInTray,
  };
}

/** "300" → 300; anything that is not a plain integer → NaN, which the schema refuses with its message. */
export function parseWholeNumber(text: string): number {
  const trimmed = text.trim();
  return /^[-+]?\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

function databaseOf(values: SettingsFormValues): Settings['database'] {
  return values.databaseKind === 'embedded'
    ? { kind: 'embedded' }
    : { kind: 'postgres', url: values.databaseUrl.trim() };
}

function sameDatabase(a: Settings['database'], b: Settings['database']): boolean {
  return a.kind === b.kind && (a.kind === 'embedded' || (b.kind === 'postgres' && a.url === b.url));
}

/** Only what changed; an unchanged form gives an empty patch. */
export function patchFromForm(values: SettingsFormValues, current: Settings): SettingsPatch {
  const patch: Record<string, unknown> = {};
  const sync = parseWholeNumber(values.syncIntervalSeconds);
  if (sync !== current.syncIntervalSeconds) patch.syncIntervalSeconds = sync;
  const trade = parseWholeNumber(values.tradeHistoryIntervalSeconds);
  if (trade !== current.tradeHistoryIntervalSeconds) patch.tradeHistoryIntervalSeconds = trade;
  const database = databaseOf(values);
  if (!sameDatabase(database, current.database)) patch.database = database;
  for (const key of ['launchAtLogin', 'notifications', 'privacyMode', 'showAmountsInTray'] as const) {
    if (values[key] !== current[key]) patch[key] = values[key];
  }
  return patch as SettingsPatch;
}

export type FormCheck = { ok: true; patch: SettingsPatch } | { ok: false; errors: FieldErrors };

/** Validates the form against the current settings with the shared schema. */
export function checkSettingsForm(values: SettingsFormValues, current: Settings): FormCheck {
  const patch = patchFromForm(values, current);
  const result = applySettingsPatch(current, patch);
  return result.ok ? { ok: true, patch } : { ok: false, errors: result.errors };
}

export type CredentialErrors = Partial<Record<CredentialField | 'form', string>>;
export type CredentialCheck = { ok: true; input: CredentialsInput } | { ok: false; errors: CredentialErrors };

/** Empty inputs mean "keep what is stored"; at least one field must be filled in. */
export function checkCredentialsForm(values: Record<CredentialField, string>): CredentialCheck {
  const input: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) if (value.trim() !== '') input[key] = value;
  if (Object.keys(input).length === 0) {
    return {
      ok: false,
      errors: { form: 'Enter at least one value to store; empty fields keep what is stored.' },
    };
  }
  const parsed = credentialsInputSchema.safeParse(input);
  if (parsed.success) return { ok: true, input: parsed.data };
  const errors: CredentialErrors = {};
  for (const issue of parsed.error.issues) {
    const field = (issue.path[0] as CredentialField | undefined) ?? 'form';
    errors[field] ??= issue.message;
  }
  return { ok: false, errors };
}

export function checkVerificationCode(
  code: string,
): { ok: true; code: string } | { ok: false; error: string } {
  const parsed = verificationCodeSchema.safeParse({ code });
  if (parsed.success) return { ok: true, code: parsed.data.code };
  return { ok: false, error: parsed.error.issues[0]?.message ?? 'Enter the code the broker sent.' };
}

/**
 * A failed call as messages next to the form's fields: an invalid request's own per-field messages
 * (a field the form does not show goes to "form"), else the failure's message under "form".
 */
export function fieldErrorsOfFailure(error: unknown, fields: readonly string[]): Record<string, string> {
  if (!(error instanceof CallFailure)) return { form: 'Something went wrong talking to Magnus Sync.' };
  if (!error.fields) return { form: error.message };
  const errors: Record<string, string> = {};
  for (const [field, message] of Object.entries(error.fields)) {
    if (fields.includes(field)) errors[field] ??= message;
    else errors.form ??= message;
  }
  return errors;
}
