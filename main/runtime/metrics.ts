/**
 * Prometheus metrics of one engine (prom-client, its own registry so several runtimes in one
 * process — tests — never collide). Updated from the engine's cycle outcomes; served at /metrics.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SyncStatus } from '../../shared/models.js';
import { SYNC_STATES } from '../../shared/models.js';
import type { CycleOutcome } from '../engine/cycle-types.js';
import type { HealthReport } from './runtime-types.js';

export class EngineMetrics {
  readonly registry = new Registry();
  private readonly cycles = new Counter({
    name: 'magnus_sync_cycles_total',
    help: 'Sync cycles finished, by status (success, failed, partial, skipped).',
    labelNames: ['status', 'trigger'] as const,
    registers: [this.registry],
  });
  private readonly failures = new Counter({
    name: 'magnus_sync_cycle_failures_total',
    help: 'Failed sync cycles, by error kind (network, throttled, auth, database, broker, internal).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'magnus_sync_cycle_duration_seconds',
    help: 'Wall time of a sync cycle.',
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  private readonly requests = new Counter({
    name: 'magnus_sync_api_requests_total',
    help: 'HTTP requests made to the broker (login, retries and pagination included).',
    registers: [this.registry],
  });
  private readonly requestsLastCycle = new Gauge({
    name: 'magnus_sync_api_requests_last_cycle',
    help: 'HTTP requests made by the last finished cycle.',
    registers: [this.registry],
  });
  private readonly rowsWritten = new Counter({
    name: 'magnus_sync_rows_written_total',
    help: 'Rows inserted, updated or deleted in the store.',
    registers: [this.registry],
  });
  private readonly lastSuccess = new Gauge({
    name: 'magnus_sync_last_success_timestamp_seconds',
    help: 'Unix time of the last successful cycle.',
    registers: [this.registry],
  });
  private readonly state = new Gauge({
    name: 'magnus_sync_state',
    help: 'The engine state (1 for the current one).',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });
  private readonly positions = new Gauge({
    name: 'magnus_sync_positions',
    help: 'Open positions per account (masked key) and asset type, after the last sync.',
    labelNames: ['account', 'asset_type'] as const,
    registers: [this.registry],
  });

  recordCycle(outcome: CycleOutcome): void {
    this.cycles.inc({ status: outcome.status, trigger: outcome.trigger });
    if (outcome.error && outcome.error.kind !== 'aborted') this.failures.inc({ kind: outcome.error.kind });
    this.duration.observe(outcome.durationMs / 1000);
    this.requests.inc(outcome.apiRequests);
    this.requestsLastCycle.set(outcome.apiRequests);
    this.rowsWritten.inc(outcome.rowsWritten);
    if (!outcome.error) this.lastSuccess.set(outcome.finishedAt.getTime() / 1000);
  }

  recordStatus(status: SyncStatus): void {
    for (const s of SYNC_STATES) this.state.set({ state: s }, s === status.state ? 1 : 0);
  }

  setPositions(account: string, stocks: number, options: number): void {
    this.positions.set({ account, asset_type: 'stock' }, stocks);
    this.positions.set({ account, asset_type: 'option' }, options);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** /healthz allows two missed intervals plus this grace before it reports unhealthy. */
export const HEALTH_GRACE_SECONDS = 60;

/** For GET /healthz: healthy while the last successful sync is recent. */
export function healthReport(status: SyncStatus, now: Date): HealthReport {
  const maxAgeSeconds = 2 * status.syncIntervalSeconds + HEALTH_GRACE_SECONDS;
  const last = status.lastSuccessAt ? Date.parse(status.lastSuccessAt) : null;
  const ageSeconds = last === null ? null : Math.max(0, (now.getTime() - last) / 1000);
  return {
    healthy: ageSeconds !== null && ageSeconds <= maxAgeSeconds,
    state: status.state,
    lastSuccessAt: status.lastSuccessAt,
    ageSeconds: ageSeconds === null ? null : Math.round(ageSeconds),
    maxAgeSeconds,
  };
}
