/**
 * The folder map's import rules (docs/architecture.md) are enforced by biome's noRestrictedImports
 * in biome.json. These tests run the real biome binary with the repository's biome.json: on small
 * planted files in a temporary copy of the layout (so the real tree is never touched), and on the
 * real tree.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const BIOME = join(ROOT, 'node_modules', '.bin', 'biome');
const RULE = 'lint/style/noRestrictedImports';

interface Diagnostic {
  category: string;
  message: string;
  location: { path: string };
}
interface LintResult {
  exitCode: number;
  files: number;
  diagnostics: Diagnostic[];
}

function biomeLint(cwd: string, paths: string[]): Promise<LintResult> {
  return new Promise((done, fail) => {
    execFile(
      BIOME,
      ['lint', '--reporter=json', '--max-diagnostics=none', ...paths],
      { cwd, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout) => {
        const exitCode = error ? Number(error.code ?? 1) : 0;
        try {
          const report = JSON.parse(stdout) as {
            summary: { changed: number; unchanged: number };
            diagnostics: Diagnostic[];
          };
          done({
            exitCode,
            files: report.summary.changed + report.summary.unchanged,
            diagnostics: report.diagnostics,
          });
        } catch {
          fail(new Error(`biome printed no JSON report (exit ${exitCode}): ${stdout.slice(0, 300)}`));
        }
      },
    );
  });
}

let tempDirs: string[] = [];
afterEach(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs = [];
});

/** Lints the given files (path → source) in a temporary project that has the repository's biome.json. */
async function lintPlanted(files: Record<string, string>): Promise<LintResult> {
  const dir = mkdtempSync(join(tmpdir(), 'magnus-layering-'));
  tempDirs.push(dir);
  cpSync(join(ROOT, 'biome.json'), join(dir, 'biome.json'));
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
  return biomeLint(dir, Object.keys(files));
}

const ruleHits = (result: LintResult) =>
  result.diagnostics
    .filter((d) => d.category === RULE)
    .map((d) => d.location.path)
    .sort();

describe('import layering (biome noRestrictedImports)', () => {
  it("fails a planted `import 'electron'` in main/engine", async () => {
    const result = await lintPlanted({
      'main/engine/planted.ts': "import { app } from 'electron';\nexport const name = app.getName();\n",
    });
    expect(result.exitCode).not.toBe(0);
    expect(ruleHits(result)).toEqual(['main/engine/planted.ts']);
    expect(result.diagnostics[0]?.message).toContain('Only main/desktop/ imports Electron');
  });

  it('fails electron in every plain-Node folder, in any import form, and allows it in main/desktop', async () => {
    const importElectron = "import type { App } from 'electron';\nexport type Desktop = App;\n";
    const result = await lintPlanted({
      'main/cli/planted.ts': importElectron,
      'main/server/planted.ts': "export const load = () => import('electron');\n",
      'main/store/repos/planted.ts': "export { app } from 'electron/main';\n",
      'shared/planted.ts': importElectron,
      'main/desktop/planted.ts': "import { app } from 'electron';\nexport const name = app.getName();\n",
    });
    expect(ruleHits(result)).toEqual([
      'main/cli/planted.ts',
      'main/server/planted.ts',
      'main/store/repos/planted.ts',
      'shared/planted.ts',
    ]);
  });

  it('fails the engine, broker, store, domain and simulator importing the desktop, server or CLI', async () => {
    const result = await lintPlanted({
      'main/engine/planted.ts': "import { a } from '../desktop/ipc.js';\nexport const x = a;\n",
      'main/broker/robinhood/planted.ts': "import { a } from '../../server/index.js';\nexport const x = a;\n",
      'main/store/reads/planted.ts': "import { a } from '../../cli/args.js';\nexport const x = a;\n",
      'main/domain/planted.ts': "export const load = () => import('../desktop/tray.js');\n",
      'main/simulator/planted.ts': "import { a } from '../server/web-server.js';\nexport const x = a;\n",
    });
    expect(ruleHits(result)).toEqual([
      'main/broker/robinhood/planted.ts',
      'main/domain/planted.ts',
      'main/engine/planted.ts',
      'main/simulator/planted.ts',
      'main/store/reads/planted.ts',
    ]);
  });

  it('fails the domain logic or the simulator importing the store, engine, broker or logging', async () => {
    const result = await lintPlanted({
      'main/domain/planted.ts':
        "import type { OrderRow } from '../store/rows.js';\nexport type X = OrderRow;\n",
      'main/simulator/planted.ts': "import { a } from '../broker/robinhood/index.js';\nexport const x = a;\n",
      'main/domain/other.ts': "import { a } from '../logging/index.js';\nexport const x = a;\n",
      'main/simulator/fine.ts':
        "import { Dec } from '../util/money.js';\nimport type { IsoDate } from '../../shared/models.js';\nexport const x: [typeof Dec, IsoDate] = [Dec, ''];\n",
    });
    expect(ruleHits(result)).toEqual([
      'main/domain/other.ts',
      'main/domain/planted.ts',
      'main/simulator/planted.ts',
    ]);
  });

  it('fails the app importing test code (fault injection, the scenario generator)', async () => {
    const result = await lintPlanted({
      'main/simulator/planted.ts':
        "import { faultHook } from '../../test/simulator-tools/faults.js';\nexport const x = faultHook;\n",
      'main/desktop/planted.ts':
        "import { buildScenario } from '../../test/simulator-tools/index.js';\nexport const x = buildScenario;\n",
      'shared/planted.ts': "export const load = () => import('../test/helpers/postgres.js');\n",
      'test/engine/planted.ts':
        "import { buildScenario } from '../simulator-tools/index.js';\nexport const x = buildScenario;\n",
    });
    expect(ruleHits(result)).toEqual([
      'main/desktop/planted.ts',
      'main/simulator/planted.ts',
      'shared/planted.ts',
    ]);
  });

  it('allows the layers above to import the layers below', async () => {
    const result = await lintPlanted({
      'main/server/planted.ts': "import { a } from '../store/index.js';\nexport const x = a;\n",
      'main/cli/planted.ts': "import { a } from '../engine/engine.js';\nexport const x = a;\n",
      'main/desktop/planted.ts': "import { a } from '../server/index.js';\nexport const x = a;\n",
      'main/engine/planted.ts': "import { a } from '../store/index.js';\nexport const x = a;\n",
      'main/store/planted.ts': "import { a } from '../domain/fifo.js';\nexport const x = a;\n",
      'test/desktop-harness/planted.ts': "import { app } from 'electron';\nexport const x = app;\n",
    });
    expect(result.exitCode).toBe(0);
    expect(result.diagnostics).toEqual([]);
  });

  it('passes on the real tree', async () => {
    const result = await biomeLint(ROOT, ['main', 'shared', 'renderer', 'test', 'bin']);
    expect(result.files).toBeGreaterThan(300);
    expect(ruleHits(result)).toEqual([]);
  });
});
