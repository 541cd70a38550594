/**
 * The names of the contract's calls and events, and the Electron IPC channels they travel on.
 *
 * Dependency-free on purpose: the sandboxed preload bundles this module (and nothing with zod), so
 * the names are written down once, here; shared/contract.ts declares each call's schema against
 * this list and fails to compile when the two differ.
 */

export const CALL_NAMES = [
  'getState',
  'getDashboard',
  'getChart',
  'getStats',
  'getClosedTrades',
  'syncNow',
  'pause',
  'resume',
  'getSettings',
  'updateSettings',
  'getCredentials',
  'setCredentials',
  'clearCredentials',
  'testLogin',
  'submitVerificationCode',
  'testDatabase',
  'getEmbeddedDatabase',
  'revealEmbeddedDatabasePassword',
  'setUpMagnusCompat',
  'openLogFolder',
  'openExternal',
] as const;
export type CallName = (typeof CALL_NAMES)[number];

export const EVENT_NAMES = ['status', 'dataChanged', 'settingsChanged', 'credentialsChanged'] as const;
export type EventName = (typeof EVENT_NAMES)[number];

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && (CALL_NAMES as readonly string[]).includes(name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (EVENT_NAMES as readonly string[]).includes(name);
}

/** Channel names used on Electron IPC. */
export const ipcChannel = {
  call: (name: CallName) => `magnus:call:${name}`,
  event: (name: EventName) => `magnus:event:${name}`,
} as const;

/** The global the preload exposes to windows (contextBridge.exposeInMainWorld). */
export const PRELOAD_GLOBAL = 'magnus';
