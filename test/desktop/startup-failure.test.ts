/**
 * A desktop start that fails: the reason reaches the user in an error box and a file in the data
 * folder's logs, without secrets. And a settings.json that does not parse is moved aside and
 * replaced by the defaults, with a notice, in both hosts (electron-store and the headless conf).
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { electronSettingsStore, unreadableSettingsNotice } from '../../main/desktop/settings-store.js';
import { reportStartupFailure, STARTUP_ERROR_TITLE } from '../../main/desktop/startup-failure.js';
import {
  fileSettingsStore,
  openMovingAsideUnreadable,
  type UnreadableSettings,
} from '../../main/runtime/settings-file.js';
import { collectingLogger } from '../../main/util/logger.js';
import { DEFAULT_SETTINGS } from '../../shared/settings.js';

// electron-store imports electron at its top; nothing of it is used here.
vi.mock('electron', () => ({ default: { app: undefined, ipcMain: undefined, shell: undefined } }));

const work = mkdtempSync(join(tmpdir(), 'magnus-startup-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(work, `d${n++}`);

describe('reportStartupFailure', () => {
  it('writes the reason (and stack) to logs/startup-error.log and shows it with that path', () => {
    const dataDir = freshDir();
    const boxes: Array<[string, string]> = [];
    const error = new Error(
      'could not open the database postgres://sync:hunter2-Secret@db.example:5432/magnus\nsecond line',
    );
    const file = reportStartupFailure({
      error,
      dataDir,
      showErrorBox: (title, content) => boxes.push([title, content]),
      now: () => new Date('2026-12-05T08:00:00Z'),
    });
    expect(file).toBe(join(dataDir, 'logs', 'startup-error.log'));
    const logged = readFileSync(file!, 'utf8');
    expect(logged).toMatch(/^2026-12-05T08:00:00.000Z startup failed: Error: could not open the database/);
    expect(logged).toContain('startup-failure.test.ts'); // the stack
    expect(boxes).toHaveLength(1);
    expect(boxes[0]![0]).toBe(STARTUP_ERROR_TITLE);
    expect(boxes[0]![1]).toContain('could not open the database postgres://sync:');
    expect(boxes[0]![1]).toContain(`The details are in ${file}.`);
    expect(boxes[0]![1]).not.toContain('second line');
    for (const text of [logged, boxes[0]![1]]) expect(text).not.toContain('hunter2-Secret');
  });

  it('still shows the reason when the log cannot be written (data folder is a file)', () => {
    const dataDir = join(work, 'a-file');
    writeFileSync(dataDir, '');
    const boxes: string[] = [];
    const file = reportStartupFailure({
      error: 'the keychain library is broken',
      dataDir,
      showErrorBox: (_title, content) => boxes.push(content),
    });
    expect(file).toBeNull();
    expect(boxes[0]).toContain('the keychain library is broken');
    expect(boxes[0]).toContain('could not be written');
  });
});

const TRAILING_COMMA = '{\n  "settings": {\n    "syncIntervalSeconds": 120,\n  }\n}\n';

describe('settings.json that does not parse', () => {
  for (const [host, open] of [
    [
      'desktop (electron-store)',
      (dataDir: string, onUnreadable: (u: UnreadableSettings) => void) =>
        electronSettingsStore({ dataDir, logger: collectingLogger(), onUnreadable }),
    ],
    [
      'headless (conf)',
      (dataDir: string, onUnreadable: (u: UnreadableSettings) => void) =>
        fileSettingsStore({ dataDir, logger: collectingLogger(), onUnreadable }),
    ],
  ] as const) {
    it(`${host}: moved aside, defaults used and saved over it, the user told`, () => {
      const dataDir = freshDir();
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(join(dataDir, 'settings.json'), TRAILING_COMMA);
      const told: UnreadableSettings[] = [];
      const store = open(dataDir, (u) => told.push(u));
      expect(store.get()).toEqual(DEFAULT_SETTINGS);
      expect(told).toHaveLength(1);
      const aside = readdirSync(dataDir).filter((f) => f.startsWith('settings.json.unreadable-'));
      expect(aside).toHaveLength(1);
      expect(told[0]!.movedTo).toBe(join(dataDir, aside[0]!));
      expect(readFileSync(told[0]!.movedTo, 'utf8')).toBe(TRAILING_COMMA);
      expect(unreadableSettingsNotice(told[0]!).body).toContain(told[0]!.movedTo);

      store.set({ ...DEFAULT_SETTINGS, syncIntervalSeconds: 300 });
      const saved = JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8'));
      expect(saved.settings.syncIntervalSeconds).toBe(300);
      // The next start reads it without a notice.
      const again: UnreadableSettings[] = [];
      expect(open(dataDir, (u) => again.push(u)).get().syncIntervalSeconds).toBe(300);
      expect(again).toEqual([]);
    });
  }

  it('errors other than "not JSON" are not hidden, and nothing is moved', () => {
    const dataDir = freshDir();
    expect(() =>
      openMovingAsideUnreadable({
        file: join(dataDir, 'settings.json'),
        logger: collectingLogger(),
        open: () => {
          throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
        },
      }),
    ).toThrow(/EACCES/);
    expect(existsSync(dataDir)).toBe(false);
  });
});
