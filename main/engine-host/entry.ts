/**
 * The engine process of the desktop app (dist/main/engine-host/entry.js), started by the main
 * process with Electron's `utilityProcess.fork`. Plain Node: it talks to the main process only
 * through `process.parentPort` (the `init` message) and the message port that came with it.
 */

import { serveEngine } from './engine-host.js';
import { engineInitSchema } from './protocol.js';
import type { RelayPort } from './relay.js';

interface ParentPort {
  once(event: 'message', listener: (event: { data: unknown; ports: RelayPort[] }) => void): void;
}

const parentPort = (process as NodeJS.Process & { parentPort?: ParentPort }).parentPort;
if (!parentPort) {
  console.error('The sync engine runs inside the Magnus Sync desktop app; start the app instead.');
  process.exit(2);
}

parentPort.once('message', ({ data, ports }) => {
  const init = engineInitSchema.safeParse(data);
  const port = ports[0];
  if (!init.success || !port) {
    console.error('The sync engine got no valid start message from the app.');
    process.exit(2);
  }
  serveEngine({ init: init.data, port, env: process.env, exit: (code) => process.exit(code) });
});
