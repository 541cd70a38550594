/**
 * The preload of every window. It runs sandboxed as one CommonJS script (build.mjs bundles it to
 * dist/main/desktop/preload.cjs), so it has no ESM and requires nothing of ours at run time.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { PRELOAD_GLOBAL } from '../../shared/call-names.js';
import { createPreloadApi } from './preload-api.js';

contextBridge.exposeInMainWorld(PRELOAD_GLOBAL, createPreloadApi(ipcRenderer));
