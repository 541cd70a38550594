export { accountKeysFor, maskAccountNumber } from '../domain/account-keys.js';
export type { AppLogger, CreateLoggerOptions, LogLevel, RootLogger } from './logger.js';
export { createLogger, LOG_FILE_PATTERN, LOG_LEVELS, logFileName } from './logger.js';
export type { RedactValueOptions } from './redactor.js';
export { isSecretKey, REDACTED, Redactor } from './redactor.js';
