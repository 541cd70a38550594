/**
 * The one dispatcher every transport uses: unknown names and invalid payloads never reach a
 * handler, a handler's CallFailure crosses with its code, message and fields, and any other error
 * becomes `internal` with its message only in the log.
 */
import { describe, expect, it, vi } from 'vitest';
import { dispatch } from '../../main/runtime/dispatch.js';
import { collectingLogger } from '../../main/util/logger.js';
import { CallFailure } from '../../shared/call-result.js';
import type { Handlers } from '../../shared/contract.js';

function handlersWith(overrides: Partial<Handlers>): Handlers {
  return new Proxy(overrides as Handlers, {
    get: (target, name: string) =>
      (target as Record<string, unknown>)[name] ??
      (() => {
        throw new Error(`unexpected call ${name}`);
      }),
  });
}

describe('dispatch', () => {
  it('answers an unknown call without running anything', async () => {
    const logger = collectingLogger();
    expect(await dispatch(handlersWith({}), 'dropTables<script>', {}, { logger, via: 'test' })).toEqual({
      ok: false,
      error: { code: 'unknown-call', message: 'There is no call named "dropTablesscript".' },
    });
  });

  it('validates the payload with the call schema: per-field messages, and the handler does not run', async () => {
    const updateSettings = vi.fn(async () => {
      throw new Error('must not run');
    });
    const result = await dispatch(
      handlersWith({ updateSettings }),
      'updateSettings',
      { syncIntervalSeconds: 5, bogus: 1 },
      { logger: collectingLogger(), via: 'test' },
    );
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'invalid-request',
        message:
          'Invalid request: syncIntervalSeconds: Sync interval must be a whole number of seconds between 60 and 86400.; Unknown field(s): bogus.',
        fields: {
          form: 'Unknown field(s): bogus.',
          syncIntervalSeconds: 'Sync interval must be a whole number of seconds between 60 and 86400.',
        },
      },
    });
    expect(updateSettings).not.toHaveBeenCalled();
  });

  it('passes the parsed payload and answers with the value', async () => {
    const getClosedTrades = vi.fn(async (request: unknown) => ({ echoed: request }));
    const result = await dispatch(
      handlersWith({ getClosedTrades } as unknown as Partial<Handlers>),
      'getClosedTrades',
      { accountKey: 'all', period: 'month', symbol: ' BRK.B ' },
      { logger: collectingLogger(), via: 'test' },
    );
    expect(result).toEqual({
      ok: true,
      value: { echoed: { accountKey: 'all', period: 'month', symbol: 'BRK.B' } },
    });
  });

  it("keeps a handler's CallFailure as it is: code, message and fields", async () => {
    const logger = collectingLogger();
    const syncNow = async () => {
      throw CallFailure.refused('Log in first (Settings).');
    };
    const setCredentials = async () => {
      throw CallFailure.invalid({ totpSecret: 'Not base32.' });
    };
    const handlers = handlersWith({ syncNow, setCredentials });
    expect(await dispatch(handlers, 'syncNow', {}, { logger, via: 'test' })).toEqual({
      ok: false,
      error: { code: 'refused', message: 'Log in first (Settings).' },
    });
    expect(await dispatch(handlers, 'setCredentials', { username: 'me' }, { logger, via: 'test' })).toEqual({
      ok: false,
      error: {
        code: 'invalid-request',
        message: 'Invalid request: totpSecret: Not base32.',
        fields: { totpSecret: 'Not base32.' },
      },
    });
    expect(logger.records).toEqual([]);
  });

  it('turns any other error into internal; its message goes to the log only', async () => {
    const logger = collectingLogger();
    const getStats = async () => {
      throw new Error('connect ECONNREFUSED postgres://sync:pa55word@db/magnus');
    };
    const result = await dispatch(handlersWith({ getStats }), 'getStats', {}, { logger, via: 'ipc' });
    expect(result).toEqual({
      ok: false,
      error: { code: 'internal', message: 'The getStats call failed; the log has the details.' },
    });
    expect(JSON.stringify(result)).not.toContain('pa55word');
    expect(logger.records).toEqual([
      {
        level: 'error',
        message: 'ipc: call getStats failed',
        meta: { error: 'connect ECONNREFUSED postgres://sync:pa55word@db/magnus' },
      },
    ]);
  });
});
