/**
 * A logger for the few things that happen before the runtime (which owns the real, redacting file
 * logger) exists: it keeps the records, and hands them and everything after to the real logger
 * once attached.
 */
import type { Logger, LogMeta, LogRecord } from '../util/logger.js';

export function deferredLogger(): Logger & { attach(target: Logger): void } {
  let target: Logger | null = null;
  const pending: LogRecord[] = [];
  const at =
    (level: LogRecord['level']) =>
    (message: string, meta?: LogMeta): void => {
      if (target) target[level](message, meta);
      else pending.push(meta === undefined ? { level, message } : { level, message, meta });
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    attach(next: Logger) {
      target = next;
      for (const r of pending.splice(0)) next[r.level](r.message, r.meta);
    },
  };
}
