/** A stand-in for Electron's ipcMain (Electron cannot run here) and our handlers registered on it. */
import { pathToFileURL } from 'node:url';
import { type InvokeEventLike, registerIpcHandlers } from '../../main/desktop/ipc.js';
import { isOwnRendererUrl } from '../../main/desktop/window-policy.js';
import { collectingLogger } from '../../main/util/logger.js';
import type { CallResult, Handlers } from '../../shared/contract.js';

export const rendererDir = '/app/dist/renderer';
export const ownFrame = { senderFrame: { url: pathToFileURL(`${rendererDir}/status.html`).href } };

export function fakeIpcMain() {
  const registered = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>>();
  return {
    registered,
    handle: (channel: string, fn: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>) => {
      if (registered.has(channel)) throw new Error(`second handler for ${channel}`);
      registered.set(channel, fn);
    },
    removeHandler: (channel: string) => registered.delete(channel),
    invoke: (channel: string, event: InvokeEventLike, payload?: unknown) => {
      const fn = registered.get(channel);
      if (!fn) throw new Error(`No handler registered for '${channel}'`);
      return fn(event, payload) as Promise<CallResult<unknown>>;
    },
  };
}

export function setup(handlers: Partial<Handlers>) {
  const ipcMain = fakeIpcMain();
  const logger = collectingLogger();
  const dispose = registerIpcHandlers({
    ipcMain,
    handlers: handlers as Handlers,
    isTrustedSender: (url) => isOwnRendererUrl(url, rendererDir),
    logger,
  });
  return { ipcMain, logger, dispose };
}
