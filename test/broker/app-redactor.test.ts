/**
 * The broker client has no redactor of its own: it registers every token and account number it
 * sees with the app's (main/logging/redactor.ts), so they leave the app's log lines too. Before,
 * the client kept them in a second Redactor class that the app's logger never consulted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Redactor } from '../../main/logging/redactor.js';
import { closeAll, connect } from '../simulator/helpers.js';

afterEach(closeAll);

describe('the broker client and the app redactor', () => {
  it('after a login and an account list, the app redactor hides the tokens and full account numbers', async () => {
    const redactor = new Redactor();
    const { sim, rh, tokens } = await connect({ client: { redactor } });
    await rh.session.login();
    await rh.client.listAccounts();
    const accessToken = tokens.saved?.accessToken ?? '';
    const refreshToken = tokens.saved?.refreshToken ?? '';
    const numbers = sim.state.accounts.map((a) => a.accountNumber);
    expect(accessToken.length).toBeGreaterThan(10);
    expect(numbers.length).toBeGreaterThan(0);

    const line = `token ${accessToken} refresh ${refreshToken} accounts ${numbers.join(', ')}`;
    const redacted = redactor.redact(line);
    expect(redacted).not.toContain(accessToken);
    expect(redacted).not.toContain(refreshToken);
    for (const n of numbers) {
      expect(redacted).not.toContain(n);
      expect(redacted).toContain(`****${n.slice(-4)}`);
    }
  });

  it('a key registered with a hash suffix is not replaced by the plain mask the client registers', () => {
    const redactor = new Redactor();
    redactor.registerAccountNumber('5QR24141', '****4141-3fa2');
    redactor.registerAccountNumber('5QR24141');
    expect(redactor.redact('account 5QR24141')).toBe('account ****4141-3fa2');
  });
});
