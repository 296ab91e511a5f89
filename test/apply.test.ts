// Choosing a file's fixes: the incremental check must accept and refuse exactly what applying
// every chosen edit again for each fix did (the algorithm it replaced, kept here as reference).
import { describe, expect, it } from 'vitest';
import { applyEdits, OverlapError, planFile, type FilePlan } from '../src/engine/apply.js';
import type { Finding, TextEdit } from '../src/engine/types.js';
import { randomInts } from './lib/random.js';

type Plan = Omit<FilePlan, 'edits'>;

/** planFile as it was: every fix checked by applying all chosen edits plus its own. */
function referencePlan(text: string, findings: Finding[], unsafe = false): Plan {
  const applied: Finding[] = [];
  const skipped: Plan['skipped'] = [];
  const chosen: TextEdit[] = [];
  for (const f of findings) {
    if (!f.fix || f.suppressed) continue;
    if (!f.fix.safe && !unsafe) {
      skipped.push({ finding: f, reason: 'fix is not marked safe' });
      continue;
    }
    try {
      applyEdits(text, [...chosen, ...f.fix.edits]);
      chosen.push(...f.fix.edits);
      applied.push(f);
    } catch (e) {
      skipped.push({ finding: f, reason: e instanceof OverlapError ? 'overlaps another fix' : String(e) });
    }
  }
  return applied.length ? { text: applyEdits(text, chosen), applied, skipped } : { applied, skipped };
}

function finding(edits: TextEdit[], safe = true, suppressed = false): Finding {
  return {
    file: 'a.c', line: 1, column: 1, endLine: 1, endColumn: 1, ruleId: 'require-keepalive', severity: 'error', message: '',
    site: { api: 'socket', tcp: 'yes', role: 'client', keepalive: 'none', name: 'fd' },
    fix: { safe, description: '', edits }, fingerprint: '',
    ...(suppressed ? { suppressed: { reason: '' } } : {}),
  } as Finding;
}

describe('planFile', () => {
  it('chooses the same fixes, text and reasons as applying every chosen edit again (5,000 random files)', () => {
    const rnd = randomInts(12345);
    let overlaps = 0;
    let outOfRange = 0;
    let applied = 0;
    for (let round = 0; round < 5000; round++) {
      const length = rnd(40);
      const text = 'abcdefghij'.repeat(4).slice(0, length);
      const findings = Array.from({ length: 1 + rnd(8) }, () => {
        const edits = Array.from({ length: 1 + rnd(3) }, () => {
          const start = rnd(length + 5) - 2;
          // Mostly insertions and short replacements; some out of range, some reversed.
          const end = start + (rnd(4) === 0 ? rnd(6) - 1 : 0);
          return { start, end, text: ['X', 'Y', ''][rnd(3)]! };
        });
        return finding(edits, rnd(10) !== 0, rnd(20) === 0);
      });
      const want = referencePlan(text, findings);
      const { edits, ...got } = planFile(text, findings);
      expect(got).toEqual(want);
      // The edits it reports are the ones that make its text.
      if (got.text === undefined) expect(edits).toEqual([]);
      else expect(applyEdits(text, edits)).toBe(got.text);
      expect(got.applied.map((f) => findings.indexOf(f))).toEqual(want.applied.map((f) => findings.indexOf(f)));
      overlaps += want.skipped.filter((s) => s.reason === 'overlaps another fix').length;
      outOfRange += want.skipped.filter((s) => s.reason.startsWith('RangeError')).length;
      applied += want.applied.length;
    }
    // The random cases exercise both outcomes, and both kinds of refusal.
    expect(Math.min(overlaps, outOfRange, applied)).toBeGreaterThan(100);
  });

  it('refuses a fix that overlaps a chosen one, and applies an identical edit once', () => {
    const a = finding([{ start: 2, end: 4, text: 'X' }]);
    const b = finding([{ start: 3, end: 5, text: 'Y' }]);
    const c = finding([{ start: 2, end: 4, text: 'X' }, { start: 6, end: 6, text: 'Z' }]);
    const plan = planFile('0123456789', [a, b, c]);
    expect(plan.text).toBe('01X45Z6789');
    expect(plan.edits).toEqual([{ start: 2, end: 4, text: 'X' }, { start: 6, end: 6, text: 'Z' }]);
    expect(plan.applied).toEqual([a, c]);
    expect(plan.skipped).toEqual([{ finding: b, reason: 'overlaps another fix' }]);
  });
});
