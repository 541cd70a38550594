/**
 * Robinhood credentials: write-only fields (the window only ever learns whether a value is stored),
 * Test login, and the verification step the broker may ask for (a code, or an approval in the app,
 * which the window follows through status events).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { CREDENTIAL_FIELDS, type CredentialField } from '../../../shared/contract.js';
import type {
  AuthPrompt,
  Capabilities,
  CredentialsView,
  LoginOutcome,
  SyncStatus,
} from '../../../shared/models.js';
import { messageOf, type RendererClient } from '../api/renderer-client.js';
import { Section } from '../components/bits.js';
import { Icon } from '../components/Icon.js';
import {
  type CredentialErrors,
  checkCredentialsForm,
  checkVerificationCode,
  fieldErrorsOfFailure,
} from '../lib/settings-form.js';
import { FieldError, StoredBadge, TextField } from './fields.js';

type LoginStep =
  | { kind: 'none' }
  | { kind: 'running'; text: string }
  | { kind: 'ok'; text: string }
  | { kind: 'error'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'approval'; text: string };

function stepOf(outcome: LoginOutcome): LoginStep {
  switch (outcome.result) {
    case 'ok':
      return { kind: 'ok', text: outcome.message };
    case 'needs-code':
      return { kind: 'code', text: outcome.message };
    case 'needs-approval':
      return { kind: 'approval', text: outcome.message };
  }
}

function stepOfPrompt(prompt: AuthPrompt | null): LoginStep | null {
  if (prompt?.kind === 'code') return { kind: 'code', text: prompt.message };
  if (prompt?.kind === 'approval') return { kind: 'approval', text: prompt.message };
  return null;
}

const EMPTY: Record<CredentialField, string> = { username: '', password: '', totpSecret: '' };

export function CredentialsSection({
  client,
  credentials,
  capabilities,
  status,
  onCredentials,
}: {
  client: RendererClient;
  credentials: CredentialsView;
  capabilities: Capabilities;
  status: SyncStatus;
  onCredentials: (view: CredentialsView) => void;
}) {
  const [values, setValues] = useState(EMPTY);
  const [errors, setErrors] = useState<CredentialErrors>({});
  const [saved, setSaved] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [confirmClear, setConfirmClear] = useState(false);
  const [login, setLogin] = useState<LoginStep>({ kind: 'none' });
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<string | undefined>();

  // A challenge the engine raised on its own shows here too; an approval finishes by itself.
  const promptStep = stepOfPrompt(status.authPrompt);
  // The status when the approval step began: only a later status without a prompt means "approved".
  const statusAtApproval = useRef<SyncStatus | null>(null);
  useEffect(() => {
    if (login.kind !== 'approval') {
      statusAtApproval.current = null;
      return;
    }
    if (statusAtApproval.current === null) {
      statusAtApproval.current = status;
      return;
    }
    if (status !== statusAtApproval.current && status.authPrompt === null && status.state !== 'needs-auth') {
      setLogin({ kind: 'ok', text: 'Approved. Magnus Sync is logged in to Robinhood.' });
    }
  }, [status, login.kind]);
  const step = login.kind === 'none' && promptStep ? promptStep : login;

  const locked =
    !credentials.keychainAvailable || credentials.fromEnvironment || !capabilities.canEditCredentials;
  const set = (field: CredentialField) => (value: string) => {
    setValues((v) => ({ ...v, [field]: value }));
    setErrors((e) => ({ ...e, [field]: undefined, form: undefined }));
    setSaved(null);
  };

  const save = async () => {
    setSaved(null);
    const check = checkCredentialsForm(values);
    if (!check.ok) {
      setErrors(check.errors);
      return;
    }
    setSaving(true);
    try {
      const stored = await client.call('setCredentials', check.input);
      setValues(EMPTY);
      setErrors({});
      onCredentials(stored);
      setSaved('Stored in the system keychain.');
    } catch (error) {
      setErrors(fieldErrorsOfFailure(error, CREDENTIAL_FIELDS));
    } finally {
      setSaving(false);
    }
  };

  const clear = async () => {
    if (!confirmClear) {
      setConfirmClear(true);
      return;
    }
    setConfirmClear(false);
    try {
      onCredentials(await client.call('clearCredentials', {}));
      setSaved('Stored credentials removed.');
    } catch (error) {
      setErrors({ form: messageOf(error) });
    }
  };

  const testLogin = async () => {
    setLogin({ kind: 'running', text: 'Logging in to Robinhood…' });
    setCode('');
    setCodeError(undefined);
    try {
      setLogin(stepOf(await client.call('testLogin', {})));
    } catch (error) {
      setLogin({ kind: 'error', text: messageOf(error) });
    }
  };

  const submitCode = async () => {
    const check = checkVerificationCode(code);
    if (!check.ok) {
      setCodeError(check.error);
      return;
    }
    setCodeError(undefined);
    try {
      setLogin(stepOf(await client.call('submitVerificationCode', { code: check.code })));
    } catch (error) {
      setCodeError(messageOf(error));
    }
  };

  const anyStored = credentials.usernameStored || credentials.passwordStored || credentials.totpSecretStored;
  const placeholder = (stored: boolean) => (stored ? 'stored; type to replace' : '');
  return (
    <Section id="credentials" title="Robinhood login">
      {!credentials.keychainAvailable && (
        <div class="banner banner-error" role="note">
          <Icon name="lock" />
          <span>
            The system keychain is not available, so credentials cannot be stored.{' '}
            {credentials.keychainProblem ?? ''}
          </span>
        </div>
      )}
      {credentials.fromEnvironment && (
        <div class="banner banner-info" role="note">
          <span>Credentials come from the ROBINHOOD_* environment variables; change them there.</span>
        </div>
      )}
      <p class="section-intro muted">
        Values are written to the system keychain and never shown again; this window only learns whether each
        one is stored. Leave a field empty to keep what is stored.
      </p>
      <div class="field-grid">
        <TextField
          id="username"
          label="Username (e-mail)"
          value={values.username}
          onInput={set('username')}
          error={errors.username}
          disabled={locked}
          placeholder={placeholder(credentials.usernameStored)}
          badge={<StoredBadge stored={credentials.usernameStored} />}
        />
        <TextField
          id="password"
          label="Password"
          type="password"
          value={values.password}
          onInput={set('password')}
          error={errors.password}
          disabled={locked}
          autoComplete="new-password"
          placeholder={placeholder(credentials.passwordStored)}
          badge={<StoredBadge stored={credentials.passwordStored} />}
        />
        <TextField
          id="totpSecret"
          label="Authenticator (TOTP) secret"
          type="password"
          value={values.totpSecret}
          onInput={set('totpSecret')}
          error={errors.totpSecret}
          disabled={locked}
          autoComplete="off"
          placeholder={placeholder(credentials.totpSecretStored)}
          badge={<StoredBadge stored={credentials.totpSecretStored} />}
          hint="Optional. The base32 key shown when you set up an authenticator app, or an otpauth:// link."
        />
      </div>
      <FieldError id="credentials-form-error" message={errors.form} />
      {saved && (
        <p class="saved-note" role="status">
          <Icon name="check" /> {saved}
        </p>
      )}
      <div class="button-row">
        <button type="button" class="btn btn-primary" onClick={() => void save()} disabled={locked || saving}>
          Save credentials
        </button>
        <button type="button" class="btn" onClick={() => void testLogin()} disabled={step.kind === 'running'}>
          Test login
        </button>
        {anyStored && !credentials.fromEnvironment && (
          <button type="button" class="btn btn-danger" onClick={() => void clear()} disabled={locked}>
            {confirmClear ? 'Click again to remove' : 'Remove stored credentials'}
          </button>
        )}
      </div>

      {step.kind !== 'none' && (
        <div class={`login-result login-${step.kind}`} role="status" aria-live="polite">
          {step.kind === 'running' && <Icon name="sync" class="spin" />}
          {step.kind === 'ok' && <Icon name="check" />}
          {step.kind === 'error' && <Icon name="alert" />}
          {step.kind === 'approval' && <Icon name="clock" />}
          {step.kind === 'code' && <Icon name="key" />}
          <div class="login-body">
            <p>{step.text}</p>
            {step.kind === 'approval' && (
              <p class="muted">
                Approve the login in the Robinhood app on your phone. This window updates by itself when it is
                done.
              </p>
            )}
            {step.kind === 'code' && (
              <div class="code-row">
                <TextField
                  id="verificationCode"
                  label="Verification code"
                  value={code}
                  onInput={(v) => {
                    setCode(v);
                    setCodeError(undefined);
                  }}
                  error={codeError}
                  inputMode="numeric"
                  autoComplete="one-time-code"
                />
                <button type="button" class="btn btn-primary" onClick={() => void submitCode()}>
                  Submit code
                </button>
              </div>
            )}
          </div>
        </div>
      )}
    </Section>
  );
}
