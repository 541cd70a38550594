/**
 * The renderer build: two pages (status, settings) into dist/renderer with relative asset paths,
 * so the same files load from file:// in Electron and from the headless web server.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: './',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: here('../dist/renderer'),
    emptyOutDir: true,
    target: 'chrome120',
    // The polyfill would be the only script not in a file of ours; Chromium needs none.
    modulePreload: { polyfill: false },
    sourcemap: false,
    rollupOptions: {
      input: { status: here('status.html'), settings: here('settings.html') },
    },
  },
});
