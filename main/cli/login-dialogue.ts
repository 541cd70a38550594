/**
 * The second half of `magnus-sync login`, after the credentials are stored: test the login, ask
 * for verification codes while the broker wants one, and wait for an approval in the broker's app.
 * The waiting is the runtime's (its ApprovalWatcher: one poller, APPROVAL_POLL_MS and
 * APPROVAL_TIMEOUT_MS on the runtime's clock); this module only talks to the user.
 */
import type { Writable } from 'node:stream';
import type { Handlers } from '../../shared/contract.js';
import type { LoginOutcome } from '../../shared/models.js';
import { APPROVAL_TIMEOUT_MS } from '../runtime/auth-flow.js';
import type { Prompter } from './prompt.js';

export interface LoginDialogueDeps {
  handlers: Pick<Handlers, 'testLogin' | 'submitVerificationCode'>;
  /** The runtime's wait for a pending approval (AppRuntime.waitForApproval). */
  waitForApproval(): Promise<LoginOutcome>;
  prompter: Prompter;
  stderr: Writable;
}

/** Logs in and follows every step the broker asks for; resolves with the final outcome. */
export async function loginDialogue(deps: LoginDialogueDeps): Promise<LoginOutcome> {
  let outcome = await deps.handlers.testLogin({});
  for (;;) {
    if (outcome.result === 'needs-code') {
      deps.stderr.write(`${outcome.message}\n`);
      const code = (await deps.prompter.ask('Code: ')).trim();
      outcome = await deps.handlers.submitVerificationCode({ code });
    } else if (outcome.result === 'needs-approval') {
      const minutes = Math.round(APPROVAL_TIMEOUT_MS / 60_000);
      deps.stderr.write(`${outcome.message} Waiting (up to ${minutes} minutes)...\n`);
      outcome = await deps.waitForApproval();
    } else {
      return outcome;
    }
  }
}
