/**
 * The cycle's error types and the one place that turns anything a cycle (or a login) can throw into
 * a CycleError the engine schedules by. Errors are classified where they arise: a store call is
 * wrapped in a DatabaseFailure naming the operation (cycle.ts `inStore`); the broker client throws
 * RobinhoodError kinds; the cycle throws CycleAborted, AuthWaiting and IncompleteData. Anything else
 * is a bug of ours and is reported as `internal`, never as a database failure.
 */
import type { AuthPrompt } from '../../shared/models.js';
import {
  AuthRequiredError,
  LoginBackoffError,
  RobinhoodError,
  ThrottledError,
} from '../broker/robinhood/index.js';
import { AccountLockError, StoreInputError, StoreOpenError } from '../store/index.js';
import { errorMessage } from '../util/errors.js';
import type { CycleError } from './cycle-types.js';

/** A store call failed; `operation` says which ("write the positions of ****4141"). */
export class DatabaseFailure extends Error {
  override readonly name = 'DatabaseFailure';
  constructor(
    readonly operation: string,
    cause: unknown,
  ) {
    super(`${operation}: ${databaseReason(errorMessage(cause))}`, { cause });
  }
}

/** The sync was stopped (shutdown): the open stream rolled back. */
export class CycleAborted extends Error {
  override readonly name = 'CycleAborted';
  constructor() {
    super('The sync was stopped before it finished; nothing of the open stream was written.');
  }
}

/** A verification is waiting for the user; the cycle cannot go on. */
export class AuthWaiting extends Error {
  override readonly name = 'AuthWaiting';
  constructor(readonly prompt: AuthPrompt) {
    super(prompt.message);
  }
}

/** The broker sent something we cannot write without losing data; the stream is not written. */
export class IncompleteData extends Error {
  override readonly name = 'IncompleteData';
}

/** Turns anything a cycle can throw into a kind the engine schedules by, with a safe message. */
export function classifyError(error: unknown, storeLocation: string): CycleError {
  if (error instanceof AuthWaiting)
    return { kind: 'auth', message: error.prompt.message, prompt: error.prompt };
  if (error instanceof CycleAborted) return { kind: 'aborted', message: error.message };
  if (error instanceof IncompleteData) return { kind: 'broker', message: error.message };
  if (error instanceof ThrottledError)
    return { kind: 'throttled', message: error.message, retryAt: error.retryAt };
  if (error instanceof AuthRequiredError)
    return { kind: 'auth', message: error.prompt.message, prompt: error.prompt };
  if (error instanceof LoginBackoffError) {
    return {
      kind: 'auth',
      message: error.message,
      retryAt: error.retryAt,
      prompt: { kind: 'credentials', message: error.message },
    };
  }
  if (error instanceof RobinhoodError) return classifyBrokerError(error);
  if (
    error instanceof DatabaseFailure ||
    error instanceof AccountLockError ||
    error instanceof StoreOpenError ||
    error instanceof StoreInputError
  ) {
    const reason = (error.message.split('\n')[0] ?? '').slice(0, 300);
    const where = storeLocation ? ` (${storeLocation})` : '';
    return { kind: 'database', message: `The database failed${where}: ${reason}` };
  }
  return { kind: 'internal', message: 'The sync failed unexpectedly; see the log for details.' };
}

function classifyBrokerError(error: RobinhoodError): CycleError {
  switch (error.kind) {
    case 'network':
      return { kind: 'network', message: `The broker could not be reached (${error.message}).` };
    case 'invalid-credentials':
    case 'verification-denied':
      return {
        kind: 'auth',
        message: error.message,
        prompt: { kind: 'credentials', message: error.message },
      };
    case 'aborted':
      return { kind: 'aborted', message: 'The sync was stopped before it finished.' };
    default:
      return { kind: 'broker', message: error.message };
  }
}

/** knex prefixes the statement (with its values) to the error; keep the database's own reason. */
function databaseReason(message: string): string {
  const first = message.split('\n')[0] ?? '';
  return first.includes(' - ') ? first.slice(first.lastIndexOf(' - ') + 3) : first;
}
