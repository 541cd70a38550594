/**
 * "For dashboards": how Grafana, Metabase, psql or a script connect to the embedded database. The
 * address is shown with a copy button; the password only when the user asks (desktop app only).
 */
import { useEffect, useState } from 'preact/hooks';
import type { EmbeddedDatabaseView, MagnusCompatSetup, SettingsView } from '../../../shared/settings.js';
import { CallFailure, messageOf, type RendererClient } from '../api/renderer-client.js';
import { Icon } from '../components/Icon.js';

async function copyText(text: string): Promise<string> {
  try {
    await navigator.clipboard.writeText(text);
    return 'Copied.';
  } catch {
    return 'Copying is not allowed here: select the text and copy it.';
  }
}

export function EmbeddedDatabaseSection({
  client,
  settings,
}: {
  client: RendererClient;
  /** The saved settings: the view is fetched again whenever they change. */
  settings: SettingsView;
}) {
  const [view, setView] = useState<EmbeddedDatabaseView | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [revealed, setRevealed] = useState<{ password: string; url: string } | null>(null);
  const [note, setNote] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    setRevealed(null);
    client
      .call('getEmbeddedDatabase', {})
      .then((answer) => current && setView(answer))
      .catch((error) => current && setProblem(messageOf(error)));
    return () => {
      current = false;
    };
  }, [settings]);

  if (problem) return <p class="field-error">{problem}</p>;
  if (!view) return null;
  if (!view.available)
    return (
      <p class="muted small" id="embedded-database-status">
        {view.message}
      </p>
    );

  const reveal = async () => {
    try {
      setRevealed(await client.call('revealEmbeddedDatabasePassword', {}));
      setNote(null);
    } catch (error) {
      setNote(messageOf(error));
    }
  };

  return (
    <section class="embedded-database" aria-labelledby="embedded-database-title">
      <h3 id="embedded-database-title">For dashboards and scripts</h3>
      <p class="muted small" id="embedded-database-status">
        {view.message} Point Grafana, Metabase, psql or a script at this address; see the README.
      </p>
      <div class="field">
        <div class="field-label-row">
          <label for="embeddedAddress">Address</label>
        </div>
        <div class="field-input-row">
          <input id="embeddedAddress" type="text" value={view.address ?? ''} readOnly />
          <button type="button" class="btn" onClick={() => void copyText(view.address ?? '').then(setNote)}>
            Copy address
          </button>
        </div>
      </div>
      {revealed ? (
        <div class="field">
          <div class="field-label-row">
            <label for="embeddedPassword">Database password</label>
          </div>
          <div class="field-input-row">
            <input id="embeddedPassword" type="text" value={revealed.password} readOnly />
            <button type="button" class="btn" onClick={() => void copyText(revealed.url).then(setNote)}>
              Copy URL with password
            </button>
            <button
              type="button"
              class="btn"
              onClick={() => {
                setRevealed(null);
                setNote(null);
              }}
            >
              <Icon name="eyeOff" /> Hide
            </button>
          </div>
        </div>
      ) : (
        view.canReveal && (
          <button type="button" class="btn" onClick={() => void reveal()}>
            <Icon name="eye" /> Show password
          </button>
        )
      )}
      {!view.canReveal && (
        <p class="muted small">The password is shown in the desktop app, or printed by magnus-sync db-url.</p>
      )}
      {note && (
        <p class="muted small" role="status">
          {note}
        </p>
      )}
      {view.canReveal && <MagnusCompatBlock client={client} />}
    </section>
  );
}

/**
 * "Magnus dashboard compatibility": the magnus_compat layer for a dashboard login on this database
 * (docs/magnus-compat.md), and the URL to give the original Magnus dashboard.
 */
function MagnusCompatBlock({ client }: { client: RendererClient }) {
  const [role, setRole] = useState('magnus_dashboard');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<MagnusCompatSetup | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const setUp = async () => {
    setBusy(true);
    setNote(null);
    try {
      setDone(await client.call('setUpMagnusCompat', { role: role.trim() }));
      setProblem(null);
    } catch (error) {
      setDone(null);
      setProblem(error instanceof CallFailure && error.fields?.role ? error.fields.role : messageOf(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="magnus-compat">
      <h3 id="magnus-compat-title">Magnus dashboard compatibility</h3>
      <p class="muted small">
        Lets the original Magnus dashboard read this database unchanged, logged in as its own login.
      </p>
      <div class="field">
        <div class="field-label-row">
          <label for="magnusCompatRole">Dashboard login</label>
        </div>
        <div class="field-input-row">
          <input
            id="magnusCompatRole"
            type="text"
            value={role}
            onInput={(e) => setRole((e.target as HTMLInputElement).value)}
            aria-invalid={problem ? 'true' : undefined}
            aria-describedby={problem ? 'magnusCompatRole-error' : undefined}
          />
          <button type="button" class="btn" disabled={busy} onClick={() => void setUp()}>
            Set up Magnus compatibility
          </button>
        </div>
        {problem && (
          <p class="field-error" id="magnusCompatRole-error">
            <Icon name="alert" /> {problem}
          </p>
        )}
      </div>
      {done && (
        <>
          <p class="saved-note" role="status">
            <Icon name="check" /> {done.message}
          </p>
          {done.dashboardUrl && (
            <div class="field">
              <div class="field-label-row">
                <label for="magnusDashboardUrl">Dashboard URL</label>
              </div>
              <div class="field-input-row">
                <input id="magnusDashboardUrl" type="text" value={done.dashboardUrl} readOnly />
                <button
                  type="button"
                  class="btn"
                  onClick={() => void copyText(done.dashboardUrl ?? '').then(setNote)}
                >
                  Copy dashboard URL
                </button>
              </div>
              <p class="muted small">
                {done.createdLogin
                  ? 'Give this URL to the dashboard (DATABASE_URL); its password is shown only now.'
                  : 'The login already existed: the dashboard uses the password it already has.'}
              </p>
            </div>
          )}
          {note && <p class="muted small">{note}</p>}
        </>
      )}
    </div>
  );
}
