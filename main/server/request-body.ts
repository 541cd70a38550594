/** Reads a JSON request body without ever holding more than the limit in memory. */
import type { IncomingMessage } from 'node:http';

export type BodyResult =
  | { kind: 'ok'; value: unknown }
  | { kind: 'too-large' }
  | { kind: 'bad-json' }
  | { kind: 'bad-type' }
  | { kind: 'aborted' };

/** True when the declared Content-Length alone is over the limit (answer before reading). */
export function declaredTooLarge(req: IncomingMessage, maxBytes: number): boolean {
  const length = req.headers['content-length'];
  if (length === undefined) return false;
  const n = Number(length);
  return !Number.isFinite(n) || n > maxBytes;
}

function isJsonType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const media = contentType.split(';')[0]?.trim().toLowerCase();
  return media === 'application/json';
}

/**
 * Reads the body; stops (and pauses the socket) as soon as it exceeds maxBytes. An empty body is
 * `{}` (calls without arguments); a non-empty one must be declared application/json, which a
 * cross-site HTML form cannot send.
 */
export function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.pause();
        settle({ kind: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('error', () => settle({ kind: 'aborted' }));
    req.on('aborted', () => settle({ kind: 'aborted' }));
    req.on('end', () => {
      if (size === 0) return settle({ kind: 'ok', value: {} });
      if (!isJsonType(req.headers['content-type'])) return settle({ kind: 'bad-type' });
      try {
        settle({ kind: 'ok', value: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      } catch {
        settle({ kind: 'bad-json' });
      }
    });
  });
}
