/**
 * One way to read an error's message. Loggers take the error itself under the `error` key
 * (`logger.warn('…', { error })`): the logging redactor writes its name, message and code, and the
 * stack only at debug level.
 */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
