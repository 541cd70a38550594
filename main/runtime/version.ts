/**
 * The app's version, read once from the package.json this module ships in (dist/main/runtime/ when
 * compiled, main/runtime/ from source).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null = null;

export function appVersion(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i += 1) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'magnus-sync' && pkg.version) {
        cached = pkg.version;
        return cached;
      }
    } catch {
      // not here: look one folder up
    }
    dir = dirname(dir);
  }
  cached = '0.0.0';
  return cached;
}
