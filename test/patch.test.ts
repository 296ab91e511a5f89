// --fix-dry-run's diff is built from the edits: it must apply back to the fixed text, and where
// the change can only be read one way (whole new lines) it must be the diff library's own output.
import { applyPatch, createTwoFilesPatch, parsePatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { applyEdits } from '../src/engine/apply.js';
import { unifiedDiff } from '../src/engine/patch.js';
import type { TextEdit } from '../src/engine/types.js';
import { randomInts } from './lib/random.js';

/** A file of lines that repeat a lot (as code does), with either line ending, with or without a final one. */
function randomText(rnd: (n: number) => number): { text: string; eol: string } {
  const eol = rnd(4) === 0 ? '\r\n' : '\n';
  const pool = ['int a;', '}', '', '  return 0;', 'x', '{', '\t#if X'];
  const n = rnd(30);
  let text = Array.from({ length: n }, () => pool[rnd(pool.length)]!).join(eol);
  if (n > 0 && rnd(3) > 0) text += eol;
  return { text, eol };
}

const lineStarts = (text: string) => [0, ...[...text.matchAll(/\n/g)].map((m) => m.index + 1)].filter((at) => at < text.length || text === '' || text.endsWith('\n'));

describe('unifiedDiff', () => {
  it('applies back to the fixed text, for any edits (5,000 random files)', () => {
    const rnd = randomInts(987);
    let multiHunk = 0;
    let noFinalNewline = 0;
    for (let round = 0; round < 5000; round++) {
      const { text, eol } = randomText(rnd);
      const edits: TextEdit[] = [];
      for (let pos = 0; edits.length < 6; ) {
        const start = pos + rnd(Math.max(1, Math.floor(text.length / 3)));
        if (start > text.length) break;
        const end = Math.min(text.length, start + (rnd(3) === 0 ? rnd(5) : 0));
        edits.push({ start, end, text: ['', 'Y', `new line${eol}`, `${eol}tail`, `  {${eol}  k;${eol}  }${eol}`][rnd(5)]! });
        pos = end + 1;
      }
      const after = applyEdits(text, edits);
      const patch = unifiedDiff('a/f.c', 'b/f.c', text, edits);
      expect(applyPatch(text, patch), JSON.stringify({ text, edits })).toBe(after);
      const hunks = parsePatch(patch)[0]!.hunks;
      if (hunks.length > 1) multiHunk++;
      if (patch.includes('\\ No newline at end of file')) noFinalNewline++;
    }
    // The cases cover several hunks per file and files without a final line break.
    expect(Math.min(multiHunk, noFinalNewline)).toBeGreaterThan(200);
  });

  it('is the diff library output when the fix adds whole lines (3,000 random files)', () => {
    const rnd = randomInts(4242);
    let n = 0;
    for (let round = 0; round < 3000; round++) {
      const { text, eol } = randomText(rnd);
      // New lines that the file does not have, at line starts: only one reading of the change.
      const edits = lineStarts(text)
        .filter(() => rnd(4) === 0)
        .map((at) => ({ start: at, end: at, text: Array.from({ length: 1 + rnd(3) }, () => `added ${n++};${eol}`).join('') }));
      const after = applyEdits(text, edits);
      expect(unifiedDiff('a/f.c', 'b/f.c', text, edits), JSON.stringify({ text, edits })).toBe(createTwoFilesPatch('a/f.c', 'b/f.c', text, after, '', '', { context: 3 }));
    }
  });

  it('renders thousands of fixes in one file, hunk by hunk', () => {
    const text = Array.from({ length: 6000 }, (_, i) => `  int v${i} = socket(AF_INET, SOCK_STREAM, 0);\n`).join('');
    const lines = lineStarts(text);
    const edits = lines.filter((_, i) => i % 3 === 1).map((at) => ({ start: at, end: at, text: '  set_keepalive(fd);\n' }));
    const patch = unifiedDiff('a/f.c', 'b/f.c', text, edits);
    expect(applyPatch(text, patch)).toBe(applyEdits(text, edits));
    // Changes three lines apart share a hunk (3 lines of context): one hunk for the file.
    expect(parsePatch(patch)[0]!.hunks).toHaveLength(1);
    const sparse = edits.filter((_, i) => i % 4 === 0);
    expect(parsePatch(unifiedDiff('a/f.c', 'b/f.c', text, sparse))[0]!.hunks).toHaveLength(sparse.length);
  });
});
