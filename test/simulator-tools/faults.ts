/**
 * Injected faults: which request a fault hits (method, path prefix or RegExp, `skip` matching
 * requests first, then `times` of them), what each kind does to it, and the body rewrites the
 * payload-level kinds do. `faultHook` plugs a FaultBook into the simulator's request hook.
 */
import type { HookAction, RequestHook } from '../../main/simulator/request-hook.js';
import { throttled } from '../../main/simulator/routing.js';

export type FaultMatch = { method?: string; path?: string | RegExp };

export type Fault = {
  match?: FaultMatch;
  /** How many matching requests fail; default 1, Infinity allowed. */
  times?: number;
  /** Let this many matching requests through first. */
  skip?: number;
} & (
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'throttle'; retryAfterSeconds?: number | null; message?: boolean }
  | { kind: 'reset' }
  | { kind: 'timeout' }
  | { kind: 'delay'; ms: number }
  | { kind: 'malformed' }
  | { kind: 'truncated' }
  | { kind: 'drop-field'; field: string }
  | { kind: 'rename-field'; from: string; to: string }
  | { kind: 'extra-fields' }
  | { kind: 'null-item' }
  | { kind: 'expire-token' }
);

interface Entry {
  fault: Fault;
  seen: number;
  applied: number;
}

export class FaultBook {
  #entries: Entry[] = [];

  inject(fault: Fault): void {
    const times = fault.times ?? 1;
    const skip = fault.skip ?? 0;
    if (!(times >= 0) || !(skip >= 0)) throw new RangeError('fault times and skip must be non-negative');
    this.#entries.push({ fault, seen: 0, applied: 0 });
  }

  clear(): void {
    this.#entries = [];
  }

  /**
   * The fault this request meets, if any. Every matching fault counts the request (for `skip`);
   * the first one (in injection order) that is due is applied.
   */
  take(method: string, path: string): Fault | null {
    let chosen: Entry | null = null;
    for (const entry of this.#entries) {
      if (!matches(entry.fault, method, path)) continue;
      entry.seen += 1;
      if (chosen) continue;
      const skip = entry.fault.skip ?? 0;
      const times = entry.fault.times ?? 1;
      if (entry.seen > skip && entry.applied < times) chosen = entry;
    }
    if (!chosen) return null;
    chosen.applied += 1;
    const times = chosen.fault.times ?? 1;
    if (chosen.applied >= times) this.#entries = this.#entries.filter((entry) => entry !== chosen);
    return chosen.fault;
  }
}

function matches(fault: Fault, method: string, path: string): boolean {
  const match = fault.match;
  if (!match) return true;
  if (match.method && match.method.toUpperCase() !== method.toUpperCase()) return false;
  if (match.path === undefined) return true;
  if (typeof match.path === 'string') return path.startsWith(match.path);
  match.path.lastIndex = 0;
  return match.path.test(path);
}

type Obj = Record<string, unknown>;

const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The objects a field fault rewrites: each item of `results`, else the body itself. */
function targets(body: unknown): Obj[] {
  if (isObj(body) && Array.isArray(body['results'])) return (body['results'] as unknown[]).filter(isObj);
  return isObj(body) ? [body] : [];
}

/** Walks a dotted path ("legs.0.strike_price" is not supported; "margin_balances.cash" is). */
function parentOf(target: Obj, field: string): [Obj, string] | null {
  const parts = field.split('.');
  let node: unknown = target;
  for (const part of parts.slice(0, -1)) {
    if (!isObj(node)) return null;
    node = node[part];
  }
  return isObj(node) ? [node, parts.at(-1) as string] : null;
}

/** Applies a payload-level fault to a JSON body (a deep copy is rewritten; the state is untouched). */
function rewriteBody(fault: Fault, body: unknown): unknown {
  const copy: unknown = body === undefined ? undefined : structuredClone(body);
  switch (fault.kind) {
    case 'drop-field':
      for (const target of targets(copy)) {
        const found = parentOf(target, fault.field);
        if (found) delete found[0][found[1]];
      }
      return copy;
    case 'rename-field':
      for (const target of targets(copy)) {
        const found = parentOf(target, fault.from);
        if (found && found[1] in found[0]) {
          found[0][fault.to.split('.').at(-1) as string] = found[0][found[1]];
          delete found[0][found[1]];
        }
      }
      return copy;
    case 'extra-fields':
      for (const target of targets(copy)) {
        target['sim_unknown_field'] = 'added by the simulator';
        target['sim_unknown_object'] = { nested: [1, 2, 3], flag: true };
      }
      return copy;
    case 'null-item':
      if (isObj(copy) && Array.isArray(copy['results']) && copy['results'].length > 0)
        copy['results'][0] = null;
      return copy;
    default:
      return copy;
  }
}

/** What a fault does to the request it hits. */
export function faultAction(fault: Fault, expireAccessToken: () => void): HookAction {
  switch (fault.kind) {
    case 'reset':
      return { kind: 'drop' };
    case 'timeout':
      return { kind: 'hold' };
    case 'delay':
      return { kind: 'pass', delayMs: fault.ms };
    case 'status':
      return {
        kind: 'answer',
        reply: {
          status: fault.status,
          body: fault.body === undefined ? { detail: `Simulated HTTP ${fault.status}.` } : fault.body,
          ...(fault.headers ? { headers: fault.headers } : {}),
        },
      };
    case 'throttle':
      return {
        kind: 'answer',
        reply: throttled(
          fault.retryAfterSeconds ?? 1,
          fault.retryAfterSeconds !== null,
          fault.message ?? true,
        ),
      };
    case 'expire-token':
      expireAccessToken();
      return { kind: 'pass' };
    case 'truncated':
      return {
        kind: 'pass',
        writeBody: (body) => {
          const text = JSON.stringify(body);
          return text.slice(0, Math.max(1, Math.floor(text.length / 2)));
        },
      };
    case 'malformed':
      return {
        kind: 'pass',
        writeBody: (body) => `{"results": [{"id": 'not json', ${JSON.stringify(body).slice(0, 40)}`,
      };
    default:
      return { kind: 'pass', writeBody: (body) => JSON.stringify(rewriteBody(fault, body)) };
  }
}

/** The simulator request hook that applies the faults injected into `book`. */
export function faultHook(book: FaultBook): RequestHook {
  return (request) => {
    const fault = book.take(request.method, request.path);
    return fault ? faultAction(fault, request.expireAccessToken) : null;
  };
}
