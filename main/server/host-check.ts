/**
 * DNS-rebinding and cross-site defences: the Host header must name this server, and a request that
 * changes state must not come from another origin.
 */
import { isIP } from 'node:net';

/** True for addresses that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

function isWildcard(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === '0.0.0.0' || bare === '::' || bare === '';
}

/** How a host is written in a Host header or a URL (IPv6 in brackets). */
export function hostForUrl(host: string): string {
  const bare = host.replace(/^\[|\]$/g, '');
  return isIP(bare) === 6 ? `[${bare}]` : bare;
}

/**
 * The Host header values this server answers to: the loopback names with the bound port, the bound
 * address itself (unless it is a wildcard), and any configured names ("name" gets the port added;
 * "name:port" is taken as written).
 */
export function buildHostAllowList(
  bindHost: string,
  port: number,
  configured: readonly string[] = [],
): Set<string> {
  const allowed = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  if (!isWildcard(bindHost)) allowed.add(`${hostForUrl(bindHost).toLowerCase()}:${port}`);
  for (const entry of configured) {
    const name = entry.trim().toLowerCase();
    if (!name) continue;
    const hasPort = /^\[.*\]:\d+$/.test(name) || (/^[^[\]:]+:\d+$/.test(name) && !name.startsWith('['));
    allowed.add(hasPort ? name : `${hostForUrl(name)}:${port}`);
  }
  // Browsers leave the default port out of the Host header.
  if (port === 80) for (const entry of [...allowed]) allowed.add(entry.replace(/:80$/, ''));
  return allowed;
}

export function hostAllowed(hostHeader: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (!hostHeader) return false;
  return allowed.has(hostHeader.trim().toLowerCase());
}

/**
 * A state-changing request is same-origin when it has no Origin (curl, scripts with the bearer
 * token) or an Origin whose host is the Host it was sent to; `Sec-Fetch-Site: cross-site` is refused
 * too. A bearer token alone cannot be forged by another site, but the session cookie could be
 * replayed by one, which is what this check is for.
 */
export function sameOrigin(
  headers: { origin?: string | undefined; host?: string | undefined; 'sec-fetch-site'?: string | undefined },
  allowed: ReadonlySet<string>,
): boolean {
  const site = headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return false;
  const origin = headers.origin;
  if (origin === undefined) return true;
  if (origin === 'null') return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  const originHost = parsed.host.toLowerCase();
  return originHost === headers.host?.trim().toLowerCase() && allowed.has(originHost);
}
