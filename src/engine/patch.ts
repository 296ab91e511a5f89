// The unified diff that --fix-dry-run prints, built from the fix's edits.
//
// Why not diff the two texts: the diff library's line diff costs about the square of the
// changes in a file (1,000 fixes in one file took 20 s, 6,000 did not finish in 12 minutes).
// The edits already say which lines changed; only those lines are diffed (by the library, each
// run of touched lines on its own), and the hunks are cut around them with the library's rules,
// so the output is the library's wherever its whole-file diff lines up the same way.
import { diffLines, formatPatch, type StructuredPatchHunk } from 'diff';
import { LineIndex } from './lines.js';
import type { TextEdit } from './types.js';

/** Lines of the patch before the `\ No newline` fix-up: a mark (' ', '-', '+') and the line with its ending. */
type Change = { mark: ' ' | '-' | '+'; lines: string[] };

/**
 * A unified diff (`context` lines around each change, as `diff -u`) of `before` and the text
 * that `edits` make of it. `edits` must not overlap and must be sorted as applyEdits applies them.
 */
export function unifiedDiff(oldName: string, newName: string, before: string, edits: readonly TextEdit[], context = 3): string {
  const changes = lineChanges(before, edits);
  return formatPatch({ oldFileName: oldName, newFileName: newName, oldHeader: '', newHeader: '', hunks: hunksOf(changes, context) });
}

/** The file as runs of equal, removed and added lines (the library's `diffLines` result, in effect). */
function lineChanges(before: string, edits: readonly TextEdit[]): Change[] {
  const lines = splitLines(before);
  const index = new LineIndex(before);
  // Runs of whole lines that edits touch: an edit's first line to the line its end is on.
  // Touching runs are joined. An edit never changes the line break that ends its run (that break
  // would put its end on the next line), so a run's boundaries are line boundaries on both sides.
  const runs: Array<{ from: number; to: number; edits: TextEdit[] }> = [];
  for (const e of edits) {
    const from = index.row(e.start);
    const to = Math.min(lines.length, index.row(e.end) + 1);
    const last = runs[runs.length - 1];
    if (last && from <= last.to) {
      last.to = Math.max(last.to, to);
      last.edits.push(e);
    } else runs.push({ from, to, edits: [e] });
  }
  const out: Change[] = [];
  const push = (mark: Change['mark'], more: string[]) => {
    if (more.length === 0) return;
    const last = out[out.length - 1];
    if (last?.mark === mark) for (const l of more) last.lines.push(l);
    else out.push({ mark, lines: more });
  };
  let line = 0;
  for (const run of runs) {
    push(' ', lines.slice(line, run.from));
    const oldText = before.slice(index.start(run.from), index.start(run.to));
    let newText = '';
    let pos = index.start(run.from);
    for (const e of run.edits) {
      newText += before.slice(pos, e.start) + e.text;
      pos = e.end;
    }
    newText += before.slice(pos, index.start(run.to));
    for (const part of diffLines(oldText, newText)) push(part.added ? '+' : part.removed ? '-' : ' ', splitLines(part.value));
    line = run.to;
  }
  push(' ', lines.slice(line));
  return out;
}

/** Hunks with `context` lines around the changes, cut as the diff library cuts them. */
function hunksOf(changes: Change[], context: number): StructuredPatchHunk[] {
  const hunks: StructuredPatchHunk[] = [];
  let open: StructuredPatchHunk | undefined;
  let oldLine = 1;
  let newLine = 1;
  changes.forEach((c, i) => {
    if (c.mark !== ' ') {
      if (!open) {
        const lead = i > 0 && context > 0 ? changes[i - 1]!.lines.slice(-context) : [];
        open = { oldStart: oldLine - lead.length, oldLines: 0, newStart: newLine - lead.length, newLines: 0, lines: lead.map((l) => ' ' + l) };
      }
      for (const l of c.lines) open.lines.push(c.mark + l);
      if (c.mark === '+') newLine += c.lines.length;
      else oldLine += c.lines.length;
      return;
    }
    if (open) {
      if (c.lines.length <= 2 * context && i < changes.length - 1) {
        for (const l of c.lines) open.lines.push(' ' + l);
      } else {
        const tail = Math.min(c.lines.length, context);
        for (const l of c.lines.slice(0, tail)) open.lines.push(' ' + l);
        open.oldLines = oldLine - open.oldStart + tail;
        open.newLines = newLine - open.newStart + tail;
        hunks.push(open);
        open = undefined;
      }
    }
    oldLine += c.lines.length;
    newLine += c.lines.length;
  });
  if (open) {
    // The file ends in a change.
    open.oldLines = oldLine - open.oldStart;
    open.newLines = newLine - open.newStart;
    hunks.push(open);
  }
  for (const h of hunks) h.lines = h.lines.flatMap((l) => (l.endsWith('\n') ? [l.slice(0, -1)] : [l, '\\ No newline at end of file']));
  return hunks;
}

/** Lines with their endings (`\n` or `\r\n`), as the diff library splits them; '' has none. */
function splitLines(text: string): string[] {
  const out: string[] = [];
  let at = 0;
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', at)) {
    out.push(text.slice(at, nl + 1));
    at = nl + 1;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}
