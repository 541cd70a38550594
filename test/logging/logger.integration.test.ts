import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, type LogLevel, logFileName } from '../../main/logging/logger.js';
import { Redactor } from '../../main/logging/redactor.js';
import { databaseErrorMeta } from '../../main/store/config.js';
import { errorMeta } from '../../main/util/errors.js';

const root = mkdtempSync(join(tmpdir(), 'magnus-log-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = () => join(root, `logs-${++dirCount}`);

const SECRETS = {
  password: 'hunter2-Corr3ct!horse',
  totp: 'JBSWY3DPEHPK3PXPJBSWY3DP',
  username: 'jane.doe+rh@example.com',
  accessToken: 'opaque-access-token-4f9d2c7e1a',
  refreshToken: 'opaque-refresh-token-77c1e0b2',
  account: '5QR12345',
};
/** Never registered: they must be caught by their shape. */
const UNREGISTERED = {
  bearer: 'b3arerTok3nValue9x',
  jwt: 'eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoiMTIzIn0.c2lnbmF0dXJlLXZhbHVl',
  urlPassword: 'pgS3cretPw',
  formPassword: 'formPw-998877',
};
const FORBIDDEN = [
  ...Object.values(SECRETS),
  ...Object.values(UNREGISTERED),
  encodeURIComponent(SECRETS.username),
];

function collect() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  return { stream, text: () => text };
}

function setup(logDir: string | null, level: LogLevel = 'info', console: boolean | 'json' = true) {
  const redactor = new Redactor();
  redactor.register(SECRETS.password);
  redactor.register(SECRETS.totp);
  redactor.register(SECRETS.username);
  redactor.register(SECRETS.accessToken);
  redactor.register(SECRETS.refreshToken);
  redactor.registerAccountNumber(SECRETS.account);
  const out = collect();
  const logger = createLogger({ logDir, level, console, redactor, consoleStream: out.stream });
  return { logger, out, redactor };
}

/** Every byte of every file in the folder (logs and the rotation's audit file). */
function folderBytes(dir: string): string {
  return readdirSync(dir)
    .map((name) => readFileSync(join(dir, name)).toString('latin1'))
    .join('\n');
}

function logFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => /^magnus-sync-\d{4}-\d{2}-\d{2}\.log$/.test(name));
}

function logEverySecret(logger: ReturnType<typeof setup>['logger']) {
  logger.info(`login as ${SECRETS.username} with ${SECRETS.password}`, {
    totpSecret: SECRETS.totp,
    tokens: { access_token: SECRETS.accessToken, refresh: SECRETS.refreshToken },
    account: SECRETS.account,
  });
  logger.warn(`request sent Authorization: Bearer ${UNREGISTERED.bearer}`, {
    body: `username=${encodeURIComponent(SECRETS.username)}&password=${UNREGISTERED.formPassword}&mfa_code=123456`,
    jwt: UNREGISTERED.jwt,
  });
  logger.error('database unreachable', {
    url: `postgres://sync:${UNREGISTERED.urlPassword}@db.example.com:5432/magnus`,
    error: Object.assign(new Error(`connect failed for ${SECRETS.username} (${SECRETS.account})`), {
      code: 'ECONNREFUSED',
    }),
  });
  logger.child({ account: SECRETS.account, stream: 'account-state' }).info('positions written', { rows: 12 });
}

