/**
 * User settings: one schema, used by the settings store (desktop: electron-store; headless: a JSON
 * file), by the main process to validate every update, and by the settings window to show a
 * message next to each invalid field before anything is sent.
 *
 * Secrets are not settings: a PostgreSQL URL is stored here without its password, which lives in
 * the OS keychain.
 */
import { z } from 'zod';

export const SYNC_INTERVAL_BOUNDS = { min: 60, max: 86_400 } as const;
export const TRADE_INTERVAL_BOUNDS = { min: 300, max: 604_800 } as const;
export const DEFAULT_SYNC_INTERVAL_SECONDS = 300;
export const DEFAULT_TRADE_INTERVAL_SECONDS = 3600;

const intervalMessage = (label: string, b: { min: number; max: number }) =>
  `${label} must be a whole number of seconds between ${b.min} and ${b.max}.`;

export const syncIntervalSchema = z
  .number({ error: intervalMessage('Sync interval', SYNC_INTERVAL_BOUNDS) })
  .int({ error: intervalMessage('Sync interval', SYNC_INTERVAL_BOUNDS) })
  .min(SYNC_INTERVAL_BOUNDS.min, { error: intervalMessage('Sync interval', SYNC_INTERVAL_BOUNDS) })
  .max(SYNC_INTERVAL_BOUNDS.max, { error: intervalMessage('Sync interval', SYNC_INTERVAL_BOUNDS) });

export const tradeIntervalSchema = z
  .number({ error: intervalMessage('Trade-history interval', TRADE_INTERVAL_BOUNDS) })
  .int({ error: intervalMessage('Trade-history interval', TRADE_INTERVAL_BOUNDS) })
  .min(TRADE_INTERVAL_BOUNDS.min, { error: intervalMessage('Trade-history interval', TRADE_INTERVAL_BOUNDS) })
  .max(TRADE_INTERVAL_BOUNDS.max, {
    error: intervalMessage('Trade-history interval', TRADE_INTERVAL_BOUNDS),
  });

/**
 * Checks a PostgreSQL connection URL. Returns null when it is acceptable, else a message that names
 * what is wrong and never repeats the URL (it may carry a password).
 */
export function postgresUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'Database URL is not a valid URL; expected postgres://user@host:5432/database.';
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    return 'Database URL must start with postgres:// or postgresql://.';
  }
  if (!parsed.hostname) return 'Database URL must name a host, e.g. postgres://user@localhost:5432/magnus.';
  if (parsed.port && !/^\d+$/.test(parsed.port)) return 'Database URL has an invalid port.';
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database || database.includes('/')) {
    return 'Database URL must name one database, e.g. postgres://user@localhost:5432/magnus.';
  }
  return null;
}

export const postgresUrlSchema = z.string().superRefine((value, ctx) => {
  const problem = postgresUrlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const databaseSettingSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('embedded') }).strict(),
  z.object({ kind: z.literal('postgres'), url: postgresUrlSchema }).strict(),
]);
export type DatabaseSetting = z.infer<typeof databaseSettingSchema>;

export const settingsSchema = z
  .object({
    syncIntervalSeconds: syncIntervalSchema,
    tradeHistoryIntervalSeconds: tradeIntervalSchema,
    /** The embedded PostgreSQL server (in the data folder) or another PostgreSQL server; the stored URL has no password. */
    database: databaseSettingSchema,
    /** Where the embedded database and the logs live; null means the OS app-data folder. */
    dataDir: z.string().min(1, { error: 'Data folder must not be empty.' }).nullable(),
    launchAtLogin: z.boolean(),
    notifications: z.boolean(),
    /** Mask every amount in the windows. */
    privacyMode: z.boolean(),
    /** Show the portfolio value in the tray tooltip (off by default). */
    showAmountsInTray: z.boolean(),
  })
  .strict();
export type Settings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  syncIntervalSeconds: DEFAULT_SYNC_INTERVAL_SECONDS,
  tradeHistoryIntervalSeconds: DEFAULT_TRADE_INTERVAL_SECONDS,
  database: { kind: 'embedded' },
  dataDir: null,
  launchAtLogin: false,
  notifications: true,
  privacyMode: false,
  showAmountsInTray: false,
};

/**
 * An update from the settings window. The database URL may carry a password here; the main process
 * moves it into the keychain and stores the URL without it.
 */
export const settingsPatchSchema = settingsSchema.partial().strict();
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

/** Field name → message, for every invalid field. */
export type FieldErrors = Partial<Record<keyof Settings | 'form', string>>;

export type SettingsValidation = { ok: true; settings: Settings } | { ok: false; errors: FieldErrors };

/** Applies a patch to the current settings; nothing is returned but errors when any field is invalid. */
export function applySettingsPatch(current: Settings, patch: unknown): SettingsValidation {
  const parsedPatch = settingsPatchSchema.safeParse(patch);
  if (!parsedPatch.success) return { ok: false, errors: fieldErrorsOf(parsedPatch.error) };
  const merged = settingsSchema.safeParse({ ...current, ...parsedPatch.data });
  if (!merged.success) return { ok: false, errors: fieldErrorsOf(merged.error) };
  return { ok: true, settings: merged.data };
}

export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      errors.form ??= `Unknown setting: ${issue.keys.join(', ')}.`;
      continue;
    }
    const field = (issue.path[0] as keyof Settings | undefined) ?? 'form';
    errors[field] ??= issue.message;
  }
  return errors;
}

/**
 * How another program (a dashboard, psql, a script) connects to the embedded database. Never the
 * password: revealEmbeddedDatabasePassword gives it on demand, in the desktop app only.
 */
export interface EmbeddedDatabaseView {
  /** False when the settings use a PostgreSQL server, or the embedded one was not created yet. */
  available: boolean;
  /** One sentence for the window (running or not, where the password is kept, why unavailable). */
  message: string;
  running: boolean;
  /** postgres://magnus@127.0.0.1:55432/magnus_sync: the URL without its password. */
  address: string | null;
  host: string | null;
  port: number | null;
  user: string | null;
  database: string | null;
  /** Whether this window may ask for the password (the desktop app; never the web page). */
  canReveal: boolean;
}

export interface EmbeddedPasswordReveal {
  password: string;
  /** The whole URL, password included. */
  url: string;
}

/** The answer to setting up the Magnus dashboard compatibility layer on the embedded database. */
export interface MagnusCompatSetup {
  message: string;
  /** postgres://ROLE[:PASSWORD]@127.0.0.1:PORT/magnus_sync; the password only for a login made now. */
  dashboardUrl: string | null;
  createdLogin: boolean;
}

/** The settings as the renderer sees them: a database URL never includes its password. */
export interface SettingsView {
  settings: Settings;
  /** True when a password for the PostgreSQL URL is kept in the keychain. */
  databasePasswordStored: boolean;
  /** The resolved data folder (the default when settings.dataDir is null). */
  effectiveDataDir: string;
  logDir: string;
}
