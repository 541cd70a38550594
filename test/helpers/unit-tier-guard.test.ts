/**
 * The unit tier's guard (unit-tier-guard.ts, loaded by the vitest project `unit`): each way a test
 * could reach a database, a child process or the keychain throws UnitTierViolation here.
 */
import { execFileSync, spawn } from 'node:child_process';
import { AsyncEntry } from '@napi-rs/keyring';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { UnitTierViolation } from './unit-tier-guard.js';

describe('unit tier guard', () => {
  it('refuses child processes, through the ESM bindings and through require', async () => {
    expect(() => spawn(process.execPath, ['-e', '0'])).toThrow(UnitTierViolation);
    expect(() => execFileSync(process.execPath, ['-e', '0'])).toThrow(/child_process\.execFileSync/);
    const { createRequire } = await import('node:module');
    const required = createRequire(import.meta.url)(
      'node:child_process',
    ) as typeof import('node:child_process');
    expect(() => required.fork('x.js')).toThrow(UnitTierViolation);
  });

  it('refuses a PostgreSQL connection before any packet is sent', async () => {
    const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
    await expect(client.connect()).rejects.toThrow(/PostgreSQL connection \(port 5432\)/);
  });

  it('refuses the keychain', () => {
    expect(() => new AsyncEntry('magnus-sync-test', 'nobody')).toThrow(/OS keychain/);
  });

  it('lets in-process loopback servers through (the simulator and the web server use them)', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
