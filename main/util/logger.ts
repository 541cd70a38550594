/**
 * The logging interface every module receives. The real implementation (winston, console plus a
 * daily-rotated file, with redaction) lives in main/logging/; tests pass silentLogger or a
 * collecting logger.
 */
export type LogMeta = Record<string, unknown>;

export interface Logger {
  debug(message: string, meta?: LogMeta): void;
  info(message: string, meta?: LogMeta): void;
  warn(message: string, meta?: LogMeta): void;
  error(message: string, meta?: LogMeta): void;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  meta?: LogMeta;
}

/** A logger that keeps what it receives; for tests. */
export function collectingLogger(): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const at =
    (level: LogRecord['level']) =>
    (message: string, meta?: LogMeta): void => {
      records.push(meta === undefined ? { level, message } : { level, message, meta });
    };
  return { records, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
