/**
 * The masked account key: the only form of an account number the store accepts or keeps.
 * Full account numbers never reach the database, including inside raw broker payloads.
 * The key itself and how a number is masked live in main/logging/account-keys.ts.
 */
import { maskAccountNumber } from './account-keys.js';

export { isAccountKey } from './account-keys.js';

const ACCOUNT_FIELD = /^(rhs_|apex_)?account_numbers?$/i;
// Broker URLs carry the full number in the path: /accounts/<n>/, /positions/<n>/<id>/, /portfolios/<n>/.
// An account number has at least one digit, which keeps words such as "historicals" or "unified" intact.
const ACCOUNT_IN_URL =
  /\/(accounts|positions|portfolios|historicals)\/(?=[A-Za-z]*\d)([A-Za-z0-9]{5,})(?=\/|$|\?)/g;

function maskUrlSegments(value: string): string {
  return value.replace(ACCOUNT_IN_URL, (_all, kind: string, number: string) => {
    // Instrument ids (UUIDs, with dashes) never match the pattern above; account numbers do.
    return `/${kind}/${maskAccountNumber(number)}`;
  });
}

/**
 * Returns a copy of a broker payload with every account number masked: fields named
 * account_number / rhs_account_number / apex_account_number, and account numbers inside URLs.
 */
export function maskAccountReferences(value: unknown): unknown {
  if (typeof value === 'string') return maskUrlSegments(value);
  if (Array.isArray(value)) return value.map((v) => maskAccountReferences(v));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (ACCOUNT_FIELD.test(key) && (typeof v === 'string' || typeof v === 'number')) {
        out[key] = maskAccountNumber(String(v));
      } else if (ACCOUNT_FIELD.test(key) && Array.isArray(v)) {
        out[key] = v.map((n) =>
          typeof n === 'string' || typeof n === 'number' ? maskAccountNumber(String(n)) : n,
        );
      } else {
        out[key] = maskAccountReferences(v);
      }
    }
    return out;
  }
  return value;
}
