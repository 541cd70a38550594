export { accountKeysFor, maskAccountNumber } from './account-keys.js';
export type { HeldFileLogger } from './held-file-logger.js';
export { createHeldFileLogger } from './held-file-logger.js';
export type { AppLogger, CreateLoggerOptions, LogLevel, RootLogger } from './logger.js';
export { createLogger, LOG_FILE_PATTERN, LOG_LEVELS, logFileName } from './logger.js';
export type { RedactValueOptions } from './redactor.js';
export { isSecretKey, REDACTED, Redactor } from './redactor.js';
