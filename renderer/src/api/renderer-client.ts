/**
 * The renderer's one client of the contract. Two implementations: Electron IPC through the preload
 * (`window.magnus`) and HTTP + server-sent events against the headless server. Errors travel as
 * CallResult data on both; `call` resolves with the value or rejects with the CallFailure the
 * result carries (code, message, and per-field messages of an invalid request), which the UI shows.
 */
import { CallFailure } from '../../../shared/call-result.js';
import type { ContractClient } from '../../../shared/contract.js';

export { CallFailure, isCallResult, unwrapResult } from '../../../shared/call-result.js';

/** Whether pushed events can currently arrive. */
export type ConnectionState = 'connected' | 'reconnecting' | 'signed-out';

export interface RendererClient extends ContractClient {
  readonly transport: 'ipc' | 'http';
  /** Reports connection changes; `reconnected` is true when events may have been missed. */
  onConnection(listener: (state: ConnectionState, reconnected: boolean) => void): () => void;
}

/** A message for any failure, in words: CallFailures keep theirs, anything else gets a generic one. */
export function messageOf(error: unknown): string {
  if (error instanceof CallFailure) return error.message;
  return 'Something went wrong talking to Magnus Sync.';
}
