// One preprocessor configuration of a file, for when #if branches split a statement and
// tree-sitter cannot parse the file as written (`#ifdef X } else if (y) { #endif`).
// Keeps the first (or the last) branch of every conditional, never the body of `#if 0`, and
// blanks the rest with spaces, so every offset, line and column stays the same as in the file.

const DIRECTIVE = /^[ \t]*#[ \t]*(if|ifdef|ifndef|elif|elifdef|elifndef|else|endif)\b(.*)$/;

export function branchView(text: string, pick: 'first' | 'last'): string {
  const lines = text.split('\n');
  // Which branch of each conditional to keep, decided up front: branches are counted per #if.
  const keepIndex = new Map<number, number>();
  {
    const open: Array<{ line: number; count: number; zero: boolean }> = [];
    lines.forEach((line, i) => {
      const m = DIRECTIVE.exec(line);
      if (!m) return;
      const kind = m[1]!;
      if (kind === 'if' || kind === 'ifdef' || kind === 'ifndef') open.push({ line: i, count: 1, zero: kind === 'if' && /^\(?\s*0\s*\)?\s*(\/[/*].*)?$/.test(m[2]!.trim()) });
      else if (kind === 'endif') {
        const c = open.pop();
        if (!c) return;
        if (c.zero) keepIndex.set(c.line, c.count > 1 ? (pick === 'first' ? 1 : c.count - 1) : -1);
        else keepIndex.set(c.line, pick === 'first' ? 0 : c.count - 1);
      } else if (open.length) open[open.length - 1]!.count++;
    });
  }
  return viewKeeping(lines, keepIndex);
}

function viewKeeping(lines: string[], keepIndex: Map<number, number>): string {
  const stack: Array<{ keep: number; branch: number; parentKeeps: boolean }> = [];
  const keeps = () => stack.length === 0 || (stack[stack.length - 1]!.parentKeeps && stack[stack.length - 1]!.branch === stack[stack.length - 1]!.keep);
  const out: string[] = [];
  let continued = false;
  let blankContinuation = false;
  lines.forEach((line, i) => {
    if (continued) {
      continued = /\\\r?$/.test(line);
      out.push(blankContinuation ? blank(line) : line);
      return;
    }
    const m = DIRECTIVE.exec(line);
    if (!m) {
      const k = keeps();
      out.push(k ? line : blank(line));
      continued = /\\\r?$/.test(line);
      blankContinuation = !k;
      return;
    }
    const kind = m[1]!;
    if (kind === 'if' || kind === 'ifdef' || kind === 'ifndef') stack.push({ keep: keepIndex.get(i) ?? 0, branch: 0, parentKeeps: keeps() });
    else if (kind === 'endif') stack.pop();
    else if (stack.length) stack[stack.length - 1]!.branch++;
    continued = /\\\r?$/.test(line);
    blankContinuation = true;
    out.push(blank(line));
  });
  return out.join('\n');
}

function blank(line: string): string {
  return line.replace(/[^\r]/g, ' ');
}

/**
 * `{` minus `}` in the code (comments, strings and character literals skipped). Not zero when
 * #if branches each open a brace that one `}` closes (`#ifndef W if (a) { #else if (b) { #endif`):
 * tree-sitter then lets one function swallow the rest of the file, and every site there was
 * lost with few error bytes to show for it (unbound's delayer.c: 1.3 % of the file).
 */
export function braceImbalance(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 /* { */) depth++;
    else if (c === 125 /* } */) depth--;
    else if (c === 47 /* / */ && text.charCodeAt(i + 1) === 42 /* * */) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c === 47 && text.charCodeAt(i + 1) === 47) {
      const end = text.indexOf('\n', i + 2);
      i = end < 0 ? text.length : end;
    } else if (c === 34 /* " */ || c === 39 /* ' */) {
      // To the closing quote, past escapes; a literal does not run past its line.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === c || d === 10) break;
      }
    }
  }
  return depth;
}