describe('createLogger: the log file', () => {
  it('writes JSON lines with a timestamp into magnus-sync-<date>.log', async () => {
    const dir = freshDir();
    const before = logFileName(new Date());
    const { logger } = setup(dir);
    logger.info('sync finished', { rows: 3, streams: ['account-state'] });
    logger.warn('slow response', { ms: 812 });
    await logger.close();

    expect(logFiles(dir)).toHaveLength(1);
    expect([before, logFileName(new Date())]).toContain(logFiles(dir)[0]);
    const lines = readFileSync(join(dir, logFiles(dir)[0]!), 'utf8')
      .trimEnd()
      .split('\n');
    expect(lines).toHaveLength(2);
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records[0]).toMatchObject({
      level: 'info',
      message: 'sync finished',
      rows: 3,
      streams: ['account-state'],
    });
    expect(records[1]).toMatchObject({ level: 'warn', message: 'slow response', ms: 812 });
    for (const r of records) expect(Number.isNaN(Date.parse(String(r.timestamp)))).toBe(false);
    expect(logger.logFileProblem()).toBeNull();
  });

  it('drops records below the level and keeps child meta', async () => {
    const dir = freshDir();
    const { logger } = setup(dir, 'info');
    logger.debug('not written');
    logger.child({ stream: 'history' }).child({ page: 2 }).info('page fetched', { page: 3 });
    await logger.close();
    const records = readFileSync(join(dir, logFiles(dir)[0]!), 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ message: 'page fetched', stream: 'history', page: 3 });
  });

  it('never lets a secret reach the file or the console', async () => {
    const dir = freshDir();
    const { logger, out } = setup(dir, 'debug');
    logEverySecret(logger);
    await logger.close();

    const bytes = folderBytes(dir);
    const consoleText = out.text();
    for (const secret of FORBIDDEN) {
      expect(bytes, `file leaks ${secret.slice(0, 4)}…`).not.toContain(secret);
      expect(consoleText, `console leaks ${secret.slice(0, 4)}…`).not.toContain(secret);
    }
    // The records are there, with the secrets replaced.
    for (const text of [bytes, consoleText]) {
      expect(text).toContain('****2345');
      expect(text).toContain('[REDACTED]');
      expect(text).toContain('positions written');
      expect(text).toContain('postgres://sync:[REDACTED]@db.example.com:5432/magnus');
      expect(text).toContain('ECONNREFUSED');
    }
    expect(
      readFileSync(join(dir, logFiles(dir)[0]!), 'utf8')
        .trimEnd()
        .split('\n'),
    ).toHaveLength(4);
  });

  it('serialises errors with kind, message and code; the stack only at debug', async () => {
    for (const level of ['info', 'debug'] as const) {
      const dir = freshDir();
      const { logger } = setup(dir, level);
      logger.error('cycle failed', { error: Object.assign(new RangeError('bad page'), { code: 'E_PAGE' }) });
      await logger.close();
      const record = JSON.parse(readFileSync(join(dir, logFiles(dir)[0]!), 'utf8')) as {
        error: Record<string, unknown>;
      };
      expect(record.error).toMatchObject({ kind: 'RangeError', message: 'bad page', code: 'E_PAGE' });
      if (level === 'debug') expect(String(record.error.stack)).toMatch(/RangeError: bad page\n\s+at /);
      else expect(record.error.stack).toBeUndefined();
    }
  });
});

describe('createLogger: one shape for logged errors', () => {
  it('writes every kind of error as { error: { kind, message } } with its secrets removed', async () => {
    const dir = freshDir();
    const { logger } = setup(dir, 'info');
    const url = `postgres://magnus:${UNREGISTERED.urlPassword}@db.example:5432/magnus`;
    // An Error, a classified cycle error, a thrown string, and a database error naming its URL.
    logger.warn('an Error', errorMeta(new TypeError(`token ${SECRETS.accessToken} rejected`)));
    logger.warn(
      'a cycle error',
      errorMeta({ kind: 'auth', message: `login as ${SECRETS.username} refused` }),
    );
    logger.warn('a thrown string', errorMeta(`password ${SECRETS.password} is wrong`));
    logger.warn('a database error', databaseErrorMeta(new Error(`connect to ${url} failed`), url));
    await logger.close();
    const records = readFileSync(join(dir, logFiles(dir)[0]!), 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { message: string; error: Record<string, unknown> });
    expect(records.map((r) => [r.message, Object.keys(r.error).sort()])).toEqual([
      ['an Error', ['kind', 'message']],
      ['a cycle error', ['kind', 'message']],
      ['a thrown string', ['kind', 'message']],
      ['a database error', ['kind', 'message']],
    ]);
    expect(records.map((r) => r.error.kind)).toEqual(['TypeError', 'auth', 'thrown', 'Error']);
    expect(records[0]!.error.message).toBe('token [REDACTED] rejected');
    expect(records[2]!.error.message).toBe('password [REDACTED] is wrong');
    const text = folderBytes(dir);
    for (const secret of FORBIDDEN) expect(text).not.toContain(secret);
  });
});

