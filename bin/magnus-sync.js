#!/usr/bin/env node
// The headless `magnus-sync` command: runs the compiled CLI (npm install builds dist/ through `prepare`).
import { runCli } from '../dist/main/cli/main.js';

const stopSignal = new Promise((resolve) => {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      if (stopping) {
        // A second signal while shutting down: stop at once.
        process.exit(130);
      }
      stopping = true;
      resolve(signal);
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
