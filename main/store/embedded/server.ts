/**
 * The embedded PostgreSQL server of one data folder: started by the agent that owns the folder
 * (initdb on first use), adopted when a killed agent left it running, restarted if it dies, and
 * stopped when its owner closes the store. It listens on 127.0.0.1 only (no Unix socket) and
 * takes SCRAM passwords; the server's messages go to <dataDir>/logs/postgres.log.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { errorMeta } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import { locateBinaries, type PostgresBinaries, prepareBinaries } from './binaries.js';
import { DATABASE, initialise, ROLE, resetPassword } from './initdb.js';
import { type ServerUser, serverUser } from './os-user.js';
import { type OwnerRecord, takeOwnership } from './owner.js';
import { type EmbeddedPasswordVault, passwordFor } from './password.js';
import { choosePort, portIsFree } from './port.js';
import { type PostmasterInfo, readPostmasterPid, runningServer } from './postmaster-pid.js';
import { processAlive } from './process.js';
import { DEFAULT_PORT, readState, writeState } from './state.js';

/** Settings passed on every start; see docs/database.md. */
export const SERVER_SETTINGS: readonly string[] = [
  'listen_addresses=127.0.0.1',
  'unix_socket_directories=',
  'shared_buffers=8MB',
  'max_connections=30',
  // No logical replication: without workers PostgreSQL does not start its launcher process.
  'max_logical_replication_workers=0',
  'logging_collector=off',
];

const LOG_LIMIT_BYTES = 10 * 1024 * 1024;

export type EmbeddedServerProblem = 'locked' | 'legacy' | 'start';

/** A problem starting the server; the message is one line, safe to show (never the password). */
export class EmbeddedServerError extends Error {
  override readonly name = 'EmbeddedServerError';
  constructor(
    message: string,
    readonly problem: EmbeddedServerProblem,
  ) {
    super(message);
  }
}

export interface EmbeddedServerOptions {
  /** The data folder (absolute); the database lives in <dataDir>/pgdata. */
  dataDir: string;
  vault: EmbeddedPasswordVault;
  logger: Logger;
  /** When another agent owns the folder: connect to its server instead of refusing. */
  readOnly?: boolean;
  binaries?: PostgresBinaries;
  startTimeoutMs?: number;
}

export interface EmbeddedServer {
  /** postgres://magnus:<password>@127.0.0.1:<port>/magnus_sync */
  readonly url: string;
  readonly port: number;
  /** False when another agent owns the server and this one only connects to it. */
  readonly owned: boolean;
  /** Stops the server (when owned) and gives the folder up. Safe to call twice. */
  stop(): Promise<void>;
}

