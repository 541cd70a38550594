/**
 * The one contract between the main process and every window.
 *
 * Every call (request → response) and every pushed event is declared here once. The same contract
 * is carried over Electron IPC (main/desktop/ipc.ts + preload) and over HTTP + server-sent events
 * (main/server/), so the renderer runs unchanged in the Electron window and in a browser.
 *
 * Requests are zod schemas: the main process validates every payload before it reaches a handler.
 * Responses are plain types: they come from our own code. No response ever carries a secret.
 * A response is the success value only: a call that cannot be done fails as a CallResult error
 * (shared/call-result.ts), the same on every transport. The names live in shared/call-names.ts.
 */
import { z } from 'zod';
import type { CallName, EventName } from './call-names.js';
import type { CallResult } from './call-result.js';
import type {
  Capabilities,
  ChartSeries,
  ClosedTradesView,
  CredentialsView,
  Dashboard,
  LoginOutcome,
  SyncStats,
  SyncStatus,
} from './models.js';
import { CHART_RANGES, TRADE_PERIODS } from './models.js';
import type {
  EmbeddedDatabaseView,
  EmbeddedPasswordReveal,
  MagnusCompatSetup,
  SettingsView,
} from './settings.js';
import { settingsPatchSchema } from './settings.js';
import { readTotpSecretText } from './totp-secret.js';

export {
  CALL_NAMES,
  type CallName,
  EVENT_NAMES,
  type EventName,
  ipcChannel,
  PRELOAD_GLOBAL,
} from './call-names.js';
export type { CallErrorCode, CallResult } from './call-result.js';

/** Everything a window needs at load; afterwards it follows the pushed events. */
export interface AppStateSnapshot {
  version: string;
  capabilities: Capabilities;
  status: SyncStatus;
  dashboard: Dashboard;
  stats: SyncStats;
  settings: SettingsView;
  credentials: CredentialsView;
}

// ---- request schemas ------------------------------------------------------------------------

const empty = z.object({}).strict();

/** Masked account key as stored, e.g. "****4141", or "all" (ALL_ACCOUNTS) where a call sums accounts. */
export const accountKeySchema = z.string().min(1).max(32);

export const closedTradesRequestSchema = z
  .object({
    accountKey: accountKeySchema,
    period: z.enum(TRADE_PERIODS),
    /** Only this symbol (as stored, e.g. "AAPL"). */
    symbol: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9.-]{1,16}$/, { error: 'Symbol must be 1–16 letters, digits, dots or dashes.' })
      .optional(),
  })
  .strict();

export const CREDENTIAL_FIELDS = ['username', 'password', 'totpSecret'] as const;
export type CredentialField = (typeof CREDENTIAL_FIELDS)[number];

/**
 * A TOTP secret by the one rule of shared/totp-secret.ts (base32 as authenticator apps show it, or
 * an otpauth:// link). The main process normalises it.
 */
export const totpSecretSchema = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    const text = readTotpSecretText(value);
    if (!text.ok) ctx.addIssue({ code: 'custom', message: text.problem });
  });

export const credentialsInputSchema = z
  .object({
    username: z
      .string()
      .trim()
      .min(1, { error: 'Username must not be empty.' })
      .max(254, { error: 'Username is too long.' })
      .optional(),
    password: z
      .string()
      .min(1, { error: 'Password must not be empty.' })
      .max(1024, { error: 'Password is too long.' })
      .optional(),
    totpSecret: totpSecretSchema.optional(),
  })
  .strict();
export type CredentialsInput = z.infer<typeof credentialsInputSchema>;

export const verificationCodeSchema = z
  .object({
    code: z
      .string()
      .trim()
      .regex(/^\d{4,8}$/, { error: 'Enter the 4–8 digit code the broker sent.' }),
  })
  .strict();

export const testDatabaseSchema = z.object({ url: z.string().min(1).max(2048) }).strict();

export const openExternalSchema = z.object({ url: z.string().url().max(2048) }).strict();

// ---- the contract ---------------------------------------------------------------------------

/** A call: its request schema, and (as a phantom type) its response. */
export interface CallSpec<Req extends z.ZodType, Res> {
  request: Req;
  /** Phantom: never set at run time. */
  readonly __response?: Res;
}
function call<Res>() {
  return <Req extends z.ZodType>(request: Req): CallSpec<Req, Res> => ({ request });
}

