/**
 * The login and credentials handlers: store or clear the broker credentials in the keychain, Test
 * login, and the verification code. The window learns only whether a value is stored.
 */

import { CallFailure } from '../../shared/call-result.js';
import type { Handlers } from '../../shared/contract.js';
import type { CredentialsView } from '../../shared/models.js';
import {
  CredentialsInputError,
  clearCredentials,
  credentialsView,
  saveCredentials,
} from '../secrets/index.js';
import { errorMeta } from '../util/errors.js';
import { loginFailure, outcomeOf } from './auth-flow.js';
import type { RuntimeParts } from './runtime-parts.js';

type CredentialHandlers = Pick<
  Handlers,
  'getCredentials' | 'setCredentials' | 'clearCredentials' | 'testLogin' | 'submitVerificationCode'
>;

export const ENTER_CREDENTIALS = 'Enter your Robinhood username and password in Settings to start syncing.';

export async function credentialsViewOf(p: RuntimeParts): Promise<CredentialsView> {
  await p.keychain.ready();
  return credentialsView({
    secrets: p.keychain.secrets,
    env: p.demo ? {} : p.env,
    keychain: p.keychain.status,
  });
}

export function credentialHandlers(p: RuntimeParts): CredentialHandlers {
  const announce = async () => {
    const credentials = await credentialsViewOf(p);
    p.events.emit('credentialsChanged', credentials);
    return credentials;
  };
  const afterLogin = (result: 'ok' | 'needs-code' | 'needs-approval') => {
    if (result === 'ok') p.engine.authResolved();
    else if (result === 'needs-approval')
      p.engine.requireAuth({ kind: 'approval', message: 'Approve the login in the Robinhood app.' });
  };

  return {
    getCredentials: () => credentialsViewOf(p),

    setCredentials: async (input) => {
      if (p.demo) throw CallFailure.refused('The demo needs no credentials.');
      await p.keychain.ready();
      const { secrets, status } = p.keychain;
      if (!status.available)
        throw CallFailure.refused(`Nothing was stored: ${status.problem ?? 'the keychain is unavailable'}.`);
      try {
        const before = await secrets.get('robinhood.username');
        await saveCredentials(secrets, input);
        // Another user's tokens are of no use.
        if (input.username !== undefined && before !== null && before !== input.username.trim()) {
          await secrets.delete('robinhood.tokens');
        }
      } catch (error) {
        if (error instanceof CredentialsInputError) throw CallFailure.invalid(error.errors);
        p.logger.warn('credentials could not be stored', errorMeta(error));
        throw CallFailure.refused('The keychain refused to store the credentials; see the log.');
      }
      await p.reconnect();
      const credentials = await announce();
      if (p.engine.status().authPrompt?.kind === 'credentials') p.engine.authResolved();
      return credentials;
    },

    clearCredentials: async () => {
      await p.keychain.ready();
      if (!p.demo) {
        await p
          .connectionIfReady()
          ?.session.logout()
          .catch((error: unknown) => {
            p.logger.info('logout at the broker failed; forgetting the tokens anyway', errorMeta(error));
          });
        await clearCredentials(p.keychain.secrets);
        await p.reconnect();
        p.engine.requireAuth({ kind: 'credentials', message: ENTER_CREDENTIALS });
      }
      return announce();
    },

    testLogin: async () => {
      try {
        await p.prepare();
        const outcome = outcomeOf(await p.connection().session.login({ force: true }));
        afterLogin(outcome.result);
        return outcome;
      } catch (error) {
        throw loginFailure(error, p.stores.current?.location ?? '');
      }
    },

    submitVerificationCode: async ({ code }) => {
      try {
        await p.prepare();
        const session = p.connection().session;
        if (!session.pendingPrompt)
          throw CallFailure.refused('No verification is pending. Use Test login first.');
        const outcome = outcomeOf(await session.submitCode(code));
        afterLogin(outcome.result);
        return outcome;
      } catch (error) {
        throw loginFailure(error, p.stores.current?.location ?? '');
      }
    },
  };
}
