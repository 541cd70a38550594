/**
 * Chooses the transport at run time: the preload's `window.magnus` inside Electron, otherwise HTTP
 * + server-sent events against the server that served the page.
 */
import { PRELOAD_GLOBAL, type PreloadApi } from '../../../shared/contract.js';
import { createHttpClient, type EventSourceFactory, type FetchLike } from './http-client.js';
import { createIpcClient } from './ipc-client.js';
import type { RendererClient } from './renderer-client.js';

/** The globals the choice depends on (window in the browser; a stub in tests). */
export interface ClientScope {
  [PRELOAD_GLOBAL]?: unknown;
  fetch?: unknown;
  EventSource?: unknown;
}

function isPreloadApi(value: unknown): value is PreloadApi {
  if (typeof value !== 'object' || value === null) return false;
  const api = value as Partial<PreloadApi>;
  return typeof api.call === 'function' && typeof api.on === 'function';
}

export function pickClient(scope: ClientScope): RendererClient {
  const preload = scope[PRELOAD_GLOBAL];
  if (isPreloadApi(preload)) return createIpcClient(preload);
  if (typeof scope.fetch !== 'function')
    throw new Error('Neither the Electron preload nor fetch is available.');
  const fetchFn = (scope.fetch as (...args: unknown[]) => unknown).bind(scope) as FetchLike;
  const EventSourceCtor = scope.EventSource as
    | (new (
        url: string,
      ) => ReturnType<EventSourceFactory>)
    | undefined;
  return createHttpClient({
    baseUrl: '',
    fetch: fetchFn,
    eventSource: typeof EventSourceCtor === 'function' ? (url) => new EventSourceCtor(url) : null,
  });
}
