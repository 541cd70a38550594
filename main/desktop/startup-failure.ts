/**
 * When the desktop app cannot start, the user is told, and the reason is kept: the runtime's file
 * logger may not exist yet (it is created with the runtime), so this writes its own record to
 * <dataDir>/logs/startup-error.log (the folder "Open log folder" opens) and shows a native error
 * box with the reason and that file's path. Everything written or shown passes the redactor.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redactor } from '../logging/redactor.js';
import { dataPaths } from '../runtime/paths.js';
import { errorMessage } from '../util/errors.js';

export const STARTUP_ERROR_LOG = 'startup-error.log';
export const STARTUP_ERROR_TITLE = 'Magnus Sync could not start';

export interface StartupFailureOptions {
  error: unknown;
  dataDir: string;
  /** Electron's dialog.showErrorBox (works before and after the app is ready). */
  showErrorBox(title: string, content: string): void;
  now?: () => Date;
  redactor?: Redactor;
}

/** Writes the failure to the startup log and shows it; returns the log file, or null if unwritable. */
export function reportStartupFailure(o: StartupFailureOptions): string | null {
  const redactor = o.redactor ?? new Redactor();
  const reason = redactor.redact(reasonOf(o.error));
  const detail = o.error instanceof Error && o.error.stack ? redactor.redact(o.error.stack) : reason;
  const logFile = join(dataPaths(o.dataDir).logDir, STARTUP_ERROR_LOG);
  let written: string | null = logFile;
  try {
    mkdirSync(dataPaths(o.dataDir).logDir, { recursive: true });
    appendFileSync(logFile, `${(o.now?.() ?? new Date()).toISOString()} startup failed: ${detail}\n`);
  } catch {
    written = null;
  }
  const where = written
    ? `The details are in ${written}.`
    : `The details could not be written to ${logFile} either.`;
  o.showErrorBox(STARTUP_ERROR_TITLE, `${reason}\n\n${where}`);
  return written;
}

/** The error's first line: what a user can act on. */
function reasonOf(error: unknown): string {
  const text = errorMessage(error);
  return text.split('\n')[0]?.trim() || 'unknown error';
}
