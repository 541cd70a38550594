/**
 * A Robinhood-compatible HTTP simulator for the demo mode, tests and benchmarks.
 *
 *   const sim = await startSimulator({ scenario: buildScenario({ seed: 1, accounts: [{ stocks: 10 }] }) });
 *   createRobinhood({ baseUrl: sim.url, ... });   // the production client, unchanged
 *   ... sim.inject({ kind: 'throttle', match: { path: '/orders/' } }); sim.movePrices(); ...
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
export { demoScenario } from './demo.js';
export { buildScenario, DEFAULT_USER } from './scenario.js';
export { DEFAULTS as SIMULATOR_DEFAULTS } from './server.js';
export type * from './types.js';

/** Starts the simulator on options.host:options.port (default 127.0.0.1, an ephemeral port). */
export function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  return startSimulatorServer(options);
}
