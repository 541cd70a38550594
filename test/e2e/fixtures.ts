/**
 * Playwright fixtures: each test gets its own web server (main/server) in front of a Runtime, and a
 * page logged in through the real token → cookie flow.
 *
 * The runtime is injectable: `harnessFactory` is an option. By default it is the in-memory runtime
 * (test/server/memory-runtime.ts); a project or a spec can point it at the real runtime (engine +
 * simulator + store) with `test.use({ harnessFactory })` or in playwright.config.ts `use`. Specs
 * read what they expect from the runtime itself, so they hold for any runtime; the few that script
 * a broker answer (login challenges, keychain missing) pin the memory harness explicitly.
 */
import { test as base, expect, type Page } from '@playwright/test';
import type { Runtime } from '../../main/runtime/runtime-types.js';
import { startWebServer, type WebServer } from '../../main/server/web-server.js';
import { silentLogger } from '../../main/util/logger.js';
import { CALL_NAMES, type CallName, type Handlers } from '../../shared/contract.js';
import { createMemoryRuntime, type MemoryRuntimeOptions } from '../server/memory-runtime.js';

export interface E2EHarness {
  runtime: Runtime;
  /** Gives the runtime new data and lets it emit `dataChanged` (as a finished cycle would). */
  changeData(): Promise<void>;
  close(): Promise<void>;
}
/** An object, not a bare function: Playwright would take a function option for a fixture. */
export interface HarnessFactory {
  name: string;
  create(): Promise<E2EHarness>;
}

export function memoryHarness(options: MemoryRuntimeOptions = {}): HarnessFactory {
  return {
    name: 'memory',
    create: async () => {
      const runtime = createMemoryRuntime(options);
      return {
        runtime,
        changeData: async () => runtime.changeData('1.0150'),
        close: () => runtime.stop(),
      };
    },
  };
}

/** Every handler call the pages make, in order (the runtime's own handlers still answer). */
export interface CallLog {
  names: CallName[];
  requests: Array<{ name: CallName; request: unknown }>;
  count(name: CallName): number;
}

function spyOn(runtime: Runtime): { runtime: Runtime; log: CallLog } {
  const requests: CallLog['requests'] = [];
  const handlers = {} as Record<CallName, (request: unknown) => Promise<unknown>>;
  for (const name of CALL_NAMES) {
    const original = runtime.handlers[name] as (request: unknown) => Promise<unknown>;
    handlers[name] = (request) => {
      requests.push({ name, request });
      return original(request);
    };
  }
  const spied: Runtime = {
    handlers: handlers as Handlers,
    events: runtime.events,
    capabilities: runtime.capabilities,
    status: () => runtime.status(),
    health: () => runtime.health(),
    metrics: () => runtime.metrics(),
    start: (trigger) => runtime.start(trigger),
    stop: () => runtime.stop(),
    suspend: () => runtime.suspend(),
    resume: (reason) => runtime.resume(reason),
    networkRestored: () => runtime.networkRestored(),
  };
  return {
    runtime: spied,
    log: {
      requests,
      get names() {
        return requests.map((r) => r.name);
      },
      count: (name) => requests.filter((r) => r.name === name).length,
    },
  };
}

export interface MagnusServer {
  server: WebServer;
  /** The runtime behind the server, unspied: read expectations from it, emit events on it. */
  runtime: Runtime;
  harness: E2EHarness;
  calls: CallLog;
  /** Opens a page through the token → cookie flow and waits until the app has loaded. */
  open(page: Page, path?: 'status.html' | 'settings.html'): Promise<void>;
}

export const test = base.extend<{ magnus: MagnusServer; harnessFactory: HarnessFactory }>({
  harnessFactory: [memoryHarness(), { option: true }],
  magnus: async ({ harnessFactory }, use) => {
    const harness = await harnessFactory.create();
    const { runtime, log } = spyOn(harness.runtime);
    const server = await startWebServer({ runtime, port: 0, logger: silentLogger });
    await use({
      server,
      runtime: harness.runtime,
      harness,
      calls: log,
      open: async (page, path = 'status.html') => {
        await page.goto(server.loginUrl);
        await expect(page).toHaveURL(`${server.url}/status.html`);
        if (path !== 'status.html') await page.goto(`${server.url}/${path}`);
        await expect(page.locator('main')).not.toHaveAttribute('aria-busy', 'true');
      },
    });
    await server.close();
    await harness.close();
  },
});

export { expect };
