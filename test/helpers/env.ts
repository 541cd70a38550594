/**
 * What this machine can run. A test that needs something missing (Chromium, a Secret Service)
 * is skipped with the reason, unless MAGNUS_TEST_STRICT=1 (CI), where a missing part is a failure.
 */
import { existsSync } from 'node:fs';

export const STRICT = process.env.MAGNUS_TEST_STRICT === '1';
const CHROMIUM_PATH = process.env.MAGNUS_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** Set by test/run-all.mjs after it started an unlocked gnome-keyring in a private D-Bus session. */
export function keyringSessionAvailable(): boolean {
  return process.env.MAGNUS_TEST_KEYRING === '1' && Boolean(process.env.DBUS_SESSION_BUS_ADDRESS);
}

/**
 * Returns true when the suite should be skipped; in strict mode a missing requirement throws,
 * so the suite fails loudly instead.
 */
export function skipUnless(available: boolean, what: string): boolean {
  if (available) return false;
  if (STRICT)
    throw new Error(`${what} is required in strict mode (MAGNUS_TEST_STRICT=1) but is not available`);
  console.warn(`skipping: ${what} is not available on this machine`);
  return true;
}
