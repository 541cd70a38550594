/**
 * Child process for the folder-lock tests: opens the embedded store in argv[2], says "ready",
 * and holds it until killed.
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
process.stdout.write('ready\n');
setInterval(() => undefined, 60_000);
