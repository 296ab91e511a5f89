// The jscodeshift transform applies the engine's safe fixes: run through jscodeshift's Node API
// on a temporary copy of every fixture case that has fixed output, each file must equal its
// `.fixed` file (or stay unchanged); and the documented CLI command works on the built transform.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, fixedPathOf, inputFiles, loadCases } from './lib/fixtures.js';

const ROOT = join(import.meta.dirname, '..');
const TRANSFORM = join(ROOT, 'dist', 'jscodeshift', 'transform.js');
const require = createRequire(import.meta.url);
const tmp = mkdtempSync(join(tmpdir(), 'ka-jscodeshift-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const withFixes = loadCases('ts').filter((c) => inputFiles(c.dir).some((f) => existsSync(join(c.dir, fixedPathOf(f)))));

/** A copy of a case's inputs (no .fixed files, no expected.json) in its own directory. */
function copyInputs(name: string, dest: string): void {
  cpSync(join(FIXTURES, 'ts', name), dest, { recursive: true });
  for (const f of [...inputFiles(dest).map(fixedPathOf), 'expected.json']) if (existsSync(join(dest, f))) unlinkSync(join(dest, f));
}

function expectFixed(name: string, dir: string): void {
  const src = join(FIXTURES, 'ts', name);
  for (const f of inputFiles(dir)) {
    const want = existsSync(join(src, fixedPathOf(f))) ? join(src, fixedPathOf(f)) : join(src, f);
    expect(readFileSync(join(dir, f)).toString('latin1'), `${name}/${f}`).toBe(readFileSync(want).toString('latin1'));
  }
}

describe('jscodeshift transform', () => {
  it('the built transform exists (npm run build)', () => {
    expect(existsSync(TRANSFORM)).toBe(true);
  });

  it(`through jscodeshift's Node API, gives the .fixed file of every case with fixes (${withFixes.length} cases)`, async () => {
    expect(withFixes.length).toBeGreaterThan(20);
    const base = join(tmp, 'api');
    for (const c of withFixes) copyInputs(c.name, join(base, c.name));
    const { run } = require('jscodeshift/src/Runner.js') as { run: (t: string, p: string[], o: object) => Promise<{ error: number; ok: number }> };
    const res = await run(TRANSFORM, [base], { babel: false, extensions: 'ts,tsx,mts,cts,js,jsx,mjs,cjs', silent: true, runInBand: true });
    expect(res.error).toBe(0);
    expect(res.ok).toBeGreaterThan(0);
    for (const c of withFixes) expectFixed(c.name, join(base, c.name));
    // A second run changes nothing (idempotence).
    const again = await run(TRANSFORM, [base], { babel: false, extensions: 'ts,tsx,mts,cts,js,jsx,mjs,cjs', silent: true, runInBand: true });
    expect(again.ok).toBe(0);
  });

  it('npx jscodeshift -t dist/jscodeshift/transform.js <dir> works (default options, Babel on)', () => {
    const dir = join(tmp, 'cli');
    copyInputs('client-connect-options', join(dir, 'client-connect-options'));
    copyInputs('runtime-server', join(dir, 'runtime-server'));
    const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'jscodeshift'), ['-t', 'dist/jscodeshift/transform.js', '--extensions=ts,mjs', dir], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 110_000,
    });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/0 errors/);
    expectFixed('client-connect-options', join(dir, 'client-connect-options'));
    expectFixed('runtime-server', join(dir, 'runtime-server'));
  }, 120_000); // the first run with Babel on compiles the TypeScript compiler once (then cached)
});
