// Every C fixture's fixes: byte-for-byte against the golden `<name>.fixed.c`, compiled with
// gcc -Wall -Wextra -Werror, idempotent (the fixed tree audits clean of fixable findings and a
// second pass changes nothing). `KA_UPDATE_GOLDEN=1` rewrites the goldens instead of comparing.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planFile } from '../src/engine/apply.js';
import { audit } from '../src/engine/audit.js';
import { auditCase, fixedPathOf, inputFiles, loadCases } from './lib/fixtures.js';

const update = process.env['KA_UPDATE_GOLDEN'] === '1';
const cases = loadCases('c');
const scratch = mkdtempSync(join(tmpdir(), 'ka-fix-c-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function gcc(file: string, dir: string, compile: { std?: string; flags?: string[] } | false | undefined): void {
  const std = (compile && compile.std) || 'c99';
  const flags = (compile && compile.flags) || [];
  execFileSync('gcc', [`-std=${std}`, ...flags, '-Wall', '-Wextra', '-Werror', `-I${dir}`, '-c', file, '-o', '/dev/null'], { stdio: 'pipe' });
}

describe('C fixes', () => {
  for (const c of cases) {
    it(`${c.name}: fixes match the golden files, compile, and are idempotent`, async () => {
      const r = await auditCase(c);
      // Every finding has a fix, or says why not.
      for (const f of r.findings) {
        if (!f.fix) expect(f.noFixReason, `${f.file}:${f.line} has neither a fix nor a reason`).toBeTruthy();
      }
      const fixedTree = join(scratch, c.name);
      cpSync(c.dir, fixedTree, { recursive: true });
      for (const file of inputFiles(c.dir)) {
        const golden = join(c.dir, fixedPathOf(file));
        const text = readFileSync(join(c.dir, file), 'utf8');
        const plan = planFile(text, r.findings.filter((f) => f.file === file));
        if (update) {
          if (plan.text !== undefined) writeFileSync(golden, plan.text);
          else if (existsSync(golden)) unlinkSync(golden);
        }
        if (plan.text === undefined) {
          expect(existsSync(golden), `${file}: a golden exists but no fix applies`).toBe(false);
          continue;
        }
        expect(existsSync(golden), `${file}: fixed but no golden ${fixedPathOf(file)}`).toBe(true);
        expect(plan.text).toBe(readFileSync(golden, 'utf8'));
        writeFileSync(join(fixedTree, file), plan.text);
        rmSync(join(fixedTree, fixedPathOf(file)), { force: true });
        if (file.endsWith('.c')) gcc(join(fixedTree, file), fixedTree, c.compile);
      }
      // Idempotence: what was fixed is clean now, and nothing more would change.
      const again = await audit({ cwd: fixedTree, paths: ['.'], exclude: ['**/*.fixed.*'] });
      expect(again.findings.filter((f) => f.fix)).toEqual([]);
      const before = r.findings.filter((f) => !f.fix).map((f) => `${f.file}:${f.ruleId}`);
      expect(again.findings.map((f) => `${f.file}:${f.ruleId}`)).toEqual(before);
    });
  }
});
