/**
 * What one sync cycle is asked to do and what it reports. The engine (engine.ts) schedules cycles;
 * the cycle runner (cycle.ts) talks to the broker and the store. Keeping this seam small lets the
 * state machine be reasoned about on its own.
 */
import type { AuthPrompt, RunStatus, SyncProgress, SyncTrigger } from '../../shared/models.js';

export type HistoryMode = 'if-due' | 'force' | 'skip';

export interface CycleRequest {
  trigger: SyncTrigger;
  /** 'if-due' runs the trade history when its interval has passed since its last commit. */
  historyMode: HistoryMode;
  /** Aborted on stop (SIGTERM, quit): the runner rolls back the open transaction and returns. */
  signal: AbortSignal;
  progress(progress: SyncProgress): void;
}

/** Why a cycle failed, as far as scheduling is concerned. */
export type CycleErrorKind =
  /** DNS, refused, unreachable: the machine is offline. Retried when the network returns. */
  | 'network'
  /** The broker throttled us; wait until `retryAt`. */
  | 'throttled'
  /** The user must act (credentials, code, approval); no retries until then. */
  | 'auth'
  /** The database is unreachable or failed. */
  | 'database'
  /** The broker answered with an error or a payload we cannot read. */
  | 'broker'
  /** The cycle was stopped (shutdown). */
  | 'aborted'
  | 'internal';

export interface CycleError {
  kind: CycleErrorKind;
  /** Safe to show and log: never a secret. */
  message: string;
  retryAt?: Date;
  prompt?: AuthPrompt;
}

export interface CycleCounts {
  accounts: number;
  stockPositions: number;
  optionPositions: number;
  orders: number;
  trades: number;
}

export interface CycleOutcome {
  status: RunStatus;
  trigger: SyncTrigger;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
  /** Every HTTP request the cycle made, login and retries included. */
  apiRequests: number;
  rowsWritten: number;
  /** Streams committed, e.g. ['positions:****4141', 'history:****4141'] (ACCOUNT_STREAM, HISTORY_STREAM). */
  streams: string[];
  /** Masked keys of accounts this cycle committed data for. */
  accounts: string[];
  /** Accounts skipped because another agent holds their lock. */
  skippedAccounts: string[];
  counts: CycleCounts;
  /** When the trade history is next due (null when unknown). */
  historyDueAt: Date | null;
  error: CycleError | null;
}

export interface CycleRunner {
  run(request: CycleRequest): Promise<CycleOutcome>;
}

/** A cycle that failed before it reached the broker or the store. */
export function failedCycle(
  trigger: SyncTrigger,
  startedAt: Date,
  finishedAt: Date,
  error: CycleError,
): CycleOutcome {
  return {
    status: 'failed',
    trigger,
    startedAt,
    finishedAt,
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    apiRequests: 0,
    rowsWritten: 0,
    streams: [],
    accounts: [],
    skippedAccounts: [],
    counts: { accounts: 0, stockPositions: 0, optionPositions: 0, orders: 0, trades: 0 },
    historyDueAt: null,
    error,
  };
}
