/** Every comment that cites the broker facts points at an anchor docs/broker-api.md has. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchorsOf, BROKER_API_DOC, citationProblems, citingFiles } from '../helpers/doc-citations.js';

const root = join(import.meta.dirname, '..', '..');
const anchors = anchorsOf(readFileSync(join(root, BROKER_API_DOC), 'utf8'));

describe('citations of docs/broker-api.md', () => {
  it('the page has its anchors, and the code cites them', () => {
    expect(anchors.size).toBeGreaterThan(20);
    const files = citingFiles(root);
    const cited = files.filter((f) => f.text.includes(`${BROKER_API_DOC}#`));
    expect(cited.length).toBeGreaterThan(10);
  });

  it('every citation points at an existing anchor, and none cites the handout', () => {
    expect(citationProblems(citingFiles(root), anchors)).toEqual([]);
  });

  it('fails on a broken anchor and on a citation of the handout (planted)', () => {
    const planted = [
      { path: 'main/x.ts', text: `/** Quotes (${BROKER_API_DOC}#quote). */` },
      { path: 'main/y.ts', text: `/** Login (reference ${'§'}2). */` },
      { path: 'main/z.ts', text: `// see ${'robinhood-api'}.md` },
      { path: 'test/w.md', text: `${BROKER_API_DOC}\n| file.json ${'|'} #no-such-anchor |` },
      { path: 'main/ok.ts', text: `/** Quotes (${BROKER_API_DOC}#quotes). */` },
    ];
    expect(citationProblems(planted, anchors)).toEqual([
      'main/x.ts:1: no anchor #quote in docs/broker-api.md',
      'main/y.ts:1: cites the research handout, which is not in the repository',
      'main/z.ts:1: cites the research handout, which is not in the repository',
      'test/w.md:2: no anchor #no-such-anchor in docs/broker-api.md',
    ]);
  });
});
