export type { HeldFileLogger } from './held-file-logger.js';
export { createHeldFileLogger } from './held-file-logger.js';
export type { AppLogger, CreateLoggerOptions, LogLevel, RootLogger } from './logger.js';
export { createLogger, logFileName } from './logger.js';
export type { RedactValueOptions } from './redactor.js';
export { Redactor } from './redactor.js';
