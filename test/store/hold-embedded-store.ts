/**
 * Child process for the embedded-server lifecycle tests: opens the embedded store in argv[2],
 * commits a row, says "ready", and holds it; SIGTERM closes the store (stopping the server) and exits.
 */
import { openStore } from '../../main/store/index.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: hold-embedded-store.ts <dataDir>');
const store = await openStore({ kind: 'embedded', dataDir: dir });
await store.transaction((trx) =>
  trx('sync_state')
    .insert({ account_number: '*', stream: 'child', updated_at: new Date().toISOString() })
    .onConflict()
    .ignore(),
);
process.on('SIGTERM', () => {
  void store.close().then(() => process.exit(0));
});
process.stdout.write('ready\n');
setInterval(() => undefined, 60_000);
