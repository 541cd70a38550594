/**
 * The desktop's URL allow-list: which links a window may open in the user's browser. The main
 * process checks a window's openExternal call before relaying it to the engine, and checks again
 * before `shell.openExternal`; navigation guards use the same list.
 */
import { CallFailure } from '../../shared/call-result.js';
import type { Handlers } from '../../shared/contract.js';

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

/** The handlers with openExternal refusing a link off the allow-list before it goes further. */
export function checkingExternalLinks(handlers: Handlers): Handlers {
  return {
    ...handlers,
    openExternal: async (request) => {
      const problem = externalUrlProblem(request.url);
      if (problem) throw CallFailure.refused(problem);
      return handlers.openExternal(request);
    },
  };
}
