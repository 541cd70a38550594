/**
 * The one seam through which test tools change how the simulator answers: a hook sees each request
 * after the latency, size and rate-limit checks and before the routes, and may answer it, drop it,
 * hold it, delay it, expire its token or rewrite the routed answer's body. Fault injection
 * (test/simulator-tools/faults.ts) is such a hook; the demo runs without one.
 */
import type { Reply } from './routing.js';

export interface HookedRequest {
  method: string;
  path: string;
  /** Expires the bearer token this request carries (it then gets the broker's 401). */
  expireAccessToken(): void;
}

export type HookAction =
  /** Answer with this reply instead of the routes. */
  | { kind: 'answer'; reply: Reply }
  /** Reset the connection without an answer. */
  | { kind: 'drop' }
  /** Never answer (the connection stays open until the client gives up or the simulator closes). */
  | { kind: 'hold' }
  /**
   * Let the routes answer, after `delayMs`, with the body written by `writeBody` (default
   * JSON.stringify) when the answer has one.
   */
  | { kind: 'pass'; delayMs?: number; writeBody?: (body: unknown) => string };

/** Null lets the request through untouched. */
export type RequestHook = (request: HookedRequest) => HookAction | null;
