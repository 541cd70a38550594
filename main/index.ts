/** The Electron entry (dist/main/index.js): start the tray app. */
import { startDesktopApp } from './desktop/app.js';

startDesktopApp();
