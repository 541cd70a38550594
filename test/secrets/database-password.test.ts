import { describe, expect, it } from 'vitest';
import {
  clearDatabasePassword,
  DatabaseUrlError,
  databasePasswordStored,
  joinDatabaseUrl,
  splitDatabaseUrl,
  storeDatabasePassword,
  withStoredDatabasePassword,
} from '../../main/secrets/database-password.js';
import { MemorySecretStore } from '../../main/secrets/memory-store.js';

describe('splitDatabaseUrl / joinDatabaseUrl', () => {
  it('takes the password out of the user-info part, decoded', () => {
    expect(
      splitDatabaseUrl('postgres://sync:p%40ss%2Fw%3Ard@db.example.com:5432/magnus?sslmode=require'),
    ).toEqual({
      url: 'postgres://sync@db.example.com:5432/magnus?sslmode=require',
      password: 'p@ss/w:rd',
    });
    expect(splitDatabaseUrl('postgresql://sync@localhost/magnus')).toEqual({
      url: 'postgresql://sync@localhost/magnus',
      password: null,
    });
  });

  it('takes a ?password= parameter out too', () => {
    expect(splitDatabaseUrl('postgres://sync@localhost:5432/magnus?password=s3cret&sslmode=disable')).toEqual(
      {
        url: 'postgres://sync@localhost:5432/magnus?sslmode=disable',
        password: 's3cret',
      },
    );
  });

  it('round-trips passwords with every awkward character', () => {
    for (const password of ['p@ss', '%41%', 'a:b/c?d#e', 'ünï cødé', 'q\'"\\']) {
      const joined = joinDatabaseUrl('postgres://sync@localhost:5432/magnus', password);
      expect(splitDatabaseUrl(joined)).toEqual({ url: 'postgres://sync@localhost:5432/magnus', password });
    }
    expect(joinDatabaseUrl('postgres://sync:old@localhost/magnus', 'new')).toBe(
      'postgres://sync:new@localhost/magnus',
    );
    expect(joinDatabaseUrl('postgres://sync@localhost/magnus', null)).toBe(
      'postgres://sync@localhost/magnus',
    );
  });

  it('rejects a bad URL without repeating it', () => {
    for (const bad of ['not a url with secretpw', 'mysql://u:secretpw@h/db', 'postgres://u:secretpw@h/']) {
      const error = (() => {
        try {
          splitDatabaseUrl(bad);
        } catch (e) {
          return e as Error;
        }
        throw new Error('expected an error');
      })();
      expect(error).toBeInstanceOf(DatabaseUrlError);
      expect(error.message).toMatch(/^Database URL /);
      expect(error.message).not.toContain('secretpw');
    }
  });
});

describe('the database password in the secret store', () => {
  it('moves a typed password into the store and puts it back for connecting', async () => {
    const secrets = new MemorySecretStore();
    const kept = await storeDatabasePassword(secrets, 'postgres://sync:pw-1@db.example.com/magnus');
    expect(kept).toBe('postgres://sync@db.example.com/magnus');
    expect(await secrets.get('database.password')).toBe('pw-1');
    expect(await databasePasswordStored(secrets)).toBe(true);
    expect(await withStoredDatabasePassword(secrets, kept)).toBe(
      'postgres://sync:pw-1@db.example.com/magnus',
    );

    // Saving the form again (the URL shown without its password) keeps the stored one.
    expect(await storeDatabasePassword(secrets, kept)).toBe(kept);
    expect(await secrets.get('database.password')).toBe('pw-1');

    await clearDatabasePassword(secrets);
    expect(await databasePasswordStored(secrets)).toBe(false);
    expect(await withStoredDatabasePassword(secrets, kept)).toBe(kept);
  });
});
