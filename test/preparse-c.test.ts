// The C pre-parse helper thread: it must change no result, really take parsing off the
// analysis thread, and never hang the analysis when it fails.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { audit } from '../src/engine/audit.js';
import type { BackendOptions } from '../src/engine/backend.js';
import { DEFAULT_KEEPALIVE } from '../src/engine/types.js';
import { cBackend, preparserOf } from '../src/lang/c/index.js';
import type { CProject } from '../src/lang/c/project.js';
import { MAX_AHEAD, MAX_PARSED_HERE_AHEAD, Preparser } from '../src/lang/c/preparse.js';
import type { ChosenParse } from '../src/lang/c/parse.js';
import type { CScan } from '../src/lang/c/scan.js';
import { actualFindings, actualSites, FIXED_GLOB, FIXTURES, inputFiles } from './lib/fixtures.js';

const MAX_BYTES = 4 << 20;

/** Every C fixture file, as one project. */
function fixtureProject(opts: Partial<BackendOptions>): { project: CProject; files: string[]; scans: Map<string, CScan> } {
  const root = join(FIXTURES, 'c');
  const files = inputFiles(root).filter((f) => /\.[ch]$/.test(f));
  const texts = new Map(files.map((f) => [f, readFileSync(join(root, f), 'utf8')]));
  const scans = new Map(files.map((f) => [f, cBackend.scan(texts.get(f)!)]));
  const project = cBackend.createProject(
    scans,
    (f) => texts.get(f),
    { keepalive: DEFAULT_KEEPALIVE, helpers: [], fixes: true, ...opts },
    {
      paths: Object.fromEntries(files.map((f) => [f, join(root, f)])),
      sizes: Object.fromEntries(files.map((f) => [f, texts.get(f)!.length])),
      maxBytes: MAX_BYTES,
    },
  );
  return { project, files, scans };
}

function analyseAll(project: CProject, scans: Map<string, CScan>) {
  const opts = { keepalive: DEFAULT_KEEPALIVE, helpers: [], fixes: true };
  return cBackend.siteFiles(project, scans, false).map((f) => ({ file: f, ...cBackend.analyze(project, f, opts) }));
}

