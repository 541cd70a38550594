/**
 * Server-sent events: every event of the contract, in the order the runtime emits them, to every
 * connected page. A client that stops reading is dropped instead of buffering without bound.
 */
import type { ServerResponse } from 'node:http';
import { EVENT_NAMES, type EventName } from '../../shared/contract.js';
import type { EventBus } from '../runtime/runtime-types.js';
import type { Logger } from '../util/logger.js';

/** Buffered but unsent bytes after which a client counts as stuck. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** How long a browser waits before it reconnects after the stream ends. */
const RECONNECT_MS = 2000;

export interface EventStreamHub {
  /** Takes over the response: writes the SSE head and keeps it open until the client leaves. */
  attach(res: ServerResponse): void;
  readonly clientCount: number;
  /** Ends every stream and stops listening to the bus. */
  close(): void;
}

export function formatEvent(name: string, payload: unknown, id?: number): string {
  const data = JSON.stringify(payload) ?? 'null';
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${name}\ndata: ${data}\n\n`;
}

export function createEventStreamHub(options: {
  events: EventBus;
  logger: Logger;
  keepAliveMs: number;
  maxClients: number;
}): EventStreamHub & { readonly full: boolean } {
  const clients = new Set<ServerResponse>();
  let nextId = 1;

  const drop = (res: ServerResponse) => {
    if (!clients.delete(res)) return;
    res.destroy();
  };

  const broadcast = (name: EventName, payload: unknown) => {
    if (clients.size === 0) return;
    const frame = formatEvent(name, payload, nextId++);
    for (const res of clients) {
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        options.logger.warn('web server: dropping an event stream client that stopped reading');
        drop(res);
        continue;
      }
      res.write(frame);
    }
  };

  const unsubscribers = EVENT_NAMES.map((name) =>
    options.events.on(name, (payload: unknown) => broadcast(name, payload)),
  );

  const keepAlive = setInterval(() => {
    for (const res of clients) res.write(': keep-alive\n\n');
  }, options.keepAliveMs);
  keepAlive.unref();

  return {
    get clientCount() {
      return clients.size;
    },
    get full() {
      return clients.size >= options.maxClients;
    },
    attach(res) {
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      res.write(`retry: ${RECONNECT_MS}\n: connected\n\n`);
      clients.add(res);
      res.on('close', () => clients.delete(res));
      res.on('error', () => drop(res));
    },
    close() {
      clearInterval(keepAlive);
      for (const off of unsubscribers) off();
      for (const res of [...clients]) {
        clients.delete(res);
        res.end();
      }
    },
  };
}
