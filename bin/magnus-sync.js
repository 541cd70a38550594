#!/usr/bin/env node
// The headless `magnus-sync` command: runs the compiled CLI (npm install builds dist/ through `prepare`).
import { runCli } from '../dist/main/cli/main.js';

// The first SIGINT/SIGTERM stops gracefully (the running cycle rolls back, the store closes and
// stops the embedded database server). A second one at least a second later forces the exit (a
// terminal's Ctrl-C may deliver the signal twice at once).
const stopSignal = new Promise((resolve) => {
  let firstAt = null;
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      if (firstAt === null) {
        firstAt = Date.now();
        resolve(signal);
      } else if (Date.now() - firstAt > 1000) {
        process.exit(130);
      }
    });
  }
});

const code = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stopSignal,
});
process.exitCode = code;
// Handles (the keychain's D-Bus connection, stdin) must not keep a finished command alive.
setTimeout(() => process.exit(code), 2000).unref();
