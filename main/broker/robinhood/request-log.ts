/**
 * Every HTTP request one login sends (login, refresh and retries included), so the engine can report
 * how many requests a cycle cost and tests can assert exact counts.
 */

export interface RequestLogEntry {
  /** 0-based sequence number over the life of the log. */
  seq: number;
  /** Wall-clock time the request was sent (ISO-8601). */
  at: string;
  method: string;
  /** Pathname only, account numbers masked, no query string. */
  path: string;
  /** HTTP status, or null when no response arrived. */
  status: number | null;
  /** Error kind when no response arrived ('network', 'timeout', 'aborted'). */
  error: string | null;
  durationMs: number;
  /** 1 for the first try, 2+ for retries and the replay after a token refresh. */
  attempt: number;
}

export type RequestLogListener = (entry: RequestLogEntry) => void;

export interface RequestLogSummary {
  total: number;
  /** Requests by status ("200", "429", …) or error kind ("network", "timeout", …). */
  byOutcome: Record<string, number>;
  retries: number;
}

export class RequestLog {
  readonly #capacity: number;
  readonly #entries: RequestLogEntry[] = [];
  readonly #listeners = new Set<RequestLogListener>();
  #total = 0;
  #retries = 0;
  readonly #byOutcome = new Map<string, number>();

  /** Keeps the last `capacity` entries in memory; counts are exact regardless. */
  constructor(capacity = 5000) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('RequestLog capacity must be a positive integer');
    this.#capacity = capacity;
  }

  record(entry: Omit<RequestLogEntry, 'seq'>): RequestLogEntry {
    const full: RequestLogEntry = { seq: this.#total, ...entry };
    this.#total += 1;
    if (entry.attempt > 1) this.#retries += 1;
    const outcome = entry.status === null ? (entry.error ?? 'unknown') : String(entry.status);
    this.#byOutcome.set(outcome, (this.#byOutcome.get(outcome) ?? 0) + 1);
    this.#entries.push(full);
    if (this.#entries.length > this.#capacity) this.#entries.shift();
    for (const listener of this.#listeners) listener(full);
    return full;
  }

  /** A position in the log; pass it to countSince/entriesSince. */
  mark(): number {
    return this.#total;
  }

  countSince(mark: number): number {
    return this.#total - mark;
  }

  /** The entries recorded since `mark` that are still held in memory. */
  entriesSince(mark: number): RequestLogEntry[] {
    return this.#entries.filter((entry) => entry.seq >= mark);
  }

  get total(): number {
    return this.#total;
  }

  /** The most recent entries, oldest first. */
  recent(limit = 100): RequestLogEntry[] {
    return this.#entries.slice(-limit);
  }

  summary(): RequestLogSummary {
    return { total: this.#total, byOutcome: Object.fromEntries(this.#byOutcome), retries: this.#retries };
  }

  /** Called for every new entry (metrics); returns an unsubscribe function. */
  subscribe(listener: RequestLogListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
