/**
 * `node --import ./register.mjs dist/main/index.js …`: the desktop harness's only way in. It makes
 * `import … from 'electron'` load the stand-in (electron.mjs) in this process; nothing else uses it.
 */
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
