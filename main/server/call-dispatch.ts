/**
 * One call of the contract over HTTP: find it, validate its payload with the call's own zod schema,
 * run the runtime's handler, and wrap the outcome as a CallResult. Nothing reaches a handler
 * unvalidated, and a handler's failure never crosses the wire as a stack trace.
 */
import type { z } from 'zod';
import {
  CALL_NAMES,
  type CallErrorCode,
  type CallName,
  type CallResult,
  calls,
  type Handlers,
} from '../../shared/contract.js';
import { errorMeta } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

export interface DispatchOutcome {
  status: number;
  result: CallResult<unknown>;
}

const HTTP_STATUS: Record<CallErrorCode, number> = {
  'invalid-request': 400,
  forbidden: 403,
  'unknown-call': 404,
  unavailable: 503,
  internal: 500,
};

export function failure(code: CallErrorCode, message: string): DispatchOutcome {
  return { status: HTTP_STATUS[code], result: { ok: false, error: { code, message } } };
}

export function isCallName(name: string): name is CallName {
  return (CALL_NAMES as readonly string[]).includes(name);
}

/** "syncIntervalSeconds: Sync interval must be …; form: …" — the field first, then zod's message. */
export function describeIssues(error: z.ZodError): string {
  const parts = error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') return `Unknown field(s): ${issue.keys.join(', ')}.`;
    const path = issue.path.map(String).join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  return `Invalid request: ${parts.join('; ')}`;
}

export async function dispatchCall(
  handlers: Handlers,
  name: string,
  body: unknown,
  logger: Logger,
): Promise<DispatchOutcome> {
  if (!isCallName(name))
    return failure('unknown-call', `There is no call named "${name.replace(/[^\w-]/g, '').slice(0, 64)}".`);
  const parsed = calls[name].request.safeParse(body);
  if (!parsed.success) return failure('invalid-request', describeIssues(parsed.error));
  const handler = handlers[name] as (request: unknown) => Promise<unknown>;
  try {
    const value = await handler(parsed.data);
    return { status: 200, result: { ok: true, value } };
  } catch (error) {
    // The message may come from deep inside the engine; it goes to the (redacting) log only.
    logger.error(`web server: call ${name} failed`, errorMeta(error));
    return failure('internal', `The ${name} call failed; the log has the details.`);
  }
}
