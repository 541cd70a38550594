/**
 * The desktop's URL allow-list: only https links to the listed hosts open in the user's browser,
 * and a window's openExternal call off the list is refused before it reaches the engine.
 */
import { describe, expect, it, vi } from 'vitest';
import { checkingExternalLinks, externalUrlProblem } from '../../main/desktop/external-url.js';
import { dispatch } from '../../main/runtime/dispatch.js';
import { collectingLogger } from '../../main/util/logger.js';
import type { Handlers } from '../../shared/contract.js';

describe('external links', () => {
  it('allows only https links to the listed hosts', () => {
    expect(externalUrlProblem('https://robinhood.com/account')).toBeNull();
    expect(externalUrlProblem('https://github.com/x/y')).toBeNull();
    expect(externalUrlProblem('http://robinhood.com/')).toBe('Only https links can be opened.');
    expect(externalUrlProblem('https://evil.example/')).toBe(
      'Links to evil.example are not opened from the app.',
    );
    expect(externalUrlProblem('javascript:alert(1)')).toBe('Only https links can be opened.');
    expect(externalUrlProblem('not a url')).toBe('Not a valid URL.');
  });

  it('refuses a link off the list before the engine gets the call; relays an allowed one', async () => {
    const openExternal = vi.fn(async () => ({ message: 'Opened in your browser.' }));
    const handlers = checkingExternalLinks({ openExternal } as unknown as Handlers);
    const o = { logger: collectingLogger(), via: 'ipc' };
    expect(await dispatch(handlers, 'openExternal', { url: 'https://evil.example/phish' }, o)).toEqual({
      ok: false,
      error: { code: 'refused', message: 'Links to evil.example are not opened from the app.' },
    });
    expect(openExternal).not.toHaveBeenCalled();
    expect(await dispatch(handlers, 'openExternal', { url: 'https://robinhood.com/' }, o)).toEqual({
      ok: true,
      value: { message: 'Opened in your browser.' },
    });
    expect(openExternal).toHaveBeenCalledWith({ url: 'https://robinhood.com/' });
  });
});
