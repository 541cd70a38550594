/**
 * How every call of the contract answers, on every transport (IPC, HTTP, the engine relay): one
 * result type, and one way for a handler to say no.
 *
 * Dependency-free (the preload and the renderer use it as well as the main process).
 */

/**
 * Why a call failed:
 * - `invalid-request`: the payload is not valid; `fields` says which field is wrong and why.
 * - `refused`: the request was understood and could not be done (log in first, the database is
 *   unreachable, the keychain is unavailable); the message says why.
 * - `unknown-call`, `forbidden` (a window that may not call), `unavailable` (the engine is
 *   restarting or stopping), `internal` (a bug or an unexpected failure; details only in the log).
 */
export const CALL_ERROR_CODES = [
  'invalid-request',
  'refused',
  'unknown-call',
  'forbidden',
  'unavailable',
  'internal',
] as const;
export type CallErrorCode = (typeof CALL_ERROR_CODES)[number];

/** Field name (or "form") → a message to show next to it. */
export type FieldMessages = Record<string, string>;

export interface CallErrorInfo {
  code: CallErrorCode;
  /** One line, safe to show (never a secret, never a stack trace). */
  message: string;
  /** Per-field messages of an `invalid-request`, when the failure is about fields. */
  fields?: FieldMessages;
}

/** Errors cross a transport as data, never as stack traces. */
export type CallResult<T> = { ok: true; value: T } | { ok: false; error: CallErrorInfo };

/**
 * A call that did not succeed, as a handler throws it and the renderer's client rethrows it. Its
 * message and fields reach the window unchanged; any other error becomes `internal`.
 */
export class CallFailure extends Error {
  readonly fields: FieldMessages | undefined;

  constructor(
    readonly code: CallErrorCode,
    message: string,
    fields?: FieldMessages,
  ) {
    super(message);
    this.name = 'CallFailure';
    this.fields = fields;
  }

  /** An `invalid-request` about fields; the message lists them ("field: message; …"). */
  static invalid(fields: FieldMessages): CallFailure {
    const parts = Object.entries(fields).map(([field, message]) =>
      field === 'form' ? message : `${field}: ${message}`,
    );
    return new CallFailure('invalid-request', `Invalid request: ${parts.join('; ')}`, fields);
  }

  static refused(message: string): CallFailure {
    return new CallFailure('refused', message);
  }

  info(): CallErrorInfo {
    return { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) };
  }
}

export function isCallErrorCode(value: unknown): value is CallErrorCode {
  return typeof value === 'string' && (CALL_ERROR_CODES as readonly string[]).includes(value);
}

/** Whether a value that came over a transport is a CallResult. */
export function isCallResult(value: unknown): value is CallResult<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  const v = value as { ok: unknown; error?: { code?: unknown; message?: unknown; fields?: unknown } };
  if (v.ok === true) return 'value' in value;
  return (
    v.ok === false &&
    isCallErrorCode(v.error?.code) &&
    typeof v.error.message === 'string' &&
    (v.error.fields === undefined || (typeof v.error.fields === 'object' && v.error.fields !== null))
  );
}

/** A result back into a value, or the CallFailure it carries. */
export function unwrapResult<T>(result: CallResult<T>): T {
  if (result.ok) return result.value;
  throw new CallFailure(result.error.code, result.error.message, result.error.fields);
}
