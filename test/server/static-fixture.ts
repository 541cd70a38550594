/**
 * A throw-away static folder for the server tests, with a secret file next to it (outside) and a
 * symlink inside that points at it: what a traversal would try to reach.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StaticFixture {
  /** The folder the server serves. */
  root: string;
  /** Content of the file outside root. */
  secret: string;
  remove(): Promise<void>;
}

export async function makeStaticDir(): Promise<StaticFixture> {
  const base = await mkdtemp(join(tmpdir(), 'magnus-static-'));
  const root = join(base, 'renderer');
  const secret = 'OUTSIDE-THE-STATIC-FOLDER-7f3a';
  await mkdir(join(root, 'assets'), { recursive: true });
  await writeFile(join(base, 'secret.txt'), secret);
  await writeFile(join(root, 'status.html'), '<!doctype html><title>Status test page</title>');
  await writeFile(join(root, 'settings.html'), '<!doctype html><title>Settings test page</title>');
  await writeFile(join(root, 'assets', 'app.js'), 'console.log("app");');
  await writeFile(join(root, 'assets', 'app.css'), 'body{color:red}');
  await writeFile(join(root, '.env'), 'HIDDEN=1');
  await symlink(join(base, 'secret.txt'), join(root, 'assets', 'link.txt'));
  return { root, secret, remove: () => rm(base, { recursive: true, force: true }) };
}
