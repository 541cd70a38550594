/**
 * What the main process and the engine process say to each other over the relay (relay.ts).
 *
 * main → engine: every contract call (`call`, answered with a CallResult), `start` (answered with
 * the status once the store is open and the engine scheduled), and notices for the platform's
 * events (`suspend`, `resume`, `networkRestored`), `stop` (the engine stops, closes the store and
 * exits) and `log` (the main process's log records, written by the engine's redacting file logger).
 *
 * engine → main: the platform hooks only the main process can run (`openPath`, `openExternal`,
 * `setLaunchAtLogin`), the contract's events (`event`), and `settings`: the engine changed the
 * settings and the main process, which owns the settings file, saves them.
 *
 * The first message on the engine's `process.parentPort` is `init`, carrying the relay's port.
 */
import { z } from 'zod';
import { CALL_NAMES, type CallResult, EVENT_NAMES } from '../../shared/contract.js';
import { SYNC_TRIGGERS, type SyncStatus } from '../../shared/models.js';
import { settingsSchema } from '../../shared/settings.js';

const callNameSchema = z.enum(CALL_NAMES);
const eventNameSchema = z.enum(EVENT_NAMES);
const empty = z.object({}).strict();

export const ENGINE_METHODS = {
  call: {
    params: z.object({ name: callNameSchema, request: z.unknown() }).strict(),
    result: null as unknown as CallResult<unknown>,
  },
  start: {
    params: z.object({ trigger: z.enum(SYNC_TRIGGERS) }).strict(),
    result: null as unknown as SyncStatus,
  },
};
export type EngineMethods = typeof ENGINE_METHODS;

export const LOG_RECORD_SCHEMA = z
  .object({
    level: z.enum(['debug', 'info', 'warn', 'error']),
    message: z.string().max(4096),
    meta: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const ENGINE_NOTICES = {
  stop: empty,
  suspend: empty,
  resume: z.object({ reason: z.enum(['resume', 'clock-jump']) }).strict(),
  networkRestored: empty,
  log: LOG_RECORD_SCHEMA,
};
export type EngineNotices = typeof ENGINE_NOTICES;

export const HOST_METHODS = {
  openPath: {
    params: z.object({ path: z.string().min(1).max(4096) }).strict(),
    result: null as unknown as { ok: boolean; message: string },
  },
  openExternal: {
    params: z.object({ url: z.string().url().max(2048) }).strict(),
    result: null as unknown as null,
  },
  setLaunchAtLogin: {
    params: z.object({ enabled: z.boolean() }).strict(),
    result: null as unknown as null,
  },
};
export type HostMethods = typeof HOST_METHODS;
export type HostHook = keyof HostMethods;
export const HOST_HOOKS = Object.keys(HOST_METHODS) as HostHook[];

export const HOST_NOTICES = {
  event: z.object({ name: eventNameSchema, payload: z.record(z.string(), z.unknown()) }).strict(),
  settings: settingsSchema,
};
export type HostNotices = typeof HOST_NOTICES;

/** How the main process configures the engine; sent once, with the relay's port. */
export const engineInitSchema = z
  .object({
    type: z.literal('init'),
    dataDir: z.string().min(1),
    demo: z.boolean(),
    keychainService: z.string().min(1).max(256).optional(),
    apiUrl: z.string().url().optional(),
    /** The settings as the main process read them from the settings file. */
    settings: settingsSchema,
    /** The platform hooks the main process serves. */
    hooks: z.array(z.enum(HOST_HOOKS as [HostHook, ...HostHook[]])),
  })
  .strict();
export type EngineInit = z.infer<typeof engineInitSchema>;
