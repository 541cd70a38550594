/**
 * Every call of the contract, as the runtime implements it: the reads, the sync controls, the
 * settings save, the login and credentials, the embedded database, and the host's folder and link
 * requests. Each group lives in its own module; this one puts them together.
 */
import { CallFailure } from '../../shared/call-result.js';
import type { Handlers } from '../../shared/contract.js';
import { testPostgresConnection } from '../store/index.js';
import { credentialHandlers } from './credential-handlers.js';
import { embeddedDatabaseHandlers } from './embedded-database.js';
import { readHandlers } from './read-handlers.js';
import type { RuntimeParts } from './runtime-parts.js';
import { saveSettings, settingsViewOf, withStoredPasswordIfMissing } from './settings-save.js';

export function createHandlers(p: RuntimeParts): Handlers {
  return {
    ...readHandlers(p),

    syncNow: async () => {
      const status = p.engine.status();
      if (status.state === 'needs-auth')
        throw CallFailure.refused(status.authPrompt?.message ?? 'Log in first (Settings).');
      void p.engine.syncNow('manual');
      return { message: status.state === 'syncing' ? 'A sync is already running.' : 'Sync started.' };
    },
    pause: async () => {
      p.engine.pause();
      return p.engine.status();
    },
    resume: async () => {
      p.engine.resume();
      return p.engine.status();
    },

    getSettings: () => settingsViewOf(p, p.options.settings.get()),
    updateSettings: (patch) => saveSettings(p, patch),
    testDatabase: async ({ url }) => {
      const probe = await testPostgresConnection(await withStoredPasswordIfMissing(p, url));
      if (!probe.ok) throw CallFailure.refused(probe.message);
      return { message: probe.message };
    },

    ...credentialHandlers(p),
    ...embeddedDatabaseHandlers(p),

    openLogFolder: async () => {
      const open = p.options.platform?.openPath;
      if (!open) throw CallFailure.refused(`The logs are in ${p.logDir}.`);
      const opened = await open(p.logDir);
      if (!opened.ok) throw CallFailure.refused(opened.message);
      return { message: opened.message };
    },
    /** The desktop checks the link against its allow-list before the call gets here. */
    openExternal: async ({ url }) => {
      const open = p.options.platform?.openExternal;
      if (!open) throw CallFailure.refused('Opening links is only available in the desktop app.');
      await open(url);
      return { message: 'Opened in your browser.' };
    },
  };
}
