/**
 * The embedded server's password: generated at its first start, then kept by a vault. The app
 * passes a keychain vault; where no keychain exists the password is a 0600 file in the data folder
 * (docs/database.md says so), which is also the default for callers that pass none.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface EmbeddedPasswordVault {
  readonly where: 'keychain' | 'file';
  read(): Promise<string | null>;
  write(password: string): Promise<void>;
}

export const PASSWORD_FILE = 'embedded-password';

export function filePasswordVault(dataDir: string): EmbeddedPasswordVault {
  const file = join(dataDir, PASSWORD_FILE);
  return {
    where: 'file',
    async read() {
      try {
        const value = readFileSync(file, 'utf8').trim();
        return value === '' ? null : value;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async write(password) {
      writeFileSync(file, `${password}\n`, { mode: 0o600 });
      chmodSync(file, 0o600);
    },
  };
}

/** 32 URL-safe characters (192 bits): nothing to escape in a connection URL. */
export function generatePassword(): string {
  return randomBytes(24).toString('base64url');
}

/** The stored password, or a new one stored first. */
export async function passwordFor(
  vault: EmbeddedPasswordVault,
): Promise<{ password: string; created: boolean }> {
  const stored = await vault.read();
  if (stored) return { password: stored, created: false };
  const password = generatePassword();
  await vault.write(password);
  return { password, created: true };
}
