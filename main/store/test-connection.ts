/** "Test connection" in the settings window: connects once, saves nothing, never echoes a password. */
import pg from 'pg';
import { postgresUrlProblem } from '../../shared/settings.js';
import { redactMessage, redactUrl } from './config.js';
import { pgConnectionConfig } from './database.js';

export async function testPostgresConnection(
  url: string,
  options: { timeoutMs?: number } = {},
): Promise<{ ok: boolean; message: string }> {
  const problem = postgresUrlProblem(url);
  if (problem) return { ok: false, message: problem };
  const client = new pg.Client({
    ...pgConnectionConfig(url, { applicationName: 'magnus-sync-test' }),
    connectionTimeoutMillis: options.timeoutMs ?? 5000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const result = await client.query<{ version: string }>('select version() as version');
    const version = result.rows[0]?.version.split(' ').slice(0, 2).join(' ') ?? 'PostgreSQL';
    return { ok: true, message: `Connected to ${version} at ${redactUrl(url)}.` };
  } catch (error) {
    return {
      ok: false,
      message: `Could not connect to ${redactUrl(url)}: ${redactMessage((error as Error).message, url)}`,
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}
