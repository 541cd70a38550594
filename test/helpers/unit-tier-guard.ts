/**
 * Setup file of the unit tier (vitest project `unit`, files named `*.test.ts`): a unit test runs in
 * this process and needs no database, no child process and no keychain. Any attempt to use one
 * throws UnitTierViolation naming what was used, so a slow test cannot creep into the fast tier;
 * such a test belongs in a `*.integration.test.ts` file.
 *
 * Refused here: every child_process entry point, a TCP connection to the PostgreSQL port (or a
 * PostgreSQL Unix socket), the OS keychain; the embedded PostgreSQL server is a child process.
 * Allowed: in-process HTTP servers on loopback (the simulator, the web server) and temp files.
 */
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { vi } from 'vitest';

export class UnitTierViolation extends Error {
  override name = 'UnitTierViolation';
  constructor(what: string) {
    super(`${what} is not allowed in a unit test; name the file *.integration.test.ts`);
  }
}

const refuse = (what: string) => () => {
  throw new UnitTierViolation(what);
};

const childProcessCalls = [
  'spawn',
  'spawnSync',
  'fork',
  'exec',
  'execSync',
  'execFile',
  'execFileSync',
] as const;
for (const name of childProcessCalls) {
  Object.defineProperty(childProcess, name, {
    value: refuse(`child_process.${name}`),
    configurable: true,
    writable: true,
  });
}

const POSTGRES_PORT = Number(
  new URL(process.env.MAGNUS_TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres').port || 5432,
);
const originalConnect = net.Socket.prototype.connect;
/** The target of a Socket#connect call: (options, cb), (port, host, cb) or (path, cb). */
function connectTarget(args: unknown[]): { port?: number; path?: string } {
  const [first] = args;
  if (typeof first === 'object' && first !== null) {
    const options = first as { port?: number | string; path?: string };
    return { port: options.port === undefined ? undefined : Number(options.port), path: options.path };
  }
  if (typeof first === 'number') return { port: first };
  if (typeof first === 'string') return /^\d+$/.test(first) ? { port: Number(first) } : { path: first };
  return {};
}
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const { port, path } = connectTarget(args);
  if (port === POSTGRES_PORT || path?.includes('.s.PGSQL'))
    throw new UnitTierViolation(`A PostgreSQL connection (${path ?? `port ${port}`})`);
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;

syncBuiltinESMExports();

/** The real class with every way of opening a database refused (its static members stay). */
function refusedClass<T extends object>(real: T, what: string): T {
  return new Proxy(real, {
    construct() {
      throw new UnitTierViolation(what);
    },
    get(target, key, receiver) {
      if (key === 'create')
        return () => {
          throw new UnitTierViolation(what);
        };
      return Reflect.get(target, key, receiver);
    },
  });
}

vi.mock('@napi-rs/keyring', async (importOriginal) => {
  const original = await importOriginal<typeof import('@napi-rs/keyring')>();
  return {
    ...original,
    Entry: refusedClass(original.Entry, 'The OS keychain'),
    AsyncEntry: refusedClass(original.AsyncEntry, 'The OS keychain'),
  };
});
