// Applying fixes: one model for every front. Edits are offsets into the BOM-less text; the
// result keeps every untouched byte, and is written atomically with the original file mode.
import { chmodSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { encodeSource, type SourceText } from './source.js';
import type { Finding, TextEdit } from './types.js';

export class OverlapError extends Error {}

/** Applies non-overlapping edits; identical edits (two findings, one fix) are applied once. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const unique = dedupe(edits).sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let pos = 0;
  for (const e of unique) {
    if (e.start < pos) throw new OverlapError(`overlapping edits at offset ${e.start}`);
    if (e.start < 0 || e.end > text.length || e.end < e.start) throw new RangeError(`edit out of range: ${e.start}..${e.end}`);
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos);
}

function dedupe(edits: TextEdit[]): TextEdit[] {
  const seen = new Set<string>();
  return edits.filter((e) => {
    const k = `${e.start}:${e.end}:${e.text}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export interface FilePlan {
  /** The fixed text, or undefined when no fix applied. */
  text?: string;
  applied: Finding[];
  skipped: Array<{ finding: Finding; reason: string }>;
}

/**
 * Chooses which fixes of one file to apply: safe ones only (unless `unsafe`), and none that
 * overlap an already chosen fix (they are left for a second run, like ESLint's passes).
 */
export function planFile(text: string, findings: Finding[], unsafe = false): FilePlan {
  const applied: Finding[] = [];
  const skipped: FilePlan['skipped'] = [];
  const chosen: TextEdit[] = [];
  for (const f of findings) {
    if (!f.fix || f.suppressed) continue;
    if (!f.fix.safe && !unsafe) {
      skipped.push({ finding: f, reason: 'fix is not marked safe' });
      continue;
    }
    const candidate = [...chosen, ...f.fix.edits];
    try {
      applyEdits(text, candidate);
      chosen.push(...f.fix.edits);
      applied.push(f);
    } catch (e) {
      skipped.push({ finding: f, reason: e instanceof OverlapError ? 'overlaps another fix' : String(e) });
    }
  }
  return applied.length ? { text: applyEdits(text, chosen), applied, skipped } : { applied, skipped };
}

/** Writes via a temp file in the same directory + rename, keeping BOM, encoding and file mode. */
export function writeAtomic(path: string, source: Pick<SourceText, 'bom' | 'encoding'>, text: string): void {
  const mode = statSync(path).mode & 0o7777;
  const tmp = join(dirname(path), `.${basename(path)}.ka-audit-${process.pid}.tmp`);
  try {
    writeFileSync(tmp, encodeSource(source, text), { mode });
    chmodSync(tmp, mode);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* the temp file was never created */
    }
    throw e;
  }
}