export const calls = {
  getState: call<AppStateSnapshot>()(empty),
  getDashboard: call<Dashboard>()(z.object({ accountKey: accountKeySchema.optional() }).strict()),
  getChart: call<ChartSeries>()(
    z.object({ accountKey: accountKeySchema, range: z.enum(CHART_RANGES) }).strict(),
  ),
  getStats: call<SyncStats>()(empty),
  /** Realized P&L and dividends received per period; closed trades filtered by period and symbol. */
  getClosedTrades: call<ClosedTradesView>()(closedTradesRequestSchema),

  /**
   * Runs a cycle at once, or joins the one running; resolves when the request is accepted, and is
   * refused (with the reason) while a login is needed.
   */
  syncNow: call<{ message: string }>()(empty),
  pause: call<SyncStatus>()(empty),
  resume: call<SyncStatus>()(empty),

  getSettings: call<SettingsView>()(empty),
  /** Saves nothing unless every field is valid (else `invalid-request` with per-field messages). */
  updateSettings: call<SettingsView>()(settingsPatchSchema),

  getCredentials: call<CredentialsView>()(empty),
  /** Write-only: stores the given fields in the OS keychain; stores nothing if one is invalid. */
  setCredentials: call<CredentialsView>()(credentialsInputSchema),
  clearCredentials: call<CredentialsView>()(empty),
  /** Logs in with the stored credentials; may ask for a code or an approval; refused when it fails. */
  testLogin: call<LoginOutcome>()(empty),
  /** Answers a pending verification challenge (SMS, e-mail or authenticator code). */
  submitVerificationCode: call<LoginOutcome>()(verificationCodeSchema),
  /** Connects to a PostgreSQL URL (a password may be inline) without saving anything. */
  testDatabase: call<{ message: string }>()(testDatabaseSchema),

  /** How dashboards connect to the embedded database (without its password). */
  getEmbeddedDatabase: call<EmbeddedDatabaseView>()(empty),
  /** The embedded database's password and full URL, on the user's request; desktop app only. */
  revealEmbeddedDatabasePassword: call<EmbeddedPasswordReveal>()(empty),
  /**
   * "Magnus dashboard compatibility" on the embedded database: creates ROLE as a login when missing
   * and the magnus_compat layer for it (docs/magnus-compat.md); desktop app only.
   */
  setUpMagnusCompat: call<MagnusCompatSetup>()(
    z
      .object({
        role: z.string().trim().min(1, { error: 'Enter a login name.' }).max(63),
        account: accountKeySchema.optional(),
      })
      .strict(),
  ),

  openLogFolder: call<{ message: string }>()(empty),
  /** Opens an allow-listed https URL in the user's browser. */
  openExternal: call<{ message: string }>()(openExternalSchema),
} as const satisfies Record<CallName, CallSpec<z.ZodType, unknown>>;

// Every name of call-names.ts has a schema above, and nothing else does.
const sameNames: Exclude<keyof typeof calls, CallName> extends never ? true : false = true;
void sameNames;

export type Calls = typeof calls;
export type CallRequest<K extends CallName> = z.input<Calls[K]['request']>;
export type CallResponse<K extends CallName> = NonNullable<Calls[K]['__response']>;

/** Events pushed from main to every window. */
export interface Events {
  /** The engine's status changed (state, progress, next run, ...). */
  status: SyncStatus;
  /** A cycle committed new data: refetch the dashboard, chart and statistics. */
  dataChanged: { accounts: string[]; at: string };
  settingsChanged: SettingsView;
  credentialsChanged: CredentialsView;
}
// Every event of call-names.ts has a payload above, and nothing else does.
const sameEvents: [Exclude<keyof Events, EventName>, Exclude<EventName, keyof Events>] extends [never, never]
  ? true
  : false = true;
void sameEvents;

/** What the main process implements once and every transport (IPC, HTTP) exposes. */
export type Handlers = {
  [K in CallName]: (request: z.output<Calls[K]['request']>) => Promise<CallResponse<K>>;
};

/** What the renderer programs against; implemented over IPC (preload) and over HTTP + SSE. */
export interface ContractClient {
  call<K extends CallName>(name: K, request: CallRequest<K>): Promise<CallResponse<K>>;
  on<E extends EventName>(name: E, listener: (payload: Events[E]) => void): () => void;
}

/** The shape the preload exposes under window.magnus. */
export interface PreloadApi {
  call(name: CallName, request: unknown): Promise<CallResult<unknown>>;
  on(name: EventName, listener: (payload: unknown) => void): () => void;
}
