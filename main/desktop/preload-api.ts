/**
 * The object the preload exposes as `window.magnus`: exactly PreloadApi, nothing more.
 *
 * This file is bundled into the sandboxed preload, so it imports only types from shared/ (no zod at
 * run time). The call and event names are listed here again; test/desktop/preload-api.test.ts
 * checks they equal CALL_NAMES / EVENT_NAMES and that the channels equal ipcChannel's.
 */
import type { CallName, CallResult, EventName, PreloadApi } from '../../shared/contract.js';

export const PRELOAD_CALL_NAMES = [
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
] as const satisfies readonly CallName[];

export const PRELOAD_EVENT_NAMES = [
  'status',
  'dataChanged',
  'settingsChanged',
  'credentialsChanged',
] as const satisfies readonly EventName[];

// A call or event added to the contract and missing here fails to compile.
type Missing<All, Listed> = Exclude<All, Listed>;
const everyCallListed: Missing<CallName, (typeof PRELOAD_CALL_NAMES)[number]> extends never ? true : false =
  true;
const everyEventListed: Missing<EventName, (typeof PRELOAD_EVENT_NAMES)[number]> extends never
  ? true
  : false = true;
void everyCallListed;
void everyEventListed;

export const callChannel = (name: string) => `magnus:call:${name}`;
export const eventChannel = (name: string) => `magnus:event:${name}`;

/** What the preload reads of Electron's ipcRenderer. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

const isListed = <T extends string>(list: readonly T[], value: unknown): value is T =>
  typeof value === 'string' && (list as readonly string[]).includes(value);

export function createPreloadApi(ipc: IpcRendererLike): PreloadApi {
  return Object.freeze({
    call(name: CallName, request: unknown): Promise<CallResult<unknown>> {
      if (!isListed(PRELOAD_CALL_NAMES, name)) {
        return Promise.resolve({
          ok: false as const,
          error: { code: 'unknown-call' as const, message: 'There is no such call.' },
        });
      }
      return ipc.invoke(callChannel(name), request) as Promise<CallResult<unknown>>;
    },
    on(name: EventName, listener: (payload: unknown) => void): () => void {
      if (!isListed(PRELOAD_EVENT_NAMES, name) || typeof listener !== 'function') return () => {};
      // The Electron event object never reaches the page (it carries the sender).
      const wrapped = (_event: unknown, payload: unknown) => listener(payload);
      ipc.on(eventChannel(name), wrapped);
      return () => {
        ipc.removeListener(eventChannel(name), wrapped);
      };
    },
  });
}
