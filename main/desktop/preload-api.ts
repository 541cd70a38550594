/**
 * The object the preload exposes as `window.magnus`: exactly PreloadApi, nothing more.
 *
 * This file is bundled into the sandboxed preload, so at run time it imports only the
 * dependency-free shared/call-names.ts (no zod); the names and channels are those of the contract.
 */
import { ipcChannel, isCallName, isEventName } from '../../shared/call-names.js';
import type { CallName, CallResult, EventName, PreloadApi } from '../../shared/contract.js';

/** What the preload reads of Electron's ipcRenderer. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function createPreloadApi(ipc: IpcRendererLike): PreloadApi {
  return Object.freeze({
    call(name: CallName, request: unknown): Promise<CallResult<unknown>> {
      if (!isCallName(name)) {
        return Promise.resolve({
          ok: false as const,
          error: { code: 'unknown-call' as const, message: 'There is no such call.' },
        });
      }
      return ipc.invoke(ipcChannel.call(name), request) as Promise<CallResult<unknown>>;
    },
    on(name: EventName, listener: (payload: unknown) => void): () => void {
      if (!isEventName(name) || typeof listener !== 'function') return () => {};
      // The Electron event object never reaches the page (it carries the sender).
      const wrapped = (_event: unknown, payload: unknown) => listener(payload);
      ipc.on(ipcChannel.event(name), wrapped);
      return () => {
        ipc.removeListener(ipcChannel.event(name), wrapped);
      };
    },
  });
}
