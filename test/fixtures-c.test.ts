// Every C fixture: the findings and the classification of every site, exactly as expected.
import { describe, expect, it } from 'vitest';
import { audit } from '../src/engine/audit.js';
import { actualFindings, actualSites, auditCase, byFileLine, FIXED_GLOB, FIXTURES, loadCases } from './lib/fixtures.js';

const cases = loadCases('c');

describe('C fixtures', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it('gives the same results over the whole fixture tree with and without the prefilter', async () => {
    const opts = { cwd: FIXTURES, paths: ['c'], exclude: [FIXED_GLOB], jobs: 1 };
    const fast = await audit(opts);
    const all = await audit({ ...opts, noPrefilter: true });
    expect(all.stats.parsed).toBeGreaterThan(fast.stats.parsed);
    expect(actualFindings(all)).toEqual(actualFindings(fast));
    expect(actualSites(all)).toEqual(actualSites(fast));
  });

  it('gives the same results when the C project is analysed in a worker thread', async () => {
    const opts = { cwd: FIXTURES, paths: ['c'], exclude: [FIXED_GLOB] };
    const one = await audit({ ...opts, jobs: 1 });
    const two = await audit({ ...opts, jobs: 2, parallelMinFiles: 0 });
    // One C project keeps one thread busy: the pool starts no idle second worker.
    expect(two.stats.threads).toBe(1);
    expect(two.stats.workerFailure).toBeUndefined();
    expect(actualFindings(two)).toEqual(actualFindings(one));
    expect(actualSites(two)).toEqual(actualSites(one));
    expect(two.findings.map((f) => f.fix)).toEqual(one.findings.map((f) => f.fix));
  });

  it('gives the same results when C and TS/JS run in parallel threads', async () => {
    const opts = { cwd: FIXTURES, paths: ['.'], exclude: [FIXED_GLOB] };
    const one = await audit({ ...opts, jobs: 1 });
    const two = await audit({ ...opts, jobs: 2, parallelMinFiles: 0 });
    expect(two.stats.threads).toBe(2);
    expect(actualFindings(two)).toEqual(actualFindings(one));
    expect(actualSites(two)).toEqual(actualSites(one));
    expect(two.errors).toEqual(one.errors);
  });

  it('repeats the run when a worker dies (here: a heap bound too small to start)', async () => {
    const opts = { cwd: FIXTURES, paths: ['c'], exclude: [FIXED_GLOB] };
    const one = await audit({ ...opts, jobs: 1 });
    const starved = await audit({ ...opts, jobs: 2, parallelMinFiles: 0, workerHeapMb: 1 });
    expect(starved.stats.workerFailure).toMatch(/memory/);
    expect(starved.stats.threads).toBe(1);
    expect(starved.errors).toEqual(one.errors);
    expect(actualFindings(starved)).toEqual(actualFindings(one));
    expect(actualSites(starved)).toEqual(actualSites(one));
  });

  // The repeat ran in the main thread, where running out of memory aborted the process.
  it('reports each language whose repeat fails too, once, on the directory of its files', async () => {
    const r = await audit({ cwd: FIXTURES, paths: ['.'], exclude: [FIXED_GLOB], jobs: 2, parallelMinFiles: 0, workerHeapMb: 1, repeatHeapMb: 1 });
    expect(r.stats.workerFailure).toMatch(/memory/);
    const failed = (label: string) => ({ message: expect.stringMatching(new RegExp(`^not analysed: the ${label} analysis of \\d+ file\\(s\\) failed in a worker thread, and again when repeated alone with a 1 MB heap \\(.*memory`)) });
    expect(r.errors.filter((e) => e.message.startsWith('not analysed'))).toEqual([
      { file: 'c', ...failed('C') },
      { file: 'ts', ...failed('TS/JS') },
    ]);
    expect(r.findings).toEqual([]);
  });

  for (const c of cases) {
    it(`${c.name}: ${c.description}`, async () => {
      const r = await auditCase(c);
      expect(r.errors.filter((e) => (e.severity ?? 'error') === 'error')).toEqual([]);
      expect(actualFindings(r)).toEqual([...c.findings].sort(byFileLine));
      const sites = actualSites(r);
      const expected = [...c.sites].sort(byFileLine).map((s) => ({ loopback: false, ...s }));
      expect(sites).toEqual(expected);
      // The prefilter only saves work: without it every file is parsed, and nothing changes.
      const all = await auditCase(c, { noPrefilter: true });
      expect(actualFindings(all)).toEqual(actualFindings(r));
      expect(actualSites(all)).toEqual(sites);
    });
  }
});
