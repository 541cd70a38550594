import { describe, expect, it } from 'vitest';
import { apiUrlProblem, parseCli, UsageError } from '../../main/cli/args.js';
import { ident, literal, roleNameProblem } from '../../main/store/compat/magnus-sql.js';

const usage = (argv: string[]) => {
  try {
    parseCli(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
};

describe('magnus-sync arguments', () => {
  it('defaults to a continuous sync on the embedded store', () => {
    expect(parseCli([])).toEqual({
      command: 'sync',
      once: false,
      interval: null,
      tradeInterval: null,
      serve: null,
      allowHosts: [],
      database: null,
      dataDir: null,
      apiUrl: null,
      demo: false,
      json: false,
      verbose: false,
    });
  });

  it('parses a full sync command line', () => {
    const cmd = parseCli([
      '--once',
      '--interval',
      '120',
      '--trade-interval=900',
      '--database',
      'postgres://u:p@db.example.com:5432/magnus',
      '--api-url',
      'http://127.0.0.1:4010',
      '--json',
      '--serve',
      '[::1]:8765',
    ]);
    expect(cmd).toMatchObject({
      command: 'sync',
      once: true,
      interval: 120,
      tradeInterval: 900,
      database: 'postgres://u:p@db.example.com:5432/magnus',
      apiUrl: 'http://127.0.0.1:4010',
      json: true,
      serve: { host: '::1', port: 8765 },
    });
  });

  it('serves the network only with the host names browsers will use', () => {
    expect(
      parseCli(['--serve', '0.0.0.0:8765', '--allow-host', 'nas.lan', '--allow-host', '192.168.1.20']),
    ).toMatchObject({ serve: { host: '0.0.0.0', port: 8765 }, allowHosts: ['nas.lan', '192.168.1.20'] });
    expect(parseCli(['--serve', '127.0.0.1:8765'])).toMatchObject({ allowHosts: [] });
  });

  it('parses the subcommands', () => {
    expect(parseCli(['login', '--data-dir', '/tmp/m'])).toMatchObject({
      command: 'login',
      dataDir: '/tmp/m',
    });
    expect(parseCli(['status', '--json'])).toMatchObject({ command: 'status', json: true });
    expect(parseCli(['export', '--format', 'csv', '--dataset', 'trades', '--out', 'x.csv'])).toMatchObject({
      command: 'export',
      format: 'csv',
      dataset: 'trades',
      out: 'x.csv',
    });
    expect(parseCli(['export', '--format', 'json'])).toMatchObject({ dataset: 'all', out: null });
    expect(parseCli(['sync', '--once'])).toMatchObject({ command: 'sync', once: true });
  });

  it('explains export datasets', () => {
    expect(() => parseCli(['export', '--format', 'csv'])).toThrow(/CSV exports one dataset at a time/);
    expect(() => parseCli(['export', '--format', 'json', '--dataset', 'fills'])).toThrow(
      /--dataset must be one of positions, orders, trades, snapshots, not "fills"/,
    );
    expect(() => parseCli(['--dataset', 'orders'])).toThrow(/--dataset belongs to the export command/);
    expect(parseCli(['--help'])).toEqual({ command: 'help' });
    expect(parseCli(['--version'])).toEqual({ command: 'version' });
  });

  it.each([
    [['--frobnicate'], 'Unknown option --frobnicate. Run magnus-sync --help.'],
    [['--interval'], 'Option --interval needs a value.'],
    [['--once=yes'], 'Option --once does not take a value.'],
    [['--interval', 'ten'], '--interval must be a whole number of seconds, not "ten".'],
    [['--interval', '5'], '--interval must be between 60 and 86400 seconds.'],
    [['--trade-interval', '10'], '--trade-interval must be between 300 and 604800 seconds.'],
    [['--database', 'mysql://x/y'], '--database must start with postgres:// or postgresql://.'],
    [
      ['--database', 'postgres://h:5432/'],
      '--database must name one database, e.g. postgres://user@localhost:5432/magnus.',
    ],
    [
      ['--database', 'postgres://h/db', '--data-dir', '/x'],
      'Use either --database (a PostgreSQL server) or --data-dir (the embedded database), not both.',
    ],
    [
      ['--api-url', 'http://evil.example.com'],
      '--api-url must use https unless it points at this machine (credentials would travel in clear text).',
    ],
    [
      ['--api-url', 'not a url'],
      '--api-url "not a url" is not a URL (expected e.g. https://api.robinhood.com).',
    ],
    [
      ['--demo', '--api-url', 'https://api.robinhood.com'],
      '--demo runs its own simulator; it cannot be combined with --api-url.',
    ],
    [['--serve', 'localhost'], '--serve must be HOST:PORT (e.g. 127.0.0.1:8765), not "localhost".'],
    [['--serve', '127.0.0.1:99999'], '--serve port must be between 0 and 65535.'],
    [
      ['--serve', '0.0.0.0:8765'],
      '--serve 0.0.0.0:8765 listens on the network: add --allow-host NAME for each name browsers will use to reach it.',
    ],
    [['--allow-host', 'nas.lan'], '--allow-host needs --serve.'],
    [
      ['--serve', '0.0.0.0:8765', '--allow-host', 'x/y'],
      '--allow-host must be a host name or address (optionally :port), not "x/y".',
    ],
    [['status', '--allow-host', 'nas.lan'], '--allow-host cannot be used with the status command.'],
    [['sing'], 'Unknown command "sing". Commands: login, logout, status, export, magnus-compat, db-url.'],
    [['export'], 'export needs --format csv or --format json.'],
    [['export', '--format', 'xml'], '--format must be csv or json, not "xml".'],
    [['status', '--once'], '--once cannot be used with the status command.'],
    [['--format', 'csv'], '--format belongs to the export command.'],
  ])('rejects %j with a clear message', (argv, message) => {
    expect(usage(argv)).toBe(message);
  });

  it('never repeats a database password in an error', () => {
    const message = usage(['--database', 'postgres://user:hunter2@host:5432/a/b']);
    expect(message).not.toContain('hunter2');
  });

  it('accepts https anywhere and http only on this machine', () => {
    expect(apiUrlProblem('https://api.robinhood.com')).toBeNull();
    expect(apiUrlProblem('http://localhost:8080')).toBeNull();
    expect(apiUrlProblem('http://127.0.0.2:8080')).toBeNull();
    expect(apiUrlProblem('https://user:pw@api.robinhood.com')).toBe(
      '--api-url must not contain credentials.',
    );
  });
});

describe('magnus-sync magnus-compat arguments', () => {
  it('parses the command with its database, role, account and --remove', () => {
    expect(
      parseCli([
        'magnus-compat',
        '--database',
        'postgres://agent@db.example.com:5432/magnus',
        '--grant',
        'dash',
        '--account',
        '****4141',
        '--remove',
      ]),
    ).toMatchObject({
      command: 'magnus-compat',
      database: 'postgres://agent@db.example.com:5432/magnus',
      grant: 'dash',
      account: '****4141',
      remove: true,
    });
    expect(parseCli(['magnus-compat', '--grant', 'dash'])).toMatchObject({ account: null, remove: false });
  });

  it('rejects a missing or unusable role, a full account number, the demo and a bad URL', () => {
    expect(usage(['magnus-compat'])).toBe("magnus-compat needs --grant ROLE (the dashboard's login).");
    expect(usage(['magnus-compat', '--grant', ''])).toBe('The dashboard role must not be empty.');
    expect(usage(['magnus-compat', '--grant', 'pg_read_all_data'])).toContain('is not a login role');
    expect(usage(['magnus-compat', '--grant', 'a\nb'])).toContain('control characters');
    expect(usage(['magnus-compat', '--grant', 'x'.repeat(64)])).toContain('longer than 63 bytes');
    expect(usage(['magnus-compat', '--grant', 'dash', '--account', '5QR24141'])).toBe(
      '--account must be a masked key such as ****4141, not "5QR24141".',
    );
    expect(usage(['magnus-compat', '--grant', 'dash', '--demo'])).toContain('needs a PostgreSQL database');
    expect(usage(['magnus-compat', '--grant', 'dash', '--database', 'mysql://x@y/z'])).toMatch(
      /^--database must start with postgres:\/\//,
    );
  });

  it('keeps its flags to itself', () => {
    expect(usage(['--once', '--grant', 'dash'])).toBe('--grant belongs to the magnus-compat command.');
    expect(usage(['status', '--remove'])).toBe('--remove belongs to the magnus-compat command.');
    expect(usage(['magnus-compat', '--grant', 'dash', '--api-url', 'http://127.0.0.1:1'])).toBe(
      '--api-url cannot be used with the magnus-compat command.',
    );
    expect(usage(['magnus-compat', '--grant', 'dash', '--once'])).toBe(
      '--once cannot be used with the magnus-compat command.',
    );
  });

  it('quotes names and values for SQL', () => {
    expect(ident('da"sh')).toBe('"da""sh"');
    expect(literal("it's")).toBe("'it''s'");
    expect(roleNameProblem('Dashboard Login')).toBeNull();
    expect(() => ident('a\u0000b')).toThrow(RangeError);
  });
});

describe('magnus-sync db-url arguments', () => {
  it('takes --data-dir and --demo, and nothing that names another database', () => {
    expect(parseCli(['db-url', '--data-dir', '/tmp/m', '--demo'])).toMatchObject({
      command: 'db-url',
      dataDir: '/tmp/m',
      demo: true,
    });
    expect(usage(['db-url', '--database', 'postgres://u@h/db'])).toBe(
      'db-url prints the embedded database URL; --database already is one.',
    );
    expect(usage(['db-url', '--api-url', 'https://api.robinhood.com'])).toBe(
      '--api-url cannot be used with the db-url command.',
    );
    expect(usage(['db-url', '--once'])).toBe('--once cannot be used with the db-url command.');
  });
});
