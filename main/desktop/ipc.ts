/**
 * The contract over Electron IPC, main side.
 *
 * One `ipcMain.handle` per call of shared/contract.ts. Before a handler runs, the sender frame must
 * be one of our own file:// pages; then the shared dispatcher (main/runtime/dispatch.ts) validates the
 * payload, runs the handler and answers with a CallResult, so a failure crosses as a code and a
 * message, never as a stack trace. Events of the runtime are forwarded to every window.
 *
 * `ipcMain` and the broadcast are passed in (electron stays out of this module's run-time imports).
 */
import { CALL_NAMES, type CallName, EVENT_NAMES, ipcChannel } from '../../shared/call-names.js';
import type { CallResult } from '../../shared/call-result.js';
import type { Handlers } from '../../shared/contract.js';
import { dispatch } from '../runtime/dispatch.js';
import type { EventBus } from '../runtime/runtime-types.js';
import type { Logger } from '../util/logger.js';

/** What ipc.ts reads of an IpcMainInvokeEvent. */
export interface InvokeEventLike {
  senderFrame?: { url: string } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface IpcRegistration {
  ipcMain: IpcMainLike;
  handlers: Handlers;
  /** True for our own pages (window-policy.isOwnRendererUrl bound to the renderer folder). */
  isTrustedSender(url: string): boolean;
  logger: Logger;
}

/** Validates the sender and payload of one call and runs it. */
export async function handleCall(
  name: CallName,
  event: InvokeEventLike,
  payload: unknown,
  o: Omit<IpcRegistration, 'ipcMain'>,
): Promise<CallResult<unknown>> {
  const url = event.senderFrame?.url ?? '';
  if (!url || !o.isTrustedSender(url)) {
    o.logger.warn('ipc: refused a call from an unknown frame', { call: name, origin: originOf(url) });
    return { ok: false, error: { code: 'forbidden', message: 'This window may not call Magnus Sync.' } };
  }
  return dispatch(o.handlers, name, payload, { logger: o.logger, via: 'ipc' });
}

/** Registers every call; returns a function that removes them again. */
export function registerIpcHandlers(o: IpcRegistration): () => void {
  const channels: string[] = [];
  for (const name of CALL_NAMES) {
    const channel = ipcChannel.call(name);
    o.ipcMain.handle(channel, (event, payload) => handleCall(name, event, payload, o));
    channels.push(channel);
  }
  return () => {
    for (const channel of channels) o.ipcMain.removeHandler(channel);
  };
}

/** Sends every runtime event to every open window; returns an unsubscribe function. */
export function forwardEvents(
  events: EventBus,
  broadcast: (channel: string, payload: unknown) => void,
): () => void {
  const offs = EVENT_NAMES.map((name) => {
    const channel = ipcChannel.event(name);
    return events.on(name, (payload) => broadcast(channel, payload));
  });
  return () => {
    for (const off of offs) off();
  };
}

/** For the log: the scheme and host of a refused sender, never its full URL. */
function originOf(url: string): string {
  try {
    const u = new URL(url);
    return u.protocol === 'file:' ? 'file:' : `${u.protocol}//${u.host}`;
  } catch {
    return url ? 'unparseable' : 'none';
  }
}
