/**
 * One line for what moves inside a sync step, shared by the status window and the tray tooltip:
 * "12 pages · 40 requests · back to 2024-03-14 · 42 s rate-limit wait".
 */
import type { StepActivity } from './models.js';

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Whole seconds ("42 s"), "<1 s" under a second, minutes and seconds from a minute on ("2 min 5 s"). */
export function waitText(ms: number): string {
  if (ms < 1000) return '<1 s';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

export function activityLine(activity: StepActivity): string {
  const parts = [count(activity.pages, 'page', 'pages'), count(activity.requests, 'request', 'requests')];
  if (activity.reachedDate) parts.push(`back to ${activity.reachedDate}`);
  if (activity.rateLimitWaitMs > 0) parts.push(`${waitText(activity.rateLimitWaitMs)} rate-limit wait`);
  return parts.join(' · ');
}
