// Models the C project's cache lets go keep their parse records (kept-parses.ts): mirrored again,
// a file must give the same tree and the same results, and nothing is parsed twice.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { walk } from '../src/lang/c/ast.js';
import { DEFAULT_KEEPALIVE } from '../src/engine/types.js';
import { cBackend, reusedParses } from '../src/lang/c/index.js';
import { KeptParses } from '../src/lang/c/kept-parses.js';
import { guessedModelHeap } from '../src/lang/c/model.js';
import { bodyCounts, chooseParse, loadCParser, mirrorTop, type CNode } from '../src/lang/c/parse.js';
import type { CScan } from '../src/lang/c/scan.js';
import { FIXTURES, inputFiles } from './lib/fixtures.js';

/** Every node of the mirror, every body expanded. */
function dump(root: CNode): string[] {
  const out: string[] = [];
  walk(root, (n) => {
    out.push(`${n.type}:${n.field ?? ''}:${n.start}-${n.end}${n.missing ? ':missing' : ''}:${n.children.length}`);
  });
  return out;
}

const root = join(FIXTURES, 'c');
const files = inputFiles(root).filter((f) => /\.[ch]$/.test(f));
const texts = new Map(files.map((f) => [f, readFileSync(join(root, f), 'utf8')]));

/** Every C fixture file as one project, analysed whole, with a model cache of `modelCacheHeap` bytes as guessed (default: the backend's). */
function analyseFixtures(modelCacheHeap?: number) {
  const scans = new Map<string, CScan>(files.map((f) => [f, cBackend.scan(texts.get(f)!)]));
  const opts = { keepalive: DEFAULT_KEEPALIVE, helpers: [], fixes: true, ...(modelCacheHeap !== undefined ? { modelCacheHeap } : {}) };
  const before = bodyCounts.parsed;
  const project = cBackend.createProject(scans, (f) => texts.get(f), opts);
  const results = cBackend.siteFiles(project, scans, false).map((f) => ({ file: f, ...cBackend.analyze(project, f, opts) }));
  return { results, project, bodiesParsed: bodyCounts.parsed - before };
}

describe('C parses kept for models let go', () => {
  it('mirror again as the same tree, bodies read since included, without parsing them again', async () => {
    const ctx = await loadCParser();
    let bodies = 0;
    for (const file of files) {
      const text = texts.get(file)!;
      const first = mirrorTop(ctx, text, chooseParse(ctx, text, () => false).top);
      const tree = dump(first.root); // expands every body: each is parsed when read
      const before = { ...bodyCounts };
      const again = mirrorTop(ctx, text, first.records());
      expect(dump(again.root), file).toEqual(tree);
      expect(bodyCounts.parsed, file).toBe(before.parsed);
      bodies += bodyCounts.ahead - before.ahead;
    }
    expect(bodies).toBeGreaterThan(100);
  });

  it('give the same results when every model is let go, and no file or body is parsed twice', async () => {
    await cBackend.init();
    const held = analyseFixtures();
    expect(held.project.loads).toBe(held.project.parsedFiles.size);
    // A 1-byte cache keeps one model: nearly every load after the first lets one go.
    const evicting = analyseFixtures(1);
    expect(evicting.results).toEqual(held.results);
    const again = evicting.project.loads - evicting.project.parsedFiles.size;
    expect(again).toBeGreaterThan(20);
    expect(reusedParses(evicting.project)).toBe(again);
    expect(evicting.bodiesParsed).toBe(held.bodiesParsed);
  });

  it('hold fewer models when the seed files alone overflow the cache', async () => {
    await cBackend.init();
    const opts = { keepalive: DEFAULT_KEEPALIVE, helpers: [], fixes: true };
    // Fresh scans each time: a project moves their name lists into its index.
    const projectSized = (size: number) =>
      cBackend.createProject(new Map<string, CScan>(files.map((f) => [f, cBackend.scan(texts.get(f)!)])), (f) => texts.get(f), opts, {
        paths: Object.fromEntries(files.map((f) => [f, join(root, f)])),
        sizes: Object.fromEntries(files.map((f) => [f, size])),
        maxBytes: 1 << 30,
      });
    const seeds = projectSized(1).seedFiles.length;
    expect(seeds).toBeGreaterThan(10);
    // Seed files whose guessed models fit the cache keep it whole; any more, and they would cycle
    // through it. The guess is ~11 KB a model and 10 bytes a source byte.
    const full = 128 << 20;
    const fits = Math.floor((full / seeds - guessedModelHeap(0)) / 10);
    expect(seeds * guessedModelHeap(fits)).toBeLessThanOrEqual(full);
    expect(projectSized(fits).cacheHeap).toBe(full);
    expect(projectSized(fits + 1).cacheHeap).toBe(24 << 20);
  });
});

describe('KeptParses', () => {
  const top = (n: number) => ({ nodes: new Int32Array(n), errors: new Int32Array(0) });

  it('hands a parse back once, and not for a text of another length (the file changed)', () => {
    const kept = new KeptParses(1 << 20);
    const chosen = { view: 'whole' as const, top: top(8) };
    kept.keep('a.c', 100, chosen);
    kept.keep('b.c', 100, chosen);
    expect(kept.take('a.c', 100)).toBe(chosen);
    expect(kept.take('a.c', 100)).toBeUndefined();
    expect(kept.take('b.c', 99)).toBeUndefined();
    expect(kept.take('b.c', 100)).toBeUndefined();
    expect(kept.reused).toBe(1);
  });

  it('lets the least recently kept go past its bound', () => {
    const kept = new KeptParses(3 * 4 * 100); // three records of 100 numbers
    for (const f of ['a.c', 'b.c', 'c.c', 'd.c']) kept.keep(f, 1, { view: 'whole', top: top(100) });
    expect(kept.size).toBe(3);
    expect(kept.take('a.c', 1)).toBeUndefined();
    expect(kept.take('d.c', 1)).toBeDefined();
    // A record larger than the whole bound is not kept, and pushes nothing out.
    kept.keep('e.c', 1, { view: 'whole', top: top(1000) });
    expect(kept.size).toBe(2);
  });
});
