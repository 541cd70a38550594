/**
 * "2 min ago" / "in 3 min": the one way the app words a time relative to now, used by the tray
 * (main/desktop/tray.ts) and the windows (renderer/src/components/bits.tsx), so both say the same
 * thing about the same moment.
 */

/** Closer to now than this (either side) is "just now" / "in <1 min": seconds are noise there. */
export const JUST_NOW_SECONDS = 45;

export function relativeTime(iso: string | null | undefined, now: Date): string {
  if (!iso) return 'never';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return 'unknown';
  const deltaS = Math.round((at - now.getTime()) / 1000);
  const abs = Math.abs(deltaS);
  if (abs < JUST_NOW_SECONDS) return deltaS <= 0 ? 'just now' : 'in <1 min';
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
