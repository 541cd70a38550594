/**
 * What moves inside one step of a cycle: requests sent, listing pages read, the oldest day the
 * order history has reached (orders come newest first) and the time spent waiting on the rate
 * limit. It listens to the broker connection (request log, pages, rate-limit waits) and reports
 * through the cycle's own progress callback, so it rides on the engine's status events: every
 * report is pushed, nothing is polled.
 */
import type { StepActivity, SyncProgress } from '../../shared/models.js';
import type { ListingPage } from '../broker/robinhood/index.js';
import { nyDate } from '../domain/market-time.js';

/** What a broker connection offers to watch; a connection without the optional parts reports less. */
export interface ActivitySource {
  requestLog: { subscribe(listener: () => void): () => void };
  onPage?(listener: (page: ListingPage) => void): () => void;
  onRateLimitWait?(listener: (waitMs: number) => void): () => void;
}

/** The listings whose pages walk back through the trade history (newest first). */
const HISTORY_LISTINGS = new Set(['/orders/', '/options/orders/']);

/** The oldest `created_at` among a page's items, as a New York date; null when none is readable. */
export function oldestCreatedDate(items: readonly unknown[]): string | null {
  let oldest: number | null = null;
  for (const item of items) {
    const created = (item as { created_at?: unknown } | null)?.created_at;
    if (typeof created !== 'string') continue;
    const at = Date.parse(created);
    if (!Number.isNaN(at) && (oldest === null || at < oldest)) oldest = at;
  }
  return oldest === null ? null : nyDate(new Date(oldest));
}

export class StepActivityTracker {
  private current: SyncProgress | null = null;
  private activity: StepActivity = fresh();
  private moved = false;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    source: ActivitySource,
    private readonly report: (progress: SyncProgress) => void,
  ) {
    this.unsubscribe.push(
      source.requestLog.subscribe(() => {
        this.activity.requests += 1;
        this.moved = true;
        // A request alone is reported with the next page or wait: one status event per page, not two.
      }),
    );
    if (source.onPage) this.unsubscribe.push(source.onPage((page) => this.page(page)));
    if (source.onRateLimitWait)
      this.unsubscribe.push(
        source.onRateLimitWait((ms) => {
          this.activity.rateLimitWaitMs += ms;
          this.moved = true;
          this.emit();
        }),
      );
  }

  /** A new step begins: its counters start at zero. */
  step = (progress: SyncProgress): void => {
    this.current = progress;
    this.activity = fresh();
    this.moved = false;
    this.report(progress);
  };

  /** Stops listening (the cycle is over). */
  stop(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.current = null;
  }

  private page(page: ListingPage): void {
    this.activity.pages += 1;
    this.moved = true;
    if (HISTORY_LISTINGS.has(page.path)) {
      const oldest = oldestCreatedDate(page.items);
      const reached = this.activity.reachedDate;
      if (oldest !== null && (reached === null || oldest < reached)) this.activity.reachedDate = oldest;
    }
    this.emit();
  }

  private emit(): void {
    if (!this.current || !this.moved) return;
    this.report({ ...this.current, activity: { ...this.activity } });
  }
}

function fresh(): StepActivity {
  return { requests: 0, pages: 0, reachedDate: null, rateLimitWaitMs: 0 };
}
