import type { SyncStatus } from '../../shared/models.js';

export const NOW = new Date('2026-11-28T17:00:00.000Z');
export const minutesFrom = (base: Date, minutes: number) =>
  new Date(base.getTime() + minutes * 60_000).toISOString();

export function status(over: Partial<SyncStatus> = {}): SyncStatus {
  return {
    state: 'idle',
    demo: false,
    progress: null,
    startedAt: minutesFrom(NOW, -60),
    lastSuccessAt: minutesFrom(NOW, -2),
    lastAttemptAt: minutesFrom(NOW, -2),
    lastError: null,
    nextRunAt: minutesFrom(NOW, 3),
    nextHistoryRunAt: null,
    throttledUntil: null,
    cycleCount: 5,
    errorCount: 0,
    consecutiveFailures: 0,
    lastCycleRequests: 12,
    rateLimitPerMinute: 60,
    syncIntervalSeconds: 300,
    tradeHistoryIntervalSeconds: 3600,
    authPrompt: null,
    ...over,
  };
}
