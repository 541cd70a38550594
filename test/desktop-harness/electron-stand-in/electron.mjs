/**
 * A stand-in for the `electron` module of the main process, for the desktop harness only (no
 * Electron binary runs on these machines). It keeps to Electron's documented behaviour for the
 * parts the app uses, and backs each with a real thing where one exists:
 *
 * - BrowserWindow: a page of a real Chromium (Playwright, Debian's chromium), launched on the first
 *   window; the real built preload runs in each page with a contextBridge/ipcRenderer shim whose
 *   `invoke` reaches the real ipcMain handlers with the real frame URL as `senderFrame.url`.
 * - utilityProcess: a Node child process (child_process.fork) running the real module, with
 *   `process.parentPort` (utility-child.mjs); MessageChannelMain ports cross its IPC channel.
 * - app: lifecycle events in Electron's order (ready; before-quit, will-quit, quit), a
 *   single-instance lock per userData folder with `second-instance` delivered to the first.
 * - Tray, Menu, Notification, dialog, shell: recorded and reported to the test.
 *
 * The test that forked this process talks to it over the IPC channel: the stand-in reports
 * `{ standIn: <kind>, … }` messages and takes `{ standIn: 'tray-click', id }` and
 * `{ standIn: 'tray-icon-click' }`. What it cannot show is listed in docs/desktop.md.
 */
import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  watch,
  writeFileSync,
} from 'node:fs';
import { homedir, constants as osConstants, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const UTILITY_CHILD = pathToFileURL(join(here, 'utility-child.mjs')).href;
const CHROMIUM = process.env.MAGNUS_CHROMIUM ?? '/usr/bin/chromium';

function report(kind, details = {}) {
  if (process.send && process.connected) process.send({ standIn: kind, ...details });
}

/** An event object with preventDefault(), as Electron passes to preventable events. */
function preventable() {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
  };
}

// Electron keeps running until it quits; a Node process would end when its loop is empty.
const keepAlive = setInterval(() => undefined, 1 << 30);

// ---- Chromium --------------------------------------------------------------------------------------

let contextPromise = null;
let profileDir = null;

function browserContext() {
  contextPromise ??= (async () => {
    const { chromium } = await import('playwright-core');
    profileDir = mkdtempSync(join(tmpdir(), 'electron-stand-in-chromium-'));
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        // Electron loads ES modules from file://; Chromium needs this flag for it.
        '--allow-file-access-from-files',
        // The test connects to this browser to drive the windows.
        '--remote-debugging-port=0',
      ],
    });
    const port = readFileSync(join(profileDir, 'DevToolsActivePort'), 'utf8').split('\n')[0];
    report('browser', { cdpUrl: `http://127.0.0.1:${port}` });
    return context;
  })();
  return contextPromise;
}

async function closeBrowser() {
  if (!contextPromise) return;
  try {
    const context = await contextPromise;
    await context.close();
  } catch {
    // Already gone.
  }
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
}

/** The page-side half of the preload shim; the real preload runs inside it. */
function preloadScript(source) {
  return `(() => {
  const listeners = new Map();
  const ipcRenderer = {
    invoke: (channel, ...args) => globalThis.__electronStandInInvoke(channel, args),
    on(channel, listener) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel).add(listener);
      return ipcRenderer;
    },
    removeListener(channel, listener) {
      listeners.get(channel)?.delete(listener);
      return ipcRenderer;
    },
  };
  const contextBridge = {
    exposeInMainWorld(key, api) {
      Object.defineProperty(globalThis, key, { value: Object.freeze({ ...api }), enumerable: true });
    },
  };
  Object.defineProperty(globalThis, '__electronStandInDeliver', {
    value: (channel, args) => {
      for (const listener of listeners.get(channel) ?? []) listener({ sender: ipcRenderer }, ...args);
    },
  });
  const require = (name) => {
    if (name === 'electron') return { contextBridge, ipcRenderer };
    throw new Error('Cannot find module ' + name);
  };
  const module = { exports: {} };
  (function (require, module, exports) {
${source}
  })(require, module, module.exports);
})();`;
}

// ---- ipcMain ---------------------------------------------------------------------------------------

class IpcMain extends EventEmitter {
  #handlers = new Map();
  handle(channel, listener) {
    if (this.#handlers.has(channel))
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.#handlers.set(channel, listener);
  }
  handleOnce(channel, listener) {
    this.handle(channel, (...args) => {
      this.removeHandler(channel);
      return listener(...args);
    });
  }
  removeHandler(channel) {
    this.#handlers.delete(channel);
  }
  async invoke(event, channel, args) {
    const handler = this.#handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(event, ...args);
  }
}
export const ipcMain = new IpcMain();

// ---- windows -------------------------------------------------------------------------------------

const windows = new Set();
let focusedWindow = null;
let nextWindowId = 1;

class WebContents extends EventEmitter {
  #window;
  #page;
  #destroyed = false;
  #url = '';
  windowOpenHandler = null;

