/**
 * Whether a PostgreSQL error means "not reachable (yet)": the server is down, starting, restarting
 * or the network is not up. Such a failure is retried; a wrong password, a missing database or role,
 * or a host name that does not exist is a configuration error and is not.
 */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EAI_AGAIN',
  'EPIPE',
  // SQLSTATE: cannot_connect_now (starting up or shutting down), admin_shutdown, crash_shutdown.
  '57P03',
  '57P01',
  '57P02',
]);

export function isUnreachable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
    const message = e instanceof Error ? e.message : '';
    if (/Connection terminated|timeout expired|timeout exceeded when trying to connect/i.test(message))
      return true;
    const inner = (e as { errors?: unknown[] }).errors;
    if (Array.isArray(inner) && inner.some((x) => isUnreachable(x))) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
