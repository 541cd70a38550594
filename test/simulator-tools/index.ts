/**
 * The simulator as tests and benchmarks use it: the demo entry of main/simulator/, plus fault
 * injection (`sim.inject(fault)`), `buildScenario` (random, reproducible scenarios of any size) and
 * the low-level ScenarioBuilder. Not part of the shipped app: only test/ imports this.
 */

import { startSimulator as startPlainSimulator } from '../../main/simulator/index.js';
import type { Simulator as PlainSimulator, SimulatorOptions } from '../../main/simulator/types.js';
import { type Fault, FaultBook, faultHook } from './faults.js';

export type {
  DividendSpec,
  OptionEventSpec,
  OptionLegSpec,
  OptionOrderSpec,
  OrderOutcome,
  StockOrderSpec,
} from '../../main/simulator/builder.js';
export { ScenarioBuilder } from '../../main/simulator/builder.js';
export * from '../../main/simulator/index.js';
export type { Fault, FaultMatch } from './faults.js';
export { buildScenario } from './scenario.js';

/** A simulator with fault injection. */
export interface Simulator extends PlainSimulator {
  /** Queues a fault: the matching requests fail as it says (see faults.ts). */
  inject(fault: Fault): void;
  clearFaults(): void;
}

/** startSimulator with a fault book in its request hook (options.hook is not allowed alongside). */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  if (options.hook) throw new TypeError('startSimulator (test tools) installs its own request hook.');
  const book = new FaultBook();
  const sim = await startPlainSimulator({ ...options, hook: faultHook(book) });
  return Object.assign(sim, {
    inject: (fault: Fault) => book.inject(fault),
    clearFaults: () => book.clear(),
  });
}
