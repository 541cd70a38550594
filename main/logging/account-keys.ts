/**
 * Masked account keys: how an account is named everywhere outside memory (database rows, logs,
 * windows). A key is "****" followed by the last characters of the full account number.
 */

const MASK = '****';
const SUFFIX_LENGTH = 4;

/** "5QR12345" → "****2345". Shorter numbers keep all their characters after the mask. */
export function maskAccountNumber(full: string): string {
  const trimmed = full.trim();
  if (trimmed === '') throw new TypeError('An account number must not be empty.');
  return MASK + trimmed.slice(-SUFFIX_LENGTH);
}

/**
 * The key of every account of one login. When two accounts share their last four characters, only
 * those accounts get a longer suffix, one character at a time, until each is unique.
 *
 * The result depends only on the set of numbers (never on their order), so two agents that see
 * the same accounts compute the same keys and write to the same rows.
 */
export function accountKeysFor(fullNumbers: readonly string[]): Map<string, string> {
  const byTrimmed = new Map<string, string[]>();
  for (const full of fullNumbers) {
    const trimmed = full.trim();
    if (trimmed === '') throw new TypeError('An account number must not be empty.');
    const originals = byTrimmed.get(trimmed) ?? [];
    originals.push(full);
    byTrimmed.set(trimmed, originals);
  }

  const keys = new Map<string, string>();
  const assign = (numbers: string[], length: number): void => {
    const groups = new Map<string, string[]>();
    for (const n of numbers) {
      const suffix = n.slice(-length);
      groups.set(suffix, [...(groups.get(suffix) ?? []), n]);
    }
    for (const [suffix, group] of groups) {
      // Distinct numbers always separate: at full length the suffix is the number itself.
      if (group.length === 1) {
        for (const original of byTrimmed.get(group[0]!) ?? []) keys.set(original, MASK + suffix);
      } else {
        assign(group, length + 1);
      }
    }
  };
  assign([...byTrimmed.keys()], SUFFIX_LENGTH);
  return keys;
}
