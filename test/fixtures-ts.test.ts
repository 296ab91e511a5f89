// Every TS/JS fixture: findings and the classification of every site exactly as expected; the
// safe fixes applied (as --fix does) equal the `.fixed` file byte for byte; the fixed code audits
// clean of the fixed findings (idempotence); the fixed TypeScript type-checks with @types/node.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { audit } from '../src/engine/audit.js';
import { actualFindings, actualSites, auditCase, byFileLine, FIXED_GLOB, FIXTURES, fixedPathOf, inputFiles, loadCases } from './lib/fixtures.js';
import { fixedFiles, readBytes, safeFixCount, typeCheck } from './lib/ts-fixtures.js';

const cases = loadCases('ts');
const tmp = mkdtempSync(join(tmpdir(), 'ka-ts-fixtures-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('TS/JS fixtures', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it('does not load the TypeScript analysis when no TS/JS file can hold a site', () => {
    // A child process, so that nothing this test runner loaded counts. Whether the compiler
    // got loaded is read from the CommonJS module cache (typescript is a CommonJS package).
    const loadsCompiler = (js: string): boolean => {
      const dir = mkdtempSync(join(tmpdir(), 'ka-ts-lazy-'));
      try {
        writeFileSync(join(dir, 'main.c'), 'int main(void) { return 0; }\n');
        writeFileSync(join(dir, 'tool.js'), js);
        const script = `
          import { createRequire } from 'node:module';
          const { audit } = await import(${JSON.stringify(join(import.meta.dirname, '..', 'dist', 'engine', 'audit.js'))});
          await audit({ cwd: ${JSON.stringify(dir)}, paths: ['.'], jobs: 1 });
          const cache = createRequire(import.meta.url).cache;
          console.log(Object.keys(cache).some((k) => k.includes('/node_modules/typescript/')));`;
        return execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim() === 'true';
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    expect(loadsCompiler("console.log('no sockets here');\n")).toBe(false);
    expect(loadsCompiler("const net = require('net');\nnet.connect(80, 'example.org');\n")).toBe(true);
  });

  it('gives the same results in a worker thread with a pass-0 helper on a spare core', async () => {
    const opts = { cwd: FIXTURES, paths: ['ts'], exclude: [FIXED_GLOB] };
    const one = await audit({ ...opts, jobs: 1 });
    const three = await audit({ ...opts, jobs: 3, parallelMinFiles: 0, helpersAlways: true });
    // One language keeps one thread busy; the other cores are left to helpers.
    expect(three.stats.threads).toBe(1);
    expect(one.findings.length).toBeGreaterThan(30);
    expect(actualFindings(three)).toEqual(actualFindings(one));
    expect(actualSites(three)).toEqual(actualSites(one));
    expect(three.findings.map((f) => f.fix)).toEqual(one.findings.map((f) => f.fix));
    expect(three.errors).toEqual(one.errors);
  });

  for (const c of cases) {
    describe(c.name, () => {
      it(c.description, async () => {
        const r = await auditCase(c);
        expect(r.errors.filter((e) => (e.severity ?? 'error') === 'error')).toEqual([]);
        expect(actualFindings(r)).toEqual([...c.findings].sort(byFileLine));
        const expected = [...c.sites].sort(byFileLine).map((s) => ({ loopback: false, ...s }));
        expect(actualSites(r)).toEqual(expected);
        // The pass-0 prefilter only saves work: without it the results are the same.
        const all = await auditCase(c, { noPrefilter: true });
        expect(actualSites(all)).toEqual(actualSites(r));
        expect(actualFindings(all)).toEqual(actualFindings(r));
      });

      it('safe fixes give the .fixed files, byte for byte, and the fixed code audits clean', async () => {
        const r = await auditCase(c);
        const fixed = fixedFiles(r);
        for (const file of inputFiles(c.dir)) {
          const want = join(c.dir, fixedPathOf(file));
          if (fixed.has(file)) {
            expect(existsSync(want), `${fixedPathOf(file)} should exist`).toBe(true);
            expect(fixed.get(file)!.toString('latin1')).toBe(readBytes(c.dir, fixedPathOf(file)).toString('latin1'));
          } else {
            expect(existsSync(want), `${fixedPathOf(file)} should not exist: no safe fix applies`).toBe(false);
          }
        }
        if (fixed.size === 0) return;
        // Idempotence: the fixed tree has exactly the findings that had no safe fix.
        const copy = join(tmp, c.name);
        cpSync(c.dir, copy, { recursive: true });
        for (const [file, bytes] of fixed) writeFileSync(join(copy, file), bytes);
        const again = await auditCase({ ...c, dir: copy });
        expect(again.findings.map((f) => `${f.file} ${f.ruleId} ${f.site.api}`).sort()).toEqual(
          r.findings.filter((f) => !f.fix?.safe).map((f) => `${f.file} ${f.ruleId} ${f.site.api}`).sort(),
        );
        expect(safeFixCount(again)).toBe(0);
      });
    });
  }

  it('the fixed TypeScript fixtures type-check with @types/node', () => {
    const files = cases.flatMap((c) =>
      inputFiles(c.dir)
        .filter((f) => /\.(ts|mts|cts)$/.test(f))
        .map((f) => join(c.dir, fixedPathOf(f)))
        .filter((f) => existsSync(f)),
    );
    expect(files.length).toBeGreaterThan(10);
    expect(typeCheck(files)).toEqual([]);
  });
});
