/**
 * One call of the contract over HTTP: the shared dispatcher (main/runtime/dispatch.ts) answers it, and
 * this module only picks the HTTP status for the CallResult.
 */
import type { CallErrorCode, CallResult } from '../../shared/call-result.js';
import type { Handlers } from '../../shared/contract.js';
import { dispatch } from '../runtime/dispatch.js';
import type { Logger } from '../util/logger.js';

export interface DispatchOutcome {
  status: number;
  result: CallResult<unknown>;
}

const HTTP_STATUS: Record<CallErrorCode, number> = {
  'invalid-request': 400,
  forbidden: 403,
  'unknown-call': 404,
  refused: 409,
  unavailable: 503,
  internal: 500,
};

export function failure(code: CallErrorCode, message: string): DispatchOutcome {
  return { status: HTTP_STATUS[code], result: { ok: false, error: { code, message } } };
}

export async function dispatchCall(
  handlers: Handlers,
  name: string,
  body: unknown,
  logger: Logger,
): Promise<DispatchOutcome> {
  const result = await dispatch(handlers, name, body, { logger, via: 'web server' });
  return { status: result.ok ? 200 : HTTP_STATUS[result.error.code], result };
}
