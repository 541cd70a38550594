/**
 * Errors in messages and in log lines, one way each.
 *
 * A log line carries an error as `logger.warn('…', errorMeta(error))`, which every logger writes as
 * `{ error: { kind, message, code?, cause? } }` (and `stack` only at debug level): `kind` is the
 * class name of an Error (`TypeError`, `DatabaseFailure`) or the `kind` of a classified cycle error
 * (`network`, `database`). The logging redactor (main/logging/redactor.ts) renders Errors through
 * describeError, and removes secrets from every field.
 */

/** The fields of a logged error, before the redactor adds `stack` (debug) and `cause`. */
export interface LoggedError {
  kind: string;
  message: string;
  code?: string | number;
}

/** One way to read an error's message. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The kind and message of anything thrown or reported as an error. */
export function describeError(error: unknown): LoggedError {
  if (error instanceof Error) {
    const described: LoggedError = { kind: error.name, message: error.message };
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' || typeof code === 'number') described.code = code;
    return described;
  }
  if (typeof error === 'object' && error !== null) {
    const { kind, message } = error as { kind?: unknown; message?: unknown };
    if (typeof message === 'string') return { kind: typeof kind === 'string' ? kind : 'error', message };
  }
  return { kind: 'thrown', message: String(error) };
}

/**
 * A log line's meta for an error: `{ error }`. An Error is passed as it is (the redactor writes its
 * kind, message, code and cause, and its stack at debug level); anything else is described.
 */
export function errorMeta(error: unknown): { error: Error | LoggedError } {
  return { error: error instanceof Error ? error : describeError(error) };
}
