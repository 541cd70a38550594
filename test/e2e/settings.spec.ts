/**
 * The settings window in Chromium: messages next to invalid fields and nothing saved, saving,
 * write-only credentials, the login verification step, database test, capabilities.
 */
import type { Page } from '@playwright/test';
import type { SettingsView } from '../../shared/settings.js';
import { expect, memoryHarness, test } from './fixtures.js';

const settingsOf = (magnus: { runtime: { handlers: { getSettings(r: object): Promise<SettingsView> } } }) =>
  magnus.runtime.handlers.getSettings({});

/** The error message tied to an input through aria-describedby. */
function errorFor(page: Page, inputId: string) {
  return page.locator(`#${inputId}-error`);
}

test('invalid values get a message next to each field and nothing is saved', async ({ page, magnus }) => {
  await magnus.open(page, 'settings.html');
  const before = await settingsOf(magnus);

  await page.getByLabel('Sync interval').fill('5');
  await page.getByLabel('Trade-history interval').fill('12 minutes');
  await page.getByLabel('PostgreSQL server').check();
  await page.getByLabel('PostgreSQL URL').fill('mysql://db.example/magnus');
  await page.getByRole('button', { name: 'Save settings' }).click();

  await expect(errorFor(page, 'syncIntervalSeconds')).toHaveText(
    'Sync interval must be a whole number of seconds between 60 and 86400.',
  );
  await expect(errorFor(page, 'tradeHistoryIntervalSeconds')).toHaveText(
    'Trade-history interval must be a whole number of seconds between 300 and 604800.',
  );
  await expect(errorFor(page, 'databaseUrl')).toHaveText(
    'Database URL must start with postgres:// or postgresql://.',
  );
  for (const id of ['syncIntervalSeconds', 'tradeHistoryIntervalSeconds', 'databaseUrl']) {
    const input = page.locator(`#${id}`);
    await expect(input).toHaveAttribute('aria-invalid', 'true');
    await expect(input).toHaveAttribute('aria-describedby', new RegExp(`${id}-error`));
    // "Next to its field": the message sits in the same field block as the input.
    await expect(page.locator('.field', { has: input }).locator('[data-field-error]')).toBeVisible();
  }
  await expect(page.getByText('Nothing was saved: fix the 3 fields marked above.')).toBeVisible();
  await expect(page.locator('#syncIntervalSeconds')).toBeFocused();

  expect(magnus.calls.count('updateSettings')).toBe(0);
  expect(await settingsOf(magnus)).toEqual(before);

  // Fixing one field clears its message; the others stay until they are fixed too.
  await page.getByLabel('Sync interval').fill('600');
  await expect(errorFor(page, 'syncIntervalSeconds')).toHaveCount(0);
  await expect(errorFor(page, 'tradeHistoryIntervalSeconds')).toBeVisible();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Nothing was saved: fix the 2 fields marked above.')).toBeVisible();
  expect(magnus.calls.count('updateSettings')).toBe(0);
});

test('valid changes are saved once, and only what changed is sent', async ({ page, magnus }) => {
  await magnus.open(page, 'settings.html');
  await expect(page.getByText('Every 5 min.')).toBeVisible();
  await page.getByLabel('Sync interval').fill('900');
  await expect(page.getByText('Every 15 min.')).toBeVisible();
  await page.getByLabel('Notifications').uncheck();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Settings saved.')).toBeVisible();
  expect(magnus.calls.requests.filter((r) => r.name === 'updateSettings').map((r) => r.request)).toEqual([
    { syncIntervalSeconds: 900, notifications: false },
  ]);
  const after = await settingsOf(magnus);
  expect(after.settings.syncIntervalSeconds).toBe(900);
  expect(after.settings.notifications).toBe(false);

  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Nothing changed.')).toBeVisible();
  expect(magnus.calls.count('updateSettings')).toBe(1);
});

test('credentials are write-only: checked in the browser, stored, and never shown', async ({
  page,
  magnus,
}) => {
  await magnus.open(page, 'settings.html');
  const credentials = await magnus.runtime.handlers.getCredentials({});
  const totpBlock = page.locator('.field', { has: page.locator('#totpSecret') });
  await expect(totpBlock).toContainText(credentials.totpSecretStored ? 'stored' : 'not stored');

  await page.getByRole('button', { name: 'Save credentials' }).click();
  await expect(page.locator('#credentials-form-error')).toContainText('Enter at least one value');

  await page.getByLabel('Authenticator (TOTP) secret').fill('not a secret!');
  await page.getByRole('button', { name: 'Save credentials' }).click();
  await expect(errorFor(page, 'totpSecret')).toContainText('base32 key');
  expect(magnus.calls.count('setCredentials')).toBe(0);

  const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  await page.getByLabel('Authenticator (TOTP) secret').fill(secret);
  await page.getByRole('button', { name: 'Save credentials' }).click();
  await expect(page.getByText('Stored in the system keychain.')).toBeVisible();
  expect(magnus.calls.count('setCredentials')).toBe(1);
  await expect(page.locator('#totpSecret')).toHaveValue('');
  await expect(totpBlock.locator('.stored-yes')).toHaveText('stored');
  expect(await page.content()).not.toContain(secret);
});

