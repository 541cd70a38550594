/**
 * The one dispatcher of the contract: every transport (Electron IPC, HTTP, the engine relay) hands
 * a call's name and payload to `dispatch` and carries back the CallResult it answers.
 *
 * It finds the call, validates the payload with the call's own zod schema (nothing reaches a
 * handler unvalidated), runs the handler, and turns a failure into the one failure shape: a
 * CallFailure thrown by a handler keeps its code, message and fields; anything else is `internal`,
 * its message goes to the (redacting) log only and the window reads that the log has the details.
 */
import type { z } from 'zod';
import { isCallName } from '../../shared/call-names.js';
import { CallFailure, type CallResult, type FieldMessages } from '../../shared/call-result.js';
import { calls, type Handlers } from '../../shared/contract.js';
import type { Logger } from '../util/logger.js';

export interface DispatchOptions {
  logger: Logger;
  /** Names the transport in the log line of an internal failure ("ipc", "web server", …). */
  via: string;
}

export async function dispatch(
  handlers: Handlers,
  name: string,
  payload: unknown,
  o: DispatchOptions,
): Promise<CallResult<unknown>> {
  if (!isCallName(name))
    return failed(
      new CallFailure(
        'unknown-call',
        `There is no call named "${name.replace(/[^\w-]/g, '').slice(0, 64)}".`,
      ),
    );
  const parsed = calls[name].request.safeParse(payload ?? {});
  if (!parsed.success) return failed(invalidRequest(parsed.error));
  const handler = handlers[name] as (request: unknown) => Promise<unknown>;
  try {
    return { ok: true, value: await handler(parsed.data) };
  } catch (error) {
    if (error instanceof CallFailure) return failed(error);
    // The message may come from deep inside the engine; it goes to the log only.
    o.logger.error(`${o.via}: call ${name} failed`, {
      error: error instanceof Error ? error.message : String(error),
    });
    return failed(new CallFailure('internal', `The ${name} call failed; the log has the details.`));
  }
}

function failed(failure: CallFailure): CallResult<never> {
  return { ok: false, error: failure.info() };
}

/**
 * "Invalid request: syncIntervalSeconds: Sync interval must be …; Unknown field(s): x." with the
 * same messages per field (the first segment of the path; "form" for what is not one field).
 */
export function invalidRequest(error: z.ZodError): CallFailure {
  const fields: FieldMessages = {};
  const parts = error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const message = `Unknown field(s): ${issue.keys.join(', ')}.`;
      fields.form ??= message;
      return message;
    }
    const path = issue.path.map(String).join('.');
    fields[issue.path.length > 0 ? String(issue.path[0]) : 'form'] ??= issue.message;
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  return new CallFailure('invalid-request', `Invalid request: ${parts.join('; ')}`, fields);
}
