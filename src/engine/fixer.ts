// --fix and --fix-dry-run: plan each file's safe fixes, check that the result still parses,
// then write atomically (or render a unified diff). Shared by the CLI; the core never prints.
import type { AuditResult } from './audit.js';
import { planFile, writeAtomic } from './apply.js';
import { backendFor } from './backends.js';
import type { Finding, TextEdit, ToolError } from './types.js';

export interface FileFix {
  file: string;
  before: string;
  after: string;
  /** The edits that make `after` of `before`, in the order applied. */
  edits: TextEdit[];
  applied: Finding[];
}

export interface FixOutcome {
  fixes: FileFix[];
  errors: ToolError[];
  /** Findings that remain after the fixes (not fixable, unsafe, or refused). */
  remaining: Finding[];
}

/** Plans every file's fixes; a fix whose result parses worse than the original is refused. */
export async function prepareFixes(result: AuditResult, opts: { unsafe?: boolean } = {}): Promise<FixOutcome> {
  const fixes: FileFix[] = [];
  const errors: ToolError[] = [];
  const fixed = new Set<Finding>();
  for (const [file, audited] of result.files) {
    const findings = result.findings.filter((f) => f.file === file && !f.suppressed);
    const plan = planFile(audited.source.text, findings, opts.unsafe);
    if (plan.text === undefined || plan.text === audited.source.text) continue;
    const backend = await backendFor(audited.lang);
    if (backend?.parseErrorCount) {
      await backend.init();
      const before = backend.parseErrorCount(audited.source.text);
      const after = backend.parseErrorCount(plan.text);
      if (after > before) {
        errors.push({ file, message: `fix not applied: the fixed text would have ${after - before} new parse error(s)` });
        continue;
      }
    }
    for (const f of plan.applied) fixed.add(f);
    fixes.push({ file, before: audited.source.text, after: plan.text, edits: plan.edits, applied: plan.applied });
  }
  return { fixes, errors, remaining: result.findings.filter((f) => !fixed.has(f)) };
}

export function writeFixes(result: AuditResult, outcome: FixOutcome): ToolError[] {
  const errors: ToolError[] = [];
  for (const fx of outcome.fixes) {
    const audited = result.files.get(fx.file)!;
    try {
      writeAtomic(audited.path, audited.source, fx.after);
    } catch (e) {
      errors.push({ file: fx.file, message: `cannot write the fix: ${(e as Error).message}` });
    }
  }
  return errors;
}

/** A unified diff of every planned fix (`--fix-dry-run`), with the file's own line endings. */
export async function renderDiff(outcome: FixOutcome): Promise<string> {
  // The diff library is loaded only for a dry run.
  const { unifiedDiff } = await import('./patch.js');
  return outcome.fixes.map((fx) => unifiedDiff(`a/${fx.file}`, `b/${fx.file}`, fx.before, fx.edits)).join('');
}
