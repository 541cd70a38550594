/** "2 min ago" / "in 3 min", and how often a page must re-render to keep such labels true. */

export function relativeTime(iso: string | null | undefined, now: Date): string {
  if (!iso) return 'never';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return 'unknown';
  const deltaS = Math.round((at - now.getTime()) / 1000);
  const abs = Math.abs(deltaS);
  if (abs < 5) return deltaS <= 0 ? 'just now' : 'now';
  let amount: string;
  if (abs < 60) amount = `${abs} s`;
  else if (abs < 3600) amount = `${Math.floor(abs / 60)} min`;
  else if (abs < 86_400) {
    const h = Math.floor(abs / 3600);
    const m = Math.floor((abs % 3600) / 60);
    amount = h < 6 && m ? `${h} h ${m} min` : `${h} h`;
  } else amount = `${Math.floor(abs / 86_400)} d`;
  return deltaS < 0 ? `${amount} ago` : `in ${amount}`;
}

/**
 * A second while any label counts seconds (under two minutes away), otherwise every 30 s; no
 * re-render at all when there is nothing relative on screen.
 */
export function tickIntervalMs(times: readonly (string | null | undefined)[], now: Date): number | null {
  let nearest = Number.POSITIVE_INFINITY;
  for (const t of times) {
    if (!t) continue;
    const at = Date.parse(t);
    if (!Number.isNaN(at)) nearest = Math.min(nearest, Math.abs(at - now.getTime()));
  }
  if (nearest === Number.POSITIVE_INFINITY) return null;
  return nearest < 120_000 ? 1000 : 30_000;
}

/** "Nov 28, 17:38:29" in the viewer's zone, for tooltips next to a relative label. */
export function absoluteTime(iso: string | null | undefined, locale = 'en-US', timeZone?: string): string {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  return at.toLocaleString(locale, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
    ...(timeZone ? { timeZone } : {}),
  });
}
