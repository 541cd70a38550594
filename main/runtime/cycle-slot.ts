/**
 * The runtime's side of a sync cycle: prepares the runtime first (a cycle that cannot — the
 * database is unreachable at start — is a failed cycle with the reason, retried later), runs the
 * open store's cycle runner, and remembers the running cycle so a store switch or a stop waits
 * for it.
 */
import type { SyncTrigger } from '../../shared/models.js';
import type { SyncCycleRunner } from '../engine/cycle.js';
import { classifyError } from '../engine/cycle-errors.js';
import { type CycleOutcome, failedCycle } from '../engine/cycle-types.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';

export type CycleRequest = Parameters<SyncCycleRunner['run']>[0];

export interface CycleSlotOptions {
  prepare(): Promise<void>;
  /** The open store's runner, else null. */
  runner(): SyncCycleRunner | null;
  /** Where the store is, for the message of a cycle that could not start. */
  storeLocation(): string;
  clock: Clock;
  logger: Logger;
}

export class CycleSlot {
  private inflight: Promise<CycleOutcome> | null = null;

  constructor(private readonly o: CycleSlotOptions) {}

  run(request: CycleRequest): Promise<CycleOutcome> {
    const run = this.prepareAndRun(request);
    this.inflight = run;
    return run.finally(() => {
      if (this.inflight === run) this.inflight = null;
    });
  }

  /** Resolves once the running cycle (if any) finished, however it ended. */
  async idle(): Promise<void> {
    await this.inflight?.catch(() => undefined);
  }

  private async prepareAndRun(request: CycleRequest): Promise<CycleOutcome> {
    const startedAt = this.o.clock.now();
    try {
      await this.o.prepare();
    } catch (error) {
      return this.unprepared(request.trigger, startedAt, error);
    }
    const runner = this.o.runner();
    if (!runner) return this.unprepared(request.trigger, startedAt, new Error('no store'));
    return runner.run(request);
  }

  private unprepared(trigger: SyncTrigger, startedAt: Date, error: unknown): CycleOutcome {
    const classified = classifyError(error, this.o.storeLocation());
    this.o.logger.warn(`sync cycle failed: ${classified.message}`, { kind: classified.kind });
    return failedCycle(trigger, startedAt, this.o.clock.now(), classified);
  }
}