export function embeddedUrl(port: number, password: string): string {
  return `postgres://${ROLE}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
}

/** 0.1 kept a PGlite database in <dataDir>/pgdata: it has PG_VERSION, but no server ever ran on it. */
export function isPgliteFolder(dataDir: string): boolean {
  const pgdata = join(dataDir, 'pgdata');
  return (
    existsSync(join(pgdata, 'PG_VERSION')) &&
    !existsSync(join(pgdata, 'postmaster.opts')) &&
    readState(dataDir) === null
  );
}

function describeOwner(owner: OwnerRecord): string {
  return owner.pid > 0 ? `pid ${owner.pid}` : 'pid unknown';
}

export async function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const { dataDir, logger } = options;
  mkdirSync(dataDir, { recursive: true });
  if (isPgliteFolder(dataDir)) {
    throw new EmbeddedServerError(
      `${join(dataDir, 'pgdata')} holds a database written by Magnus Sync 0.1 (PGlite), which this version cannot open; it was left untouched. Move that folder away (the next sync rebuilds the mirror from the broker) or choose another data folder.`,
      'legacy',
    );
  }
  const ownership = takeOwnership(dataDir);
  if (ownership.status === 'taken') {
    const message = `Another Magnus Sync instance (${describeOwner(ownership.owner)}) owns the embedded database in ${dataDir}; quit it first, or use another data folder.`;
    if (!options.readOnly) throw new EmbeddedServerError(message, 'locked');
    return await attach(options, message);
  }
  if (ownership.recoveredFrom) {
    logger.warn('taking over the embedded database from a process that no longer runs', {
      pid: ownership.recoveredFrom.pid,
    });
  }
  try {
    const binaries = options.binaries ?? locateBinaries();
    prepareBinaries(binaries);
    const supervisor = new ServerProcess({
      dataDir,
      binaries,
      user: serverUser(logger),
      logger,
      startTimeoutMs: options.startTimeoutMs ?? 60_000,
    });
    const { password, created } = await passwordFor(options.vault);
    if (created) logger.info('generated the embedded database password', { keptIn: options.vault.where });
    await supervisor.bringUp(password);
    return {
      url: embeddedUrl(supervisor.port, password),
      port: supervisor.port,
      owned: true,
      async stop() {
        try {
          await supervisor.stop();
        } finally {
          ownership.release();
        }
      },
    };
  } catch (error) {
    ownership.release();
    if (error instanceof EmbeddedServerError) throw error;
    throw new EmbeddedServerError(
      `The embedded database server in ${dataDir} could not start: ${(error as Error).message}`,
      'start',
    );
  }
}

/** A read-only command while another agent owns the folder: its running server, as it is. */
async function attach(options: EmbeddedServerOptions, lockedMessage: string): Promise<EmbeddedServer> {
  const found = readPostmasterPid(join(options.dataDir, 'pgdata'));
  const info = found?.status === 'ready' ? found : null;
  const password = await options.vault.read();
  if (!info || !password) throw new EmbeddedServerError(lockedMessage, 'locked');
  return { url: embeddedUrl(info.port, password), port: info.port, owned: false, stop: async () => {} };
}

interface ProcessOptions {
  dataDir: string;
  binaries: PostgresBinaries;
  user: ServerUser | null;
  logger: Logger;
  startTimeoutMs: number;
}

/** The postmaster of one folder: started or adopted, watched, stopped. */
class ServerProcess {
  port = DEFAULT_PORT;
  private pid = 0;
  private stopping = false;
  private watch: NodeJS.Timeout | null = null;
  private restarting: Promise<void> | null = null;
  private failedAttempts = 0;
  private nextAttemptAt = 0;
  private readonly pgdata: string;

  constructor(private readonly o: ProcessOptions) {
    this.pgdata = join(o.dataDir, 'pgdata');
  }

  async bringUp(password: string): Promise<void> {
    const left = runningServer(this.pgdata);
    if (left && left.status === 'ready') {
      this.o.logger.warn('adopting the embedded database server a previous run left running', {
        pid: left.pid,
      });
      this.pid = left.pid;
      this.port = left.port;
    } else {
      if (left) await this.waitForExitOrReady(left);
      if (!existsSync(join(this.pgdata, 'PG_VERSION'))) {
        this.port = await choosePort(readState(this.o.dataDir)?.port ?? DEFAULT_PORT);
        await initialise({ ...this.o, password, port: this.port });
      }
      await this.launch();
    }
    try {
      await this.ensureDatabase(password);
    } catch (error) {
      if ((error as { code?: string }).code !== '28P01') throw error;
      // The vault no longer has the password the folder was created with (keychain item removed):
      // the folder is ours, so the role gets the vault's password.
      this.o.logger.warn('the embedded database password was lost; setting a new one');
      await this.shutDown();
      await resetPassword({ ...this.o, pgdata: this.pgdata, password });
      await this.launch();
      await this.ensureDatabase(password);
    }
    this.watch = setInterval(() => this.check(), 1000);
    this.watch.unref();
  }

  /** A server still starting (a previous run's) finishes first; one stopping is waited out. */
  private async waitForExitOrReady(info: PostmasterInfo): Promise<void> {
    const deadline = Date.now() + this.o.startTimeoutMs;
    while (Date.now() < deadline && processAlive(info.pid)) {
      const now = readPostmasterPid(this.pgdata);
      if (now?.status === 'ready') {
        this.pid = now.pid;
        this.port = now.port;
        await this.shutDown();
        return;
      }
      await sleep(50);
    }
  }

  /** <dataDir>/logs/postgres.log, cut back when it has grown past its limit. */
  private logFile(): string {
    const logFile = join(this.o.dataDir, 'logs', 'postgres.log');
    mkdirSync(join(this.o.dataDir, 'logs'), { recursive: true });
    if (sizeOf(logFile) > LOG_LIMIT_BYTES) truncateSync(logFile, 0);
    return logFile;
  }

  /** A start of the agent: the remembered port, or another one when a program holds it. */
  private async launch(): Promise<void> {
    const logFile = this.logFile();
    let port = await choosePort(readState(this.o.dataDir)?.port ?? DEFAULT_PORT);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.spawnOn(port, logFile, sizeOf(logFile));
        break;
      } catch (error) {
        // Someone took the port between our check and the server's bind: another one.
        if (attempt >= 3 || !/could not bind|could not create any TCP\/IP sockets/i.test(String(error)))
          throw error;
        port = await choosePort(0);
      }
    }
    if (readState(this.o.dataDir)?.port !== port) {
      if (readState(this.o.dataDir))
        this.o.logger.warn('the embedded database port was taken; using another', { port });
      writeState(this.o.dataDir, { port });
    }
    this.port = port;
  }

  /**
   * A restart under a running agent: the same port, never another. The store's connections and the
   * URL dashboards were given name this port; while another program holds it, the start fails and
   * check() tries again later.
   */
  private async relaunch(): Promise<void> {
    const logFile = this.logFile();
    if (!(await portIsFree(this.port)))
      throw new Error(
        `port ${this.port} is taken by another program; the server needs it back, since the agent's connections use it`,
      );
    await this.spawnOn(this.port, logFile, sizeOf(logFile));
  }

  private async spawnOn(port: number, logFile: string, logStart: number): Promise<void> {
    const fd = openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      const args = ['-D', this.pgdata, '-p', String(port)];
      for (const setting of SERVER_SETTINGS) args.push('-c', setting);
      child = spawn(this.o.binaries.postgres, args, {
        detached: true,
        stdio: ['ignore', fd, fd],
        env: { ...process.env, LC_MESSAGES: 'C', LANG: 'C' },
        ...(this.o.user ? { uid: this.o.user.uid, gid: this.o.user.gid } : {}),
      });
    } finally {
      closeSync(fd);
    }
    child.unref();
    let exited = false;
    child.on('exit', () => {
      exited = true;
    });
    child.on('error', () => {
      exited = true;
    });
    const deadline = Date.now() + this.o.startTimeoutMs;
    while (!exited) {
      const info = readPostmasterPid(this.pgdata);
      if (info && info.pid === child.pid && info.status === 'ready') {
        this.pid = child.pid;
        return;
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error('the server did not become ready in time');
      }
      await sleep(20);
    }
    throw new Error(serverComplaint(logFile, logStart));
  }

  private async ensureDatabase(password: string): Promise<void> {
    const client = new pg.Client({
      host: '127.0.0.1',
      port: this.port,
      user: ROLE,
      password,
      database: 'postgres',
      connectionTimeoutMillis: 10_000,
    });
    await client.connect();
    try {
      const found = await client.query('select 1 from pg_database where datname = $1', [DATABASE]);
      if (found.rowCount === 0) await client.query(`create database ${DATABASE}`);
    } finally {
      await client.end();
    }
  }

  /**
   * Every second: a server that died (a crash, a full disk) is started again on the same folder and
   * port. While it cannot start, the attempts slow down (up to one a minute) and the outage is logged once.
   */
  private check(): void {
    if (this.stopping || this.restarting || processAlive(this.pid)) return;
    if (Date.now() < this.nextAttemptAt) return;
    if (this.failedAttempts === 0)
      this.o.logger.warn('the embedded database server stopped unexpectedly; starting it again', {
        pid: this.pid,
      });
    this.restarting = this.relaunch()
      .then(() => {
        this.failedAttempts = 0;
        this.nextAttemptAt = 0;
        this.o.logger.info('the embedded database server runs again', { port: this.port });
      })
      .catch((error: Error) => {
        this.failedAttempts += 1;
        this.nextAttemptAt = Date.now() + Math.min(60_000, 1000 * 2 ** this.failedAttempts);
        if (this.failedAttempts === 1)
          this.o.logger.error(
            'the embedded database server could not be started again; retrying',
            errorMeta(error),
          );
      })
      .finally(() => {
        this.restarting = null;
      });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.watch) clearInterval(this.watch);
    await this.restarting;
    await this.shutDown();
  }

  /** Fast shutdown (SIGINT): open transactions roll back, committed data is on disk. */
  private async shutDown(): Promise<void> {
    const pid = this.pid;
    if (!processAlive(pid)) return;
    if (process.platform === 'win32') {
      const { runProgram } = await import('./initdb.js');
      await runProgram(this.o.binaries.pgCtl, ['stop', '-D', this.pgdata, '-m', 'fast', '-w'], {
        user: null,
      });
    } else {
      process.kill(pid, 'SIGINT');
    }
    const deadline = Date.now() + 30_000;
    while (processAlive(pid)) {
      if (Date.now() > deadline) {
        this.o.logger.warn('the embedded database server did not stop in 30 s; killing it', { pid });
        process.kill(pid, 'SIGKILL');
        break;
      }
      await sleep(25);
    }
  }
}

/** Where this start's lines begin in the log. */
function sizeOf(logFile: string): number {
  return existsSync(logFile) ? statSync(logFile).size : 0;
}

/** The server's FATAL lines from this start, for the error message. */
function serverComplaint(logFile: string, from: number): string {
  let text = '';
  try {
    text = readFileSync(logFile, 'utf8').slice(from);
  } catch {
    // No log: the generic message below.
  }
  const lines = text
    .split('\n')
    .filter((line) => /FATAL|PANIC|ERROR/.test(line))
    .slice(-2)
    .join(' ');
  return lines ? lines.replace(/\s+/g, ' ').trim().slice(0, 400) : 'the server exited during start-up';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
