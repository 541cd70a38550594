/**
 * A Robinhood-compatible HTTP simulator: the broker of the demo mode, and (with the fault injection
 * and the scenario generator of test/simulator-tools/) the broker of tests and benchmarks.
 *
 *   const sim = await startSimulator({ scenario: demoScenario() });
 *   createRobinhood({ baseUrl: sim.url, ... });   // the production client, unchanged
 *   ... sim.movePrices(); ...
 *   await sim.close();
 */
import { startSimulatorServer } from './server.js';
import type { Simulator, SimulatorOptions } from './types.js';

export type {
  DividendSpec,
  OptionEventSpec,
  OptionLegSpec,
  OptionOrderSpec,
  OrderOutcome,
  StockOrderSpec,
} from './builder.js';
export { ScenarioBuilder } from './builder.js';
export { DEFAULT_USER, demoScenario } from './demo.js';
export type { HookAction, HookedRequest, RequestHook } from './request-hook.js';
export { DEFAULTS as SIMULATOR_DEFAULTS } from './server.js';
export type * from './types.js';

/** Starts the simulator on options.host:options.port (default 127.0.0.1, an ephemeral port). */
export function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  return startSimulatorServer(options);
}
