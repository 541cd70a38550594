/**
 * The renderer's one client of the contract. Two implementations: Electron IPC through the preload
 * (`window.magnus`) and HTTP + server-sent events against the headless server. Errors travel as
 * CallResult data on both; `call` turns an error result into a CallError the UI can show.
 */
import type { CallErrorCode, CallResult, ContractClient } from '../../../shared/contract.js';

export class CallError extends Error {
  constructor(
    readonly code: CallErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CallError';
  }
}

/** Whether pushed events can currently arrive. */
export type ConnectionState = 'connected' | 'reconnecting' | 'signed-out';

export interface RendererClient extends ContractClient {
  readonly transport: 'ipc' | 'http';
  /** Reports connection changes; `reconnected` is true when events may have been missed. */
  onConnection(listener: (state: ConnectionState, reconnected: boolean) => void): () => void;
}

export function unwrap<T>(result: CallResult<T>): T {
  if (result.ok) return result.value;
  throw new CallError(result.error.code, result.error.message);
}

export function isCallResult(value: unknown): value is CallResult<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  const v = value as { ok: unknown; error?: { code?: unknown; message?: unknown } };
  if (v.ok === true) return 'value' in value;
  return v.ok === false && typeof v.error?.code === 'string' && typeof v.error.message === 'string';
}

/** A message for any failure, in words: CallErrors keep theirs, anything else gets a generic one. */
export function messageOf(error: unknown): string {
  if (error instanceof CallError) return error.message;
  return 'Something went wrong talking to Magnus Sync.';
}