describe('createLogger: the console', () => {
  it('writes human-readable lines by default and JSON lines on request', async () => {
    const human = setup(null);
    human.logger.info('sync finished', { rows: 3 });
    await human.logger.close();
    expect(human.out.text()).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO {2}sync finished \{"rows":3\}\n$/);

    const json = setup(null, 'info', 'json');
    json.logger.info('sync finished', { rows: 3 });
    await json.logger.close();
    expect(JSON.parse(json.out.text())).toMatchObject({ level: 'info', message: 'sync finished', rows: 3 });
  });

  it('redacts what reaches the real stderr of a process', () => {
    const script = fileURLToPath(new URL('./fixtures/log-to-stderr.ts', import.meta.url));
    const result = spawnSync(process.execPath, ['--import', 'tsx', script], {
      encoding: 'utf8',
      env: { ...process.env, LOG_SECRET: SECRETS.password, LOG_JWT: UNREGISTERED.jwt },
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('INFO  child says [REDACTED] and Bearer [REDACTED]');
    expect(result.stderr).not.toContain(SECRETS.password);
    expect(result.stderr).not.toContain(UNREGISTERED.jwt);
  });

  it('ignores calls after close and never throws', async () => {
    const { logger, out } = setup(null);
    await logger.close();
    await logger.close();
    expect(() => logger.info('late')).not.toThrow();
    expect(out.text()).toBe('');
  });
});

describe('createLogger: a log file that cannot be written', () => {
  it('keeps logging to the console when the folder cannot be created (its parent is a file)', async () => {
    const parentFile = join(root, `not-a-folder-${++dirCount}`);
    writeFileSync(parentFile, 'x');
    const dir = join(parentFile, 'logs');
    const { logger, out } = setup(dir);
    expect(() => logger.info(`first after failure, user ${SECRETS.username}`)).not.toThrow();
    logger.warn('second');
    await logger.close();

    const text = out.text();
    expect(text.match(/cannot be written/g)).toHaveLength(1);
    expect(text).toContain('ENOTDIR');
    expect(text).toContain('first after failure, user [REDACTED]');
    expect(text).toContain('second');
    expect(logger.logFileProblem()).toMatch(/^The log file in .*logs cannot be written \(ENOTDIR/);
    expect(existsSync(dir)).toBe(false);
  });

  it('survives write errors (a full disk: the day file is /dev/full), reported once', async () => {
    const dir = freshDir();
    mkdirSync(dir);
    const now = new Date();
    for (const day of [now, new Date(now.getTime() + 86_400_000)]) {
      symlinkSync('/dev/full', join(dir, logFileName(day)));
    }
    const { logger, out } = setup(dir);
    for (let i = 0; i < 5; i++) logger.info(`record ${i} for ${SECRETS.account}`);
    // The failure arrives asynchronously from the file stream; wait for it, then keep logging.
    await expect.poll(() => logger.logFileProblem(), { timeout: 5000 }).toMatch(/ENOSPC/);
    logger.info('after the failure');
    logger.error('still here');
    await logger.close();

    const text = out.text();
    expect(text.match(/cannot be written/g)).toHaveLength(1);
    expect(text).toContain('ENOSPC: no space left on device');
    expect(text).toContain('record 4 for ****2345');
    expect(text).toContain('after the failure');
    expect(text).toContain('still here');
    expect(text).not.toContain(SECRETS.account);
  });

  it('reports the problem on stderr when the console transport is off', () => {
    const parentFile = join(root, `not-a-folder-${++dirCount}`);
    writeFileSync(parentFile, 'x');
    const script = fileURLToPath(new URL('./fixtures/log-without-console.ts', import.meta.url));
    const result = spawnSync(process.execPath, ['--import', 'tsx', script, join(parentFile, 'logs')], {
      encoding: 'utf8',
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr.match(/cannot be written/g)).toHaveLength(1);
    expect(result.stdout.trim()).toBe('still running');
  });
});
