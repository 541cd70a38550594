/**
 * A logger whose log file is opened only once the configuration is known to be good: until then
 * records go to the console and are held; openFile() writes the held records to the file and every
 * later one too. A command that ends on a configuration error so writes nothing (no log folder).
 */
import type { LogMeta } from '../util/logger.js';
import { type AppLogger, type CreateLoggerOptions, createLogger, type RootLogger } from './logger.js';

/** Records held before the file opens; a misconfigured start never gets near this many. */
const MAX_HELD = 1000;

type Level = 'debug' | 'info' | 'warn' | 'error';

export interface HeldFileLogger extends RootLogger {
  /** Opens the log file in `logDir` and writes what was held. Later calls do nothing. */
  openFile(): void;
}

export function createHeldFileLogger(options: CreateLoggerOptions & { logDir: string }): HeldFileLogger {
  const consoleLogger = createLogger({ ...options, logDir: null });
  let file: RootLogger | null = null;
  const held: Array<{ level: Level; message: string; meta: LogMeta }> = [];

  const write = (level: Level, message: string, meta: LogMeta): void => {
    consoleLogger[level](message, meta);
    if (file) file[level](message, meta);
    else if (held.length < MAX_HELD) held.push({ level, message, meta: { ...meta, heldAt: new Date() } });
  };
  const make = (base: LogMeta): AppLogger => ({
    debug: (message, meta) => write('debug', message, { ...base, ...meta }),
    info: (message, meta) => write('info', message, { ...base, ...meta }),
    warn: (message, meta) => write('warn', message, { ...base, ...meta }),
    error: (message, meta) => write('error', message, { ...base, ...meta }),
    child: (meta) => make({ ...base, ...meta }),
  });
  return {
    ...make({}),
    openFile() {
      if (file) return;
      file = createLogger({ ...options, console: false });
      for (const r of held.splice(0)) file[r.level](r.message, r.meta);
    },
    async close() {
      await Promise.all([consoleLogger.close(), file?.close()]);
    },
    logFileProblem: () => file?.logFileProblem() ?? null,
  };
}
