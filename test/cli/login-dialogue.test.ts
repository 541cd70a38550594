/**
 * `magnus-sync login` waiting for an approval in the broker's app: the CLI no longer polls on its
 * own (it used to, with a hard-coded 5 s and 10 min on Date.now, while the runtime's watcher
 * polled too: two pollers for one prompt). It waits on the auth flow's ApprovalWatcher, so there
 * is one poll per APPROVAL_POLL_MS of the injected clock. The broker side is the real client
 * against the simulator's push-prompt flow.
 */
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loginDialogue } from '../../main/cli/login-dialogue.js';
import {
  APPROVAL_POLL_MS,
  APPROVAL_TIMEOUT_MS,
  ApprovalWatcher,
  approvalOutcome,
  outcomeOf,
} from '../../main/runtime/auth-flow.js';
import { silentLogger } from '../../main/util/logger.js';
import { CallFailure } from '../../shared/call-result.js';
import type { LoginOutcome } from '../../shared/models.js';
import { ManualTime } from '../helpers/manual-time.js';
import { closeAll, connect } from '../simulator/helpers.js';

afterEach(closeAll);

const noCodeExpected = {
  ask: async () => {
    throw new Error('no code was expected');
  },
  askSecret: async () => {
    throw new Error('no secret was expected');
  },
  close: () => undefined,
};

async function loginWithPrompt(pushApprovalAfterPolls: number) {
  const { sim, rh } = await connect({ username: 'prompt@example.com', sim: { pushApprovalAfterPolls } });
  const time = new ManualTime();
  const pollsAt: number[] = [];
  const session = rh.session;
  const counted = new Proxy(session, {
    get(target, key) {
      if (key === 'pollApproval')
        return (...args: Parameters<typeof session.pollApproval>) => {
          pollsAt.push(time.monotonicMs());
          return session.pollApproval(...args);
        };
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const ended: string[] = [];
  const watcher = new ApprovalWatcher({
    connection: () => ({ client: rh.client, session: counted, requestLog: rh.requestLog }),
    clock: time,
    logger: silentLogger,
    onApproved: () => ended.push('approved'),
    onFailed: (message) => ended.push(`failed: ${message}`),
  });
  const stderr = new PassThrough();
  let told = '';
  stderr.on('data', (chunk) => {
    told += String(chunk);
  });
  const outcome: LoginOutcome | CallFailure = await loginDialogue({
    handlers: {
      // As the runtime does: a login that needs approval starts its watcher.
      testLogin: async () => {
        const first = outcomeOf(await rh.session.login({ force: true }));
        if (first.result === 'needs-approval') void watcher.start();
        return first;
      },
      submitVerificationCode: async () => {
        throw new Error('no code was expected');
      },
    },
    waitForApproval: () => watcher.start().then(approvalOutcome),
    prompter: noCodeExpected,
    stderr,
  }).catch((error: unknown) => {
    if (error instanceof CallFailure) return error;
    throw error;
  });
  const statusPolls = sim.requests.filter((r) => r.path.endsWith('/get_prompts_status/')).length;
  return { outcome, pollsAt, statusPolls, ended, told, time };
}

describe('magnus-sync login: waiting for an approval', () => {
  it('polls once per APPROVAL_POLL_MS of the injected clock, with one poller, until approved', async () => {
    const r = await loginWithPrompt(3);
    expect(r.outcome).toEqual({ result: 'ok', message: 'Logged in to Robinhood.' });
    expect(r.told).toMatch(`Waiting (up to ${APPROVAL_TIMEOUT_MS / 60_000} minutes)`);
    // The simulator approves on the third poll: three polls, APPROVAL_POLL_MS apart, no more.
    expect(r.pollsAt).toEqual([1, 2, 3].map((n) => n * APPROVAL_POLL_MS));
    expect(r.statusPolls).toBe(3);
    expect(r.ended).toEqual(['approved']);
  });

  it('gives up after APPROVAL_TIMEOUT_MS of the injected clock, with one clear message', async () => {
    const r = await loginWithPrompt(Number.POSITIVE_INFINITY);
    // A login that ends without success fails the call, with a message safe to show.
    expect(r.outcome).toBeInstanceOf(CallFailure);
    expect((r.outcome as CallFailure).code).toBe('refused');
    expect(r.outcome.message).toMatch(/approval request expired/);
    expect(r.pollsAt).toHaveLength(APPROVAL_TIMEOUT_MS / APPROVAL_POLL_MS + 1);
    expect(r.time.monotonicMs()).toBe(APPROVAL_TIMEOUT_MS + APPROVAL_POLL_MS);
  });
});
