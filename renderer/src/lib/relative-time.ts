/** How often a page must re-render to keep relative labels (shared/relative-time.ts) true. */

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
