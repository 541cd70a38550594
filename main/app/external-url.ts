/** Which links a window may open in the user's browser (the runtime and the desktop shell both check). */

/** Hosts the windows may open in the user's browser. */
export const EXTERNAL_URL_HOSTS = ['robinhood.com', 'www.robinhood.com', 'github.com'] as const;

export function externalUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'Not a valid URL.';
  }
  if (parsed.protocol !== 'https:') return 'Only https links can be opened.';
  if (!(EXTERNAL_URL_HOSTS as readonly string[]).includes(parsed.hostname)) {
    return `Links to ${parsed.hostname} are not opened from the app.`;
  }
  return null;
}
