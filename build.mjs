#!/usr/bin/env node
/**
 * Builds dist/: the Node side with tsc (main/ and shared/), the renderer with Vite, and the preload
 * as one CommonJS file with esbuild (a sandboxed preload cannot load ES modules or our own files).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';

const step = (label, cmd, args) => {
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build: ${label} failed`);
    process.exit(r.status ?? 1);
  }
  console.log(`build: ${label} (${Date.now() - started} ms)`);
};

rmSync('dist', { recursive: true, force: true });
step('main + shared (tsc)', 'npx', ['tsc', '-p', 'tsconfig.build.json']);
if (existsSync('renderer/vite.config.ts')) {
  step('renderer (vite)', 'npx', [
    'vite',
    'build',
    '--config',
    'renderer/vite.config.ts',
    '--logLevel',
    'warn',
  ]);
}
if (existsSync('main/desktop/preload.ts')) {
  step('preload (esbuild)', 'npx', [
    'esbuild',
    'main/desktop/preload.ts',
    '--bundle',
    '--platform=node',
    '--format=cjs',
    '--target=node22',
    '--external:electron',
    '--outfile=dist/main/desktop/preload.cjs',
    '--log-level=warning',
  ]);
}
