/** The magnus-compat command line: every flag checked before anything is opened. */
import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../main/cli/args.js';
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