  constructor(window, webPreferences) {
    super();
    this.id = window.id;
    this.#window = window;
    this.#page = (async () => {
      const context = await browserContext();
      const page = await context.newPage();
      await page.exposeBinding('__electronStandInInvoke', (source, channel, args) =>
        ipcMain.invoke(
          {
            sender: this,
            senderFrame: { url: source.frame.url(), name: source.frame.name() },
            processId: 0,
            frameId: 0,
          },
          channel,
          Array.isArray(args) ? args : [],
        ),
      );
      if (webPreferences.preload) {
        await page.addInitScript({ content: preloadScript(readFileSync(webPreferences.preload, 'utf8')) });
      }
      page.on('close', () => this.#window.destroy());
      return page;
    })();
    this.#page.catch((error) => console.error('electron stand-in: the window could not open', error));
  }

  async loadURL(url) {
    const page = await this.#page;
    await page.goto(url, { waitUntil: 'load' });
    this.#url = page.url();
    this.emit('did-finish-load');
    this.#window.emit('ready-to-show');
    report('window-loaded', { id: this.id, url: this.#url });
  }

  getURL() {
    return this.#url;
  }

  send(channel, ...args) {
    if (this.#destroyed) return;
    this.#page
      .then((page) => page.evaluate(([c, a]) => globalThis.__electronStandInDeliver?.(c, a), [channel, args]))
      .catch(() => undefined);
  }

  setWindowOpenHandler(handler) {
    this.windowOpenHandler = handler;
  }

  isDestroyed() {
    return this.#destroyed;
  }

  focus() {
    this.#page.then((page) => page.bringToFront()).catch(() => undefined);
  }

  destroyPage() {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#page.then((page) => (page.isClosed() ? undefined : page.close())).catch(() => undefined);
  }
}

export class BrowserWindow extends EventEmitter {
  #visible;
  #destroyed = false;
  #title;

  static getAllWindows() {
    return [...windows];
  }
  static getFocusedWindow() {
    return focusedWindow;
  }
  static fromWebContents(contents) {
    return [...windows].find((w) => w.webContents === contents) ?? null;
  }

  constructor(options = {}) {
    super();
    this.id = nextWindowId++;
    this.#visible = options.show !== false;
    this.#title = options.title ?? 'Electron';
    this.webContents = new WebContents(this, options.webPreferences ?? {});
    windows.add(this);
    app.emit('browser-window-created', {}, this);
    app.emit('web-contents-created', {}, this.webContents);
    report('window-created', { id: this.id, title: this.#title });
  }

  loadFile(path) {
    return this.webContents.loadURL(pathToFileURL(path).href);
  }
  loadURL(url) {
    return this.webContents.loadURL(url);
  }
  show() {
    this.#visible = true;
    this.emit('show');
    this.focus();
  }
  hide() {
    this.#visible = false;
    this.emit('hide');
  }
  focus() {
    if (this.#destroyed) return;
    focusedWindow = this;
    this.webContents.focus();
    this.emit('focus');
    report('window-focused', { id: this.id, url: this.webContents.getURL() });
  }
  isVisible() {
    return this.#visible;
  }
  isFocused() {
    return focusedWindow === this;
  }
  isMinimized() {
    return false;
  }
  restore() {}
  minimize() {}
  getTitle() {
    return this.#title;
  }
  setTitle(title) {
    this.#title = title;
  }
  removeMenu() {}
  setMenu() {}
  setMenuBarVisibility() {}
  close() {
    if (this.#destroyed) return;
    const event = preventable();
    this.emit('close', event);
    if (!event.defaultPrevented) this.destroy();
  }
  destroy() {
    if (this.#destroyed) return;
    this.#destroyed = true;
    windows.delete(this);
    if (focusedWindow === this) focusedWindow = null;
    this.webContents.destroyPage();
    this.emit('closed');
    report('window-closed', { id: this.id });
    if (windows.size === 0 && !quitting) {
      // Electron quits when the last window closes, unless the app listens for this event.
      if (app.listenerCount('window-all-closed') > 0) app.emit('window-all-closed');
      else app.quit();
    }
  }
  isDestroyed() {
    return this.#destroyed;
  }
}

// ---- app -----------------------------------------------------------------------------------------

let quitting = false;
const secondInstancePrefix = 'StandInSecondInstance-';

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

class App extends EventEmitter {
  isPackaged = false;
  commandLine = { appendSwitch() {}, hasSwitch: () => false, getSwitchValue: () => '' };
  #name = 'Electron';
  #paths = new Map();
  #ready = false;
  #whenReady;
  #lockFile = null;
  #watcher = null;

  constructor() {
    super();
    const appData = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
    this.#paths.set('home', homedir());
    this.#paths.set('appData', appData);
    this.#paths.set('userData', join(appData, this.#name));
    this.#paths.set('temp', tmpdir());
    this.#paths.set('exe', process.execPath);
    this.#whenReady = new Promise((resolve) =>
      setImmediate(() => {
        this.#ready = true;
        this.emit('will-finish-launching');
        this.emit('ready', {}, {});
        resolve();
      }),
    );
  }

  whenReady() {
    return this.#whenReady;
  }
  isReady() {
    return this.#ready;
  }
  getName() {
    return this.#name;
  }
  setName(name) {
    this.#name = name;
  }
  getVersion() {
    return JSON.parse(readFileSync(join(here, '../../../package.json'), 'utf8')).version;
  }
  getPath(name) {
    const path = this.#paths.get(name);
    if (!path) throw new Error(`Failed to get '${name}' path`);
    return path;
  }
  setPath(name, path) {
    this.#paths.set(name, path);
  }
  setAppUserModelId() {}
  getLoginItemSettings() {
    return { openAtLogin: false, openAsHidden: false, wasOpenedAtLogin: false, wasOpenedAsHidden: false };
  }
  setLoginItemSettings(settings) {
    report('login-item', { settings });
  }
  focus() {}

  /** Electron's lock is per userData folder; the first instance gets `second-instance`. */
  requestSingleInstanceLock(additionalData = {}) {
    const dir = this.getPath('userData');
    mkdirSync(dir, { recursive: true });
    const lockFile = join(dir, 'StandInSingletonLock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
        this.#lockFile = lockFile;
        this.#watchSecondInstances(dir);
        return true;
      } catch (error) {
        if (error.code !== 'EEXIST') throw error;
        const holder = Number(readFileSync(lockFile, 'utf8'));
        if (holder && holder !== process.pid && pidAlive(holder)) {
          const request = join(dir, `${secondInstancePrefix}${process.pid}.json`);
          writeFileSync(
            `${request}.tmp`,
            JSON.stringify({ argv: process.argv, cwd: process.cwd(), additionalData }),
          );
          renameSync(`${request}.tmp`, request);
          return false;
        }
        rmSync(lockFile, { force: true });
      }
    }
    return false;
  }
  hasSingleInstanceLock() {
    return this.#lockFile !== null;
  }
  releaseSingleInstanceLock() {
    this.#watcher?.close();
    this.#watcher = null;
    if (this.#lockFile) rmSync(this.#lockFile, { force: true });
    this.#lockFile = null;
  }
  #watchSecondInstances(dir) {
    const take = () => {
      for (const name of readdirSync(dir)) {
        if (!name.startsWith(secondInstancePrefix) || !name.endsWith('.json')) continue;
        const file = join(dir, name);
        let request;
        try {
          request = JSON.parse(readFileSync(file, 'utf8'));
          unlinkSync(file);
        } catch {
          continue;
        }
        this.emit('second-instance', preventable(), request.argv, request.cwd, request.additionalData);
      }
    };
    this.#watcher = watch(dir, () => take());
  }

  quit() {
    if (quitting) return;
    const event = preventable();
    this.emit('before-quit', event);
    if (event.defaultPrevented) return;
    quitting = true;
    for (const window of BrowserWindow.getAllWindows()) window.close();
    const willQuit = preventable();
    this.emit('will-quit', willQuit);
    if (willQuit.defaultPrevented) {
      quitting = false;
      return;
    }
    this.emit('quit', {}, 0);
    void shutdown(0);
  }

  exit(code = 0) {
    quitting = true;
    for (const window of BrowserWindow.getAllWindows()) window.destroy();
    void shutdown(code);
  }
}
export const app = new App();

async function shutdown(code) {
  app.releaseSingleInstanceLock();
  await closeBrowser();
  // Electron ends the utility processes that are still running with the app.
  for (const child of utilityChildren)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  clearInterval(keepAlive);
  report('exit', { code });
  process.exit(code);
}

// ---- utility processes and message ports ---------------------------------------------------------

const utilityChildren = new Set();
let nextPortId = 1;

class MessagePortMain extends EventEmitter {
  #queue = [];
  #started = false;
  #closed = false;
  peer = null;
  /** When the peer was transferred to a utility process: { child, id }. */
  remote = null;

  postMessage(data) {
    if (this.#closed) return;
    if (this.remote) {
      if (this.remote.child.connected)
        this.remote.child.send({ standIn: 'port-message', id: this.remote.id, data });
    } else {
      this.peer?.deliver(data);
    }
  }
  start() {
    this.#started = true;
    for (const data of this.#queue.splice(0)) this.emit('message', { data, ports: [] });
  }
  close() {
    if (this.#closed) return;
    this.#closed = true;
    if (this.remote?.child.connected) this.remote.child.send({ standIn: 'port-close', id: this.remote.id });
    else this.peer?.remoteClosed();
  }
  deliver(data) {
    if (this.#closed) return;
    if (this.#started) this.emit('message', { data, ports: [] });
    else this.#queue.push(data);
  }
  remoteClosed() {
    if (this.#closed) return;
    this.#closed = true;
    this.emit('close');
  }
}

export class MessageChannelMain {
  constructor() {
    this.port1 = new MessagePortMain();
    this.port2 = new MessagePortMain();
    this.port1.peer = this.port2;
    this.port2.peer = this.port1;
  }
}

class UtilityProcess extends EventEmitter {
  #child;
  #routes = new Map();
  pid = undefined;

  constructor(modulePath, args, options) {
    super();
    this.#child = fork(modulePath, args, {
      execArgv: ['--import', UTILITY_CHILD],
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: options.stdio === 'pipe' ? ['ignore', 'pipe', 'pipe', 'ipc'] : 'inherit',
      serialization: 'advanced',
    });
    utilityChildren.add(this.#child);
    this.stdout = this.#child.stdout ?? null;
    this.stderr = this.#child.stderr ?? null;
    this.#child.on('spawn', () => {
      this.pid = this.#child.pid;
      report('utility-spawn', { pid: this.pid, modulePath });
      this.emit('spawn');
    });
    this.#child.on('message', (message) => {
      if (!message || typeof message !== 'object') return;
      if (message.standIn === 'child-message') this.emit('message', message.data);
      else if (message.standIn === 'port-message') this.#routes.get(message.id)?.deliver(message.data);
      else if (message.standIn === 'port-close') this.#routes.get(message.id)?.remoteClosed();
    });
    this.#child.on('exit', (code, signal) => {
      const pid = this.#child.pid;
      utilityChildren.delete(this.#child);
      for (const port of this.#routes.values()) port.remoteClosed();
      this.pid = undefined;
      // A process ended by a signal reports 128 + the signal's number, as a shell does.
      const exitCode = code ?? 128 + (osConstants.signals[signal] ?? 0);
      report('utility-exit', { pid, code: exitCode, signal });
      this.emit('exit', exitCode);
    });
  }

  postMessage(message, transfer = []) {
    const ids = transfer.map((port) => {
      const id = nextPortId++;
      // The other end of the transferred port now talks to the child.
      port.peer.remote = { child: this.#child, id };
      this.#routes.set(id, port.peer);
      return id;
    });
    this.#child.send({ standIn: 'parent-message', data: message, ports: ids });
  }

  kill() {
    return this.#child.kill('SIGTERM');
  }
}

export const utilityProcess = {
  fork: (modulePath, args = [], options = {}) => new UtilityProcess(modulePath, args, options),
};

// ---- tray, menus, images, notifications ---------------------------------------------------------

class NativeImage {
  constructor(path) {
    this.path = path;
    this.template = false;
  }
  isEmpty() {
    return !this.path || !existsSync(this.path);
  }
  setTemplateImage(template) {
    this.template = template;
  }
  isTemplateImage() {
    return this.template;
  }
}
export const nativeImage = {
  createFromPath: (path) => new NativeImage(path),
  createEmpty: () => new NativeImage(''),
};

export class MenuItem {
  constructor(options) {
    this.id = options.id;
    this.type = options.type ?? (options.submenu ? 'submenu' : 'normal');
    this.label = options.label ?? '';
    this.role = options.role;
    this.enabled = options.enabled ?? true;
    this.visible = options.visible ?? true;
    this.checked = options.checked ?? false;
    this.click = options.click;
    this.submenu = options.submenu
      ? options.submenu instanceof Menu
        ? options.submenu
        : Menu.buildFromTemplate(options.submenu)
      : undefined;
  }
}

let applicationMenu;
export class Menu extends EventEmitter {
  items = [];
  static buildFromTemplate(template) {
    const menu = new Menu();
    for (const item of template) menu.append(item instanceof MenuItem ? item : new MenuItem(item));
    return menu;
  }
  static setApplicationMenu(menu) {
    applicationMenu = menu;
    report('application-menu', { items: menu ? menu.items.map(describeItem) : null });
  }
  static getApplicationMenu() {
    return applicationMenu ?? null;
  }
  append(item) {
    this.items.push(item);
  }
  getMenuItemById(id) {
    return this.items.find((item) => item.id === id) ?? null;
  }
  popup() {}
  closePopup() {}
}

function describeItem(item) {
  return {
    id: item.id ?? null,
    type: item.type,
    label: item.label,
    role: item.role ?? null,
    enabled: item.enabled,
    checked: item.checked,
    ...(item.submenu ? { submenu: item.submenu.items.map(describeItem) } : {}),
  };
}

const trays = new Set();
export class Tray extends EventEmitter {
  #image;
  #tooltip = '';
  #menu = null;
  #destroyed = false;

  constructor(image) {
    super();
    this.#image = image;
    trays.add(this);
    this.#report();
  }
  setImage(image) {
    this.#image = image;
    this.#report();
  }
  setPressedImage() {}
  setToolTip(tooltip) {
    this.#tooltip = tooltip;
    this.#report();
  }
  setTitle() {}
  setContextMenu(menu) {
    this.#menu = menu;
    this.#report();
  }
  setIgnoreDoubleClickEvents() {}
  popUpContextMenu() {}
  closeContextMenu() {}
  getBounds() {
    return { x: 0, y: 0, width: 22, height: 22 };
  }
  destroy() {
    this.#destroyed = true;
    trays.delete(this);
    report('tray-destroyed');
  }
  isDestroyed() {
    return this.#destroyed;
  }
  /** A click on an item of the context menu, as the desktop shell delivers it. */
  clickItem(id) {
    const item = this.#menu?.items.find((i) => i.id === id);
    if (!item?.enabled || !item.visible) return false;
    if (item.type === 'checkbox') item.checked = !item.checked;
    item.click?.(item, undefined, {});
    return true;
  }
  #report() {
    if (this.#destroyed) return;
    report('tray', {
      icon: this.#image?.path ? basename(this.#image.path) : null,
      tooltip: this.#tooltip,
      menu: this.#menu ? this.#menu.items.map(describeItem) : [],
    });
  }
}

export class Notification extends EventEmitter {
  static isSupported() {
    return true;
  }
  constructor(options = {}) {
    super();
    this.title = options.title ?? '';
    this.body = options.body ?? '';
  }
  show() {
    report('notification', { title: this.title, body: this.body });
    this.emit('show');
  }
  close() {
    this.emit('close');
  }
}

// ---- the rest ------------------------------------------------------------------------------------

export const shell = {
  openPath: async (path) => {
    report('shell-open-path', { path });
    return '';
  },
  openExternal: async (url) => {
    report('shell-open-external', { url });
  },
  showItemInFolder: (path) => report('shell-show-item', { path }),
};

export const dialog = {
  showErrorBox: (title, content) => {
    report('error-box', { title, content });
    console.error(`${title}: ${content}`);
  },
  showMessageBox: async (options) => {
    report('message-box', { message: options?.message ?? '' });
    return { response: 0, checkboxChecked: false };
  },
};

export const session = {
  defaultSession: {
    setPermissionRequestHandler() {},
    setPermissionCheckHandler() {},
    webRequest: { onHeadersReceived() {} },
    on() {},
  },
};

export const net = { isOnline: () => true };

export const powerMonitor = Object.assign(new EventEmitter(), {
  getSystemIdleState: () => 'active',
  getSystemIdleTime: () => 0,
  isOnBatteryPower: () => false,
});

// The test that started this app went away: leave nothing behind.
process.on('disconnect', () => app.exit(1));
process.on('message', (message) => {
  if (!message || typeof message !== 'object') return;
  if (message.standIn === 'tray-click') {
    const clicked = [...trays].some((tray) => tray.clickItem(message.id));
    report('tray-clicked', { id: message.id, clicked });
  } else if (message.standIn === 'tray-icon-click') {
    for (const tray of trays) tray.emit('click', {}, tray.getBounds(), { x: 0, y: 0 });
  }
});

export default {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  MenuItem,
  MessageChannelMain,
  nativeImage,
  net,
  Notification,
  powerMonitor,
  session,
  shell,
  Tray,
  utilityProcess,
};
