/**
 * Comments cite the broker facts in docs/broker-api.md by anchor (`docs/broker-api.md#quotes`).
 * citationProblems() lists every citation that points nowhere: an anchor the page does not have,
 * or a citation of the research handout the page replaced (section signs, its file name), which is
 * not in the repository.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const BROKER_API_DOC = 'docs/broker-api.md';

/** The `<a id="…">` anchors of a page. */
export function anchorsOf(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/<a id="([a-z0-9-]+)"><\/a>/g)].map((m) => m[1] as string));
}

export interface SourceFile {
  path: string;
  text: string;
}

export function citationProblems(files: readonly SourceFile[], anchors: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const { path, text } of files) {
    text.split('\n').forEach((line, i) => {
      const where = `${path}:${i + 1}`;
      for (const m of line.matchAll(/broker-api\.md#([a-z0-9-]+)/g))
        if (!anchors.has(m[1] as string)) problems.push(`${where}: no anchor #${m[1]} in ${BROKER_API_DOC}`);
      // Short citations ("(#quotes)", "| #quotes") in a file that names the page.
      if (text.includes('broker-api.md'))
        for (const m of line.matchAll(/[(|]\s?#([a-z][a-z0-9-]*)/g))
          if (!anchors.has(m[1] as string))
            problems.push(`${where}: no anchor #${m[1]} in ${BROKER_API_DOC}`);
      if (/robinhood-api\.md|reference\s*§|§\s*\d/.test(line))
        problems.push(`${where}: cites the research handout, which is not in the repository`);
    });
  }
  return problems;
}

/** The files whose comments may cite the page: code, tests and their notes. */
export function citingFiles(root: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|tsx|mts|mjs|js|md)$/.test(entry.name))
        out.push({ path: relative(root, full), text: readFileSync(full, 'utf8') });
    }
  };
  for (const dir of ['main', 'shared', 'renderer/src', 'test', 'bin']) walk(join(root, dir));
  return out;
}
