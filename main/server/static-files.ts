/**
 * Serves the built renderer (dist/renderer) and nothing outside it: the request path is decoded,
 * normalised and resolved against the real path of the folder, so `..`, encoded slashes and
 * symlinks that point outside are all refused.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { extname, posix, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export type StaticLookup =
  | { kind: 'file'; path: string; size: number; contentType: string }
  | { kind: 'not-found' }
  | { kind: 'bad-path' };

/** Finds the file a URL path names inside root, or says why not. */
export async function lookupStatic(root: string, urlPath: string): Promise<StaticLookup> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { kind: 'bad-path' };
  }
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').includes('..')) {
    return { kind: 'bad-path' };
  }
  const normalised = posix.normalize(decoded);
  if (!normalised.startsWith('/')) return { kind: 'bad-path' };
  const relative = normalised.slice(1);
  if (relative === '' || relative.endsWith('/')) return { kind: 'not-found' };
  if (relative.split('/').some((segment) => segment.startsWith('.'))) return { kind: 'not-found' };

  let realRoot: string;
  let realFile: string;
  try {
    realRoot = await realpath(root);
    realFile = await realpath(resolve(realRoot, relative));
  } catch {
    return { kind: 'not-found' };
  }
  if (!realFile.startsWith(realRoot + sep)) return { kind: 'bad-path' };
  const info = await stat(realFile).catch(() => null);
  if (!info?.isFile()) return { kind: 'not-found' };
  const contentType = CONTENT_TYPES[extname(realFile).toLowerCase()] ?? 'application/octet-stream';
  return { kind: 'file', path: realFile, size: info.size, contentType };
}

export function openStatic(path: string) {
  return createReadStream(path);
}