test.describe('login verification', () => {
  test.use({
    harnessFactory: memoryHarness({
      loginOutcome: {
        result: 'needs-code',
        challengeType: 'sms',
        message: 'Robinhood sent a code to ••• 42.',
      },
    }),
  });

  test('Test login asks for the code and submits it', async ({ page, magnus }) => {
    await magnus.open(page, 'settings.html');
    await page.getByRole('button', { name: 'Test login' }).click();
    await expect(page.getByText('Robinhood sent a code to ••• 42.')).toBeVisible();
    await page.getByLabel('Verification code').fill('12');
    await page.getByRole('button', { name: 'Submit code' }).click();
    await expect(errorFor(page, 'verificationCode')).toHaveText('Enter the 4–8 digit code the broker sent.');
    expect(magnus.calls.count('submitVerificationCode')).toBe(0);

    await page.getByLabel('Verification code').fill('999999');
    await page.getByRole('button', { name: 'Submit code' }).click();
    await expect(errorFor(page, 'verificationCode')).toHaveText('That code was not accepted; try again.');

    await page.getByLabel('Verification code').fill('123456');
    await page.getByRole('button', { name: 'Submit code' }).click();
    await expect(page.getByText('Verified; logged in to Robinhood.')).toBeVisible();
    expect(magnus.calls.count('submitVerificationCode')).toBe(2);
  });
});

test.describe('approval in the app', () => {
  test.use({
    harnessFactory: memoryHarness({
      loginOutcome: { result: 'needs-approval', message: 'Robinhood is waiting for your approval.' },
    }),
  });

  test('the page follows the status events until the login is approved', async ({ page, magnus }) => {
    await magnus.open(page, 'settings.html');
    await page.getByRole('button', { name: 'Test login' }).click();
    await expect(page.getByText('Approve the login in the Robinhood app')).toBeVisible();
    const status = magnus.runtime.status();
    magnus.runtime.events.emit('status', {
      ...status,
      state: 'needs-auth',
      authPrompt: { kind: 'approval', message: 'Robinhood is waiting for your approval.' },
    });
    await expect(page.getByText('Approve the login in the Robinhood app')).toBeVisible();
    magnus.runtime.events.emit('status', { ...status, state: 'idle', authPrompt: null });
    await expect(page.getByText('Approved. Magnus Sync is logged in to Robinhood.')).toBeVisible();
  });
});

test.describe('without a keychain', () => {
  test.use({
    harnessFactory: memoryHarness({
      credentials: {
        keychainAvailable: false,
        keychainProblem: 'No Secret Service is running (install gnome-keyring or KeePassXC).',
        usernameStored: false,
        passwordStored: false,
      },
    }),
  });

  test('explains why and disables the fields', async ({ page, magnus }) => {
    await magnus.open(page, 'settings.html');
    await expect(page.getByText('The system keychain is not available')).toBeVisible();
    await expect(page.getByText('No Secret Service is running')).toBeVisible();
    for (const label of ['Username (e-mail)', 'Password', 'Authenticator (TOTP) secret']) {
      await expect(page.getByLabel(label)).toBeDisabled();
    }
    await expect(page.getByRole('button', { name: 'Save credentials' })).toBeDisabled();
  });
});

test("the runtime's refusal lands next to its field, and nothing is saved", async ({ page, magnus }) => {
  await magnus.open(page, 'settings.html');
  const before = await settingsOf(magnus);
  await page.getByLabel('PostgreSQL server').check();
  await page.getByLabel('PostgreSQL URL').fill('postgres://sync@unreachable.invalid:5432/magnus');
  await page.getByRole('button', { name: 'Save settings' }).click();

  await expect(errorFor(page, 'databaseUrl')).toHaveText('Cannot connect to unreachable.invalid:5432.');
  await expect(page.locator('#databaseUrl')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Nothing was saved: fix the field marked above.')).toBeVisible();
  await expect(page.locator('#databaseUrl')).toBeFocused();
  expect(magnus.calls.count('updateSettings')).toBe(1);
  expect(await settingsOf(magnus)).toEqual(before);

  // Test connection shows the same refusal as its result.
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(
    page.getByRole('status').filter({ hasText: 'Cannot connect to unreachable.invalid:5432.' }),
  ).toBeVisible();
});

test('Test connection checks the URL first and then asks the runtime', async ({ page, magnus }) => {
  await magnus.open(page, 'settings.html');
  await page.getByLabel('PostgreSQL server').check();
  await page.getByLabel('PostgreSQL URL').fill('postgres://');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(errorFor(page, 'databaseUrl')).toBeVisible();
  expect(magnus.calls.count('testDatabase')).toBe(0);

  await page.getByLabel('PostgreSQL URL').fill('postgres://sync:s3cret@localhost:5432/magnus');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.locator('[role="status"]', { hasText: /Connected|connect/i }).first()).toBeVisible();
  expect(magnus.calls.requests.filter((r) => r.name === 'testDatabase')).toHaveLength(1);
  expect(magnus.calls.count('updateSettings')).toBe(0);
});

test.describe('capabilities', () => {
  test('launch at login and Open log folder are hidden when the host cannot do them', async ({
    page,
    magnus,
  }) => {
    test.skip(magnus.runtime.capabilities.canLaunchAtLogin, 'this runtime can launch at login');
    await magnus.open(page, 'settings.html');
    await expect(page.getByLabel('Launch at login')).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Open log folder' })).toHaveCount(0);
  });

  test.describe('on a desktop host', () => {
    test.use({
      harnessFactory: memoryHarness({ capabilities: { canLaunchAtLogin: true, canOpenLogFolder: true } }),
    });
    test('they are shown, and the runtime answers the folder request', async ({ page, magnus }) => {
      await magnus.open(page, 'settings.html');
      await expect(page.getByLabel('Launch at login')).toBeVisible();
      await page.getByRole('button', { name: 'Open log folder' }).click();
      await expect.poll(() => magnus.calls.count('openLogFolder')).toBe(1);
    });
  });
});
