/**
 * A Robinhood-compatible HTTP simulator: the broker of the demo mode (this entry: start it on the
 * demo scenario), and, through test/simulator-tools/ (fault injection, the scenario generator, the
 * scenario builder), the broker of tests and benchmarks.
 *
 *   const sim = await startSimulator({ scenario: demoScenario() });
 *   createRobinhood({ baseUrl: sim.url, ... });   // the production client, unchanged
 *   ... sim.movePrices(); ...
 *   await sim.close();
 */
import { startSimulatorServer } from './server.js';
import type { Simulator, SimulatorOptions } from './types.js';

export { DEFAULT_USER, demoScenario } from './demo.js';
export type { HookAction, HookedRequest, RequestHook } from './request-hook.js';
export type * from './types.js';

/** Starts the simulator on options.host:options.port (default 127.0.0.1, an ephemeral port). */
export function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  return startSimulatorServer(options);
}
