/**
 * Every migration, in order. A static list (no folder scan) so it works from tsc output, from a
 * bundle and inside an Electron asar. Append new steps; never edit a released one.
 */
import { initialSchema } from './0001_initial.js';
import { runRecords } from './0002_run_records.js';
import { historySourceAndQuarantine } from './0003_history_quarantine.js';
import type { StoreMigration } from './types.js';

export const MIGRATIONS: readonly StoreMigration[] = [initialSchema, runRecords, historySourceAndQuarantine];