async function until(what: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!what() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

describe('C pre-parse helper thread', () => {
  it('gives the same findings, sites, fixes and errors as one thread', async () => {
    const opts = { cwd: FIXTURES, paths: ['c'], exclude: [FIXED_GLOB] };
    const one = await audit({ ...opts, jobs: 1 });
    const helped = await audit({ ...opts, jobs: 2, helpersAlways: true });
    expect(actualFindings(helped)).toEqual(actualFindings(one));
    expect(actualSites(helped)).toEqual(actualSites(one));
    expect(helped.findings.map((f) => f.fix)).toEqual(one.findings.map((f) => f.fix));
    expect(helped.errors).toEqual(one.errors);
  });

  it('gives the same results with the helpers started from a pool worker thread', async () => {
    // C alone: its pool thread leaves the second core spare, so both helpers start.
    const opts = { cwd: FIXTURES, paths: ['c'], exclude: [FIXED_GLOB] };
    const one = await audit({ ...opts, jobs: 1 });
    const pooled = await audit({ ...opts, jobs: 2, parallelMinFiles: 0, helpersAlways: true });
    expect(pooled.stats.threads).toBe(1);
    expect(pooled.stats.workerFailure).toBeUndefined();
    expect(actualFindings(pooled)).toEqual(actualFindings(one));
    expect(actualSites(pooled)).toEqual(actualSites(one));
    expect(pooled.findings.map((f) => f.fix)).toEqual(one.findings.map((f) => f.fix));
    expect(pooled.errors).toEqual(one.errors);
  });

  it('parses files ahead, and the analysis uses them with the same results', async () => {
    await cBackend.init();
    const alone = fixtureProject({});
    expect(preparserOf(alone.project)).toBeUndefined();
    const expected = analyseAll(alone.project, alone.scans);

    const spare = new Int32Array(new SharedArrayBuffer(4));
    spare[0] = 1;
    const helped = fixtureProject({ spareThreads: spare.buffer as SharedArrayBuffer, helpersAlways: true });
    const ahead = preparserOf(helped.project)!;
    expect(ahead).toBeDefined();
    try {
      // Let the helper run ahead as far as it may before the analysis asks for anything.
      const want = Math.min(MAX_AHEAD, helped.project.seedFiles.length);
      await until(() => ahead.inFlight() >= want, 20_000);
      expect(ahead.inFlight()).toBe(want);
      // A seed file comes with the bodies its passes will read, recorded by the helper.
      const first = helped.project.seedFiles[0]!;
      expect(ahead.take(first, readFileSync(join(FIXTURES, 'c', first), 'utf8'))?.top.bodies?.length).toBeGreaterThan(0);
      expect(analyseAll(helped.project, helped.scans)).toEqual(expected);
      expect(ahead.taken).toBeGreaterThanOrEqual(want);
    } finally {
      await cBackend.dispose!(helped.project);
    }
  });

  it('adopts a helper started before the project was built', async () => {
    await cBackend.init();
    const spare = new Int32Array(new SharedArrayBuffer(4));
    spare[0] = 1;
    const opts = { keepalive: DEFAULT_KEEPALIVE, helpers: [], fixes: true, spareThreads: spare.buffer as SharedArrayBuffer, helpersAlways: true };
    // A core is spare now: the helper starts before its files are known...
    cBackend.prepare!(opts, { paths: {}, sizes: {}, maxBytes: MAX_BYTES });
    // ...and is the only one that can parse ahead once none is.
    spare[0] = 0;
    const helped = fixtureProject({ spareThreads: spare.buffer as SharedArrayBuffer, helpersAlways: true });
    const ahead = preparserOf(helped.project)!;
    try {
      await until(() => ahead.inFlight() > 0, 20_000);
      expect(ahead.inFlight()).toBeGreaterThan(0);
    } finally {
      await cBackend.dispose!(helped.project);
    }
  });

  it('parses nothing while no core is spare, and goes ahead once one is', async () => {
    await cBackend.init();
    const spare = new Int32Array(new SharedArrayBuffer(4));
    const helped = fixtureProject({ spareThreads: spare.buffer as SharedArrayBuffer, helpersAlways: true });
    const ahead = preparserOf(helped.project)!;
    try {
      // Long enough for a free helper to start and parse its first files (~0.2 s here).
      await new Promise((r) => setTimeout(r, 1500));
      expect(helped.project.seedFiles.map((f) => ahead.status(f))).toEqual(helped.project.seedFiles.map(() => 'free'));
      Atomics.store(spare, 0, 1);
      Atomics.notify(spare, 0);
      // The analysis asks for a file (here the last one, which it then parses itself).
      const last = helped.project.seedFiles.at(-1)!;
      expect(ahead.take(last, readFileSync(join(FIXTURES, 'c', last), 'utf8'))).toBeUndefined();
      const want = Math.min(MAX_AHEAD, helped.project.seedFiles.length - 1);
      await until(() => ahead.inFlight() >= want, 20_000);
      expect(ahead.inFlight()).toBe(want);
    } finally {
      await cBackend.dispose!(helped.project);
    }
  });

  it('leaves every file to the analysis when no helper thread can be started', () => {
    // A relative path without ./ makes the Worker constructor throw.
    const ahead = new Preparser(['a.c'], ['/nonexistent/a.c'], MAX_BYTES, 'no-such-helper.js');
    expect(ahead.take('a.c', 'int x;\n')).toBeUndefined();
    expect(ahead.status('a.c')).toBe('mine');
  });

  it('does not hang the analysis when the helper dies in the middle of a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ka-preparse-'));
    const file = join(dir, 'a.c');
    writeFileSync(file, 'int main(void) { return 0; }\n');
    // A helper that claims the first file, then dies without handing it over.
    const dying = join(dir, 'dying.mjs');
    writeFileSync(dying, "import { workerData } from 'node:worker_threads';\nAtomics.store(new Int32Array(workerData.state), 0, 1);\n");
    const ahead = new Preparser(['a.c', 'b.c'], [file, join(dir, 'b.c')], MAX_BYTES, dying);
    try {
      await until(() => ahead.status('a.c') === 'helper', 20_000);
      expect(ahead.status('a.c')).toBe('helper');
      const started = performance.now();
      expect(ahead.take('a.c', 'int main(void) { return 0; }\n')).toBeUndefined();
      // Bounded by a slow parse's time (200 ms here), not by the helper.
      expect(performance.now() - started).toBeLessThan(5_000);
      // A file the helper never reached is the analysis's own at once.
      expect(ahead.take('b.c', '')).toBeUndefined();
      expect(ahead.status('b.c')).toBe('mine');
    } finally {
      await ahead.close();
    }
  });

  it('parses the next files itself while the helper is busy with the one it asked for', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ka-preparse-'));
    const names = Array.from({ length: MAX_PARSED_HERE_AHEAD + 3 }, (_, i) => `${String.fromCharCode(97 + i)}.c`);
    const heldAhead = names.slice(1, 1 + MAX_PARSED_HERE_AHEAD);
    const [next, later] = names.slice(1 + MAX_PARSED_HERE_AHEAD);
    const paths = names.map((n) => join(dir, n));
    // A helper that claims the first file and stays at work on it.
    const busy = join(dir, 'busy.mjs');
    writeFileSync(busy, "import { workerData } from 'node:worker_threads';\nAtomics.store(new Int32Array(workerData.state), 0, 1);\nsetInterval(() => {}, 1000);\n");
    const asked: string[] = [];
    const parsed: ChosenParse = { top: { nodes: new Int32Array(4), errors: new Int32Array(0) }, view: 'whole' };
    const ahead = new Preparser(names, paths, MAX_BYTES, busy, undefined, [], (file) => {
      asked.push(file);
      return { length: 3, chosen: parsed };
    });
    try {
      await until(() => ahead.status('a.c') === 'helper', 20_000);
      // a.c: the helper stays on it, so the next files are parsed here meanwhile, as many as
      // may be held; a.c itself is given up on.
      expect(ahead.take('a.c', 'int main(void) { return 0; }\n')).toBeUndefined();
      expect(asked).toEqual(heldAhead);
      expect(heldAhead.map((f) => ahead.status(f))).toEqual(heldAhead.map(() => 'mine'));
      expect([ahead.status(next!), ahead.status(later!)]).toEqual(['free', 'free']);
      // Those come from that parse (same text length), without parsing them again; a changed
      // length (the text the analysis read differs) is parsed again by the analysis.
      const [changed, ...same] = heldAhead;
      for (const f of same) expect(ahead.take(f, 'x;\n')).toBe(parsed);
      expect(ahead.take(changed!, 'longer;\n')).toBeUndefined();
      // The next file is free: the analysis parses it itself as usual, and nothing ahead.
      expect(ahead.take(next!, 'y;\n')).toBeUndefined();
      expect(ahead.status(later!)).toBe('free');
      expect(asked).toEqual(heldAhead);
      expect(ahead.parsedHere).toBe(MAX_PARSED_HERE_AHEAD);
    } finally {
      await ahead.close();
    }
  });
});
