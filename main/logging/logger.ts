/**
 * The app's logger: winston with a console transport (stderr) and, when a log folder is given, a
 * daily-rotated JSON-lines file. Every message and every meta value passes the redactor first, in
 * one winston format that runs before any transport sees the record.
 *
 * Logging must never take the app down: a log file that cannot be written (folder missing or not
 * writable, disk full) is reported once on the console and dropped; the console keeps working and
 * no call ever throws into the caller.
 */
import winston from 'winston';
import DailyRotateFile from 'winston-daily-rotate-file';
import { errorMessage } from '../util/errors.js';
import type { Logger, LogMeta } from '../util/logger.js';
import type { Redactor } from './redactor.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** winston-daily-rotate-file pattern; %DATE% is the local date, YYYY-MM-DD. */
export const LOG_FILE_PATTERN = 'magnus-sync-%DATE%.log';

/** The name of the log file written on `date` (local time, as the rotation uses). */
export function logFileName(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  return LOG_FILE_PATTERN.replace('%DATE%', day);
}

export interface CreateLoggerOptions {
  /** Folder of the rotated log files; null logs to the console only. */
  logDir: string | null;
  level?: LogLevel;
  /** true: human-readable lines; 'json': JSON lines (for log collectors); false: no console output. */
  console?: boolean | 'json';
  redactor: Redactor;
  /** Where console lines go; process.stderr unless a host or a test passes another stream. */
  consoleStream?: NodeJS.WritableStream;
}

export interface AppLogger extends Logger {
  /** A logger that adds `meta` to every record (the call's own meta wins on conflicts). */
  child(meta: LogMeta): AppLogger;
}

export interface RootLogger extends AppLogger {
  /** Flushes the log file and stops; later calls are ignored. */
  close(): Promise<void>;
  /** Why the log file is not being written (redacted), or null while it is. */
  logFileProblem(): string | null;
}

/** Keys winston uses for its own fields; meta keys with these names are kept under another name. */
const RESERVED_KEYS = new Set(['level', 'message', 'timestamp']);
const CLOSE_TIMEOUT_MS = 5000;

export function createLogger(options: CreateLoggerOptions): RootLogger {
  const { redactor, logDir } = options;
  const level = options.level ?? 'info';
  const consoleMode = options.console ?? true;
  // Stack traces point into our code and may quote data; they are only worth it when debugging.
  const stacks = level === 'debug';

  const redactRecord = winston.format((info) => {
    info.message = redactor.redact(typeof info.message === 'string' ? info.message : String(info.message));
    const meta: Record<string, unknown> = {};
    for (const key of Object.keys(info)) {
      if (key === 'level' || key === 'message') continue;
      meta[key] = info[key];
      delete info[key];
    }
    Object.assign(info, redactor.redactValue(meta, { stacks }));
    return info;
  });

  const transports: winston.transport[] = [];
  let consoleTransport: winston.transport | null = null;
  if (consoleMode !== false) {
    consoleTransport = new winston.transports.Stream({
      stream: options.consoleStream ?? process.stderr,
      format: consoleMode === 'json' ? winston.format.json() : humanLine,
    });
    transports.push(consoleTransport);
  }

  let fileProblem: string | null = null;
  let file: DailyRotateFile | null = null;
  let pendingProblem: string | null = null;
  if (logDir !== null) {
    try {
      file = new DailyRotateFile({
        dirname: logDir,
        filename: LOG_FILE_PATTERN,
        datePattern: 'YYYY-MM-DD',
        maxFiles: '14d',
        maxSize: '10m',
        zippedArchive: true,
        format: winston.format.json(),
      });
      transports.push(file);
    } catch (error) {
      pendingProblem = describeFileProblem(logDir, error);
    }
  }

  const w = winston.createLogger({
    level,
    levels: winston.config.npm.levels,
    format: winston.format.combine(redactRecord(), winston.format.timestamp()),
    transports,
    exitOnError: false,
  });

  const report = (problem: string): void => {
    fileProblem = redactor.redact(problem);
    if (consoleTransport) {
      w.log({ level: 'warn', message: problem });
    } else {
      try {
        process.stderr.write(`${fileProblem}\n`);
      } catch {
        // Nowhere left to report to.
      }
    }
  };

  const fileFailed = (error: unknown): void => {
    if (!file || fileProblem !== null || logDir === null) return;
    const failed = file;
    report(describeFileProblem(logDir, error));
    try {
      w.remove(failed);
    } catch {
      // Already detached.
    }
  };

  if (file) {
    // file-stream-rotator emits write errors on its own stream, which the transport does not
    // forward: without this listener a full disk would crash the process.
    (file as unknown as { logStream: NodeJS.EventEmitter }).logStream.on('error', fileFailed);
  }
  w.on('error', (error: unknown, transport?: unknown) => {
    if (file && transport === file) fileFailed(error);
  });
  if (pendingProblem !== null) report(pendingProblem);

  let closed = false;
  let closing: Promise<void> | null = null;

  const write = (lvl: LogLevel, message: string, base: LogMeta, meta: LogMeta | undefined): void => {
    if (closed) return;
    try {
      const record: Record<string, unknown> = {};
      for (const [key, value] of Object.entries({ ...base, ...meta })) {
        record[RESERVED_KEYS.has(key) ? `_${key}` : key] = value;
      }
      record.level = lvl;
      record.message = message;
      w.log(record as winston.LogEntry);
    } catch {
      // A log call never throws into the caller.
    }
  };

  const make = (base: LogMeta): AppLogger => ({
    debug: (message, meta) => write('debug', message, base, meta),
    info: (message, meta) => write('info', message, base, meta),
    warn: (message, meta) => write('warn', message, base, meta),
    error: (message, meta) => write('error', message, base, meta),
    child: (meta) => make({ ...base, ...meta }),
  });

  const close = (): Promise<void> => {
    closing ??= (async () => {
      closed = true;
      await withTimeout(
        new Promise<void>((resolve) => {
          w.once('finish', () => resolve());
          w.end();
        }),
      );
      const stream =
        file && fileProblem === null
          ? (file as unknown as { logStream: NodeJS.WritableStream }).logStream
          : null;
      if (stream) await withTimeout(new Promise<void>((resolve) => stream.end(() => resolve())));
    })();
    return closing;
  };

  return { ...make({}), close, logFileProblem: () => fileProblem };
}

const humanLine = winston.format.printf((info) => {
  const { level, message, timestamp, ...meta } = info;
  const rest = Object.keys(meta).length > 0 ? ` ${JSON.stringify(meta)}` : '';
  return `${String(timestamp)} ${String(level).toUpperCase().padEnd(5)} ${String(message)}${rest}`;
});

function describeFileProblem(logDir: string, error: unknown): string {
  const reason = errorMessage(error);
  return `The log file in ${logDir} cannot be written (${reason}); logging continues on the console only.`;
}

function withTimeout(promise: Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
    timer.unref?.();
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}
