/**
 * The device token Robinhood receives with every login. It must stay the same for one
 * installation: a new token makes Robinhood treat the login as a new device and ask for a
 * verification (SMS, e-mail or app approval) again.
 *
 * With a keychain it is a random UUID kept there. Without one (a headless server), nothing may be
 * written to a file, yet a random token per start would trigger a verification on every restart.
 * So it is derived: a SHA-256 of a fixed label, the machine id and the username, shaped like a UUID
 * (16 bytes as 8-4-4-4-12 hex, as robin_stocks generates them). The same machine and login always
 * give the same device; the hash reveals neither input, and the token alone grants nothing.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { SecretStore } from './secret-store.js';

const NAME = 'robinhood.deviceToken';
const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DERIVATION_LABEL = 'magnus-sync device token v1';

export function isDeviceToken(value: string): boolean {
  return UUID_SHAPE.test(value);
}

/** /etc/machine-id (systemd), else the D-Bus machine id, else the host name. */
export function readMachineId(): string {
  for (const path of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    try {
      const id = readFileSync(path, 'utf8').trim();
      if (id !== '') return id;
    } catch {
      // Not on this system (macOS, Windows, containers).
    }
  }
  return hostname();
}

/** The token a memory-only store uses for this machine and login. */
export function deriveDeviceToken(username: string, machineId: string): string {
  const hex = createHash('sha256')
    .update(`${DERIVATION_LABEL}\0${machineId.trim()}\0${username.trim().toLowerCase()}`)
    .digest('hex')
    .slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export async function getOrCreateDeviceToken(options: {
  secrets: SecretStore;
  username: string;
  machineId?: string;
}): Promise<string> {
  const { secrets, username } = options;
  if (secrets.kind === 'memory') {
    // Derived every time, so a change of login within one process changes the device with it.
    if (username.trim() === '') throw new TypeError('A username is needed to derive the device token.');
    const token = deriveDeviceToken(username, options.machineId ?? readMachineId());
    await secrets.set(NAME, token);
    return token;
  }
  const stored = await secrets.get(NAME);
  if (stored !== null && isDeviceToken(stored)) return stored;
  const token = randomUUID();
  await secrets.set(NAME, token);
  return token;
}
