// Reading a C file's own style, so an inserted block looks like its neighbours: indentation,
// brace placement, `if (` spacing, C89 or C99, and how the nearest check handles errors.
import { callArgs, callName, child, keyOf, namedChildren, textOf, unwrap, walk } from './ast.js';
import type { CNode } from './parse.js';
import { dominantEol } from '../../engine/source.js';

export interface Layout {
  /** One level of indentation: '\t' or N spaces. */
  unit: string;
  brace: 'kr' | 'allman' | 'gnu';
  /** `if (` (true) or `if(` (false). */
  ifSpace: boolean;
  /** C89: declarations only at block start, no `//` comments. */
  c89: boolean;
  /** GNU-style space between a function name and its `(`: `close (fd)`. */
  callSpace: boolean;
  eol: '\n' | '\r\n';
}

/**
 * The file's layout, read from its text and from a few functions' trees (`samples`: the ones
 * being fixed, then others): looking at every function would mirror the whole file.
 */
export function inferLayout(src: string, samples: CNode[]): Layout {
  const eol = dominantEol(src);
  return { unit: indentUnit(src), brace: braceStyle(src, samples), ifSpace: ifSpacing(src), c89: isC89(src, samples), callSpace: callSpacing(src), eol };
}

/** The most common increase of indentation between a line and the next. */
function indentUnit(src: string): string {
  const lines = src.split(/\r?\n/);
  let tabs = 0;
  const spaces = new Map<number, number>();
  let prev = '';
  for (const line of lines) {
    if (!line.trim() || /^\s*(\*|\/\/|#)/.test(line)) continue;
    const ind = /^[ \t]*/.exec(line)![0];
    if (ind.length > prev.length && ind.startsWith(prev)) {
      const delta = ind.slice(prev.length);
      if (/^\t+$/.test(delta)) tabs++;
      else if (/^ +$/.test(delta)) spaces.set(delta.length, (spaces.get(delta.length) ?? 0) + 1);
    }
    prev = ind;
  }
  let best = 4;
  let bestCount = 0;
  for (const [n, c] of spaces) if (c > bestCount || (c === bestCount && n < best)) [best, bestCount] = [n, c];
  return tabs > bestCount ? '\t' : ' '.repeat(best);
}

/**
 * How `if` bodies open their braces in this file — same line (K&R), own line at the `if`'s
 * indentation (Allman), own line indented (GNU) — read from the text, which is cheap, with the
 * sampled trees as a tie-breaker.
 */
function braceStyle(src: string, samples: CNode[]): Layout['brace'] {
  const votes = { kr: 0, allman: 0, gnu: 0 };
  for (const m of src.matchAll(/^([ \t]*)(?:\}\s*else\s+)?if\s*\(.*\)[ \t]*(\{)?[ \t]*\r?\n(?:([ \t]*)\{[ \t]*\r?$)?/gm)) {
    if (m[2]) votes.kr++;
    else if (m[3] !== undefined) {
      if (m[3].length > m[1]!.length) votes.gnu++;
      else votes.allman++;
    }
  }
  if (votes.kr + votes.allman + votes.gnu === 0) {
    for (const root of samples) walk(root, (n) => {
      if (n.type !== 'if_statement') return;
      const body = child(n, 'consequence');
      const cond = child(n, 'condition');
      if (!body || body.type !== 'compound_statement' || !cond) return;
      if (body.startRow === cond.endRow) votes.kr++;
      else if (lineIndent(src, body.start).length > lineIndent(src, n.start).length) votes.gnu++;
      else votes.allman++;
    });
  }
  if (votes.allman > votes.kr && votes.allman >= votes.gnu) return 'allman';
  if (votes.gnu > votes.kr && votes.gnu > votes.allman) return 'gnu';
  return 'kr';
}

/** Calls written `name (args)` more often than `name(args)`. */
function callSpacing(src: string): boolean {
  const code = src.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:[^"\\\n]|\\.)*"/g, '');
  const kw = /^(if|while|for|switch|return|sizeof|defined)$/;
  let spaced = 0;
  let tight = 0;
  for (const m of code.matchAll(/\b([A-Za-z_]\w*)( ?)\(/g)) {
    if (kw.test(m[1]!)) continue;
    if (m[2]) spaced++;
    else tight++;
  }
  return spaced > tight;
}

function ifSpacing(src: string): boolean {
  const spaced = (src.match(/\bif \(/g) ?? []).length;
  const tight = (src.match(/\bif\(/g) ?? []).length;
  return spaced >= tight;
}

/** C99 when the file uses `//` comments, `for (int …`, or declarations after statements. */
function isC89(src: string, samples: CNode[]): boolean {
  if (/^\s*\/\/|[;{}]\s*\/\/|for\s*\(\s*(int|unsigned|size_t|long)\b/m.test(src.replace(/"(?:[^"\\\n]|\\.)*"/g, '""'))) return false;
  let mixed = false;
  for (const root of samples) walk(root, (n) => {
    if (mixed) return false;
    if (n.type !== 'compound_statement') return;
    let sawStatement = false;
    for (const c of namedChildren(n)) {
      if (c.type === 'declaration') {
        if (sawStatement) mixed = true;
      } else if (!c.type.startsWith('preproc_')) sawStatement = true;
    }
  });
  return !mixed;
}

export function lineIndent(src: string, offset: number): string {
  const start = src.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(src.slice(start, offset))![0];
}

/** How the check next to the socket's creation reacts to failure. */
export interface ErrorStyle {
  kind: 'exit' | 'return' | 'goto' | 'log' | 'continue' | 'break' | 'none';
  /** The neighbour's failure branch is one statement without braces. */
  braceless?: boolean;
  /** The failure-path statements as written in the neighbour, in order (logging first). */
  log?: { callee: string; leadingArgs: string[]; usesErrno: boolean; percentM: boolean };
  /** `perror` is its own kind of logging: a single label argument. */
  perror?: boolean;
  exitCall?: string;
  returnValue?: string;
  gotoLabel?: string;
  /** The failure path already closes the descriptor (a goto target that closes it). */
  labelCloses?: boolean;
  /** The code resets the variable after closing it (`close(fd); fd = -1;`). */
  resetsTo?: string;
  /**
   * The failure branch's other statements, in order, as lines: what it releases besides the
   * socket (`close(client); free(r);`, `if (local) freeaddrinfo(local_res);`). Left out, the
   * fix's own failure path leaked them.
   */
  cleanup?: string[];
}

const EXITS = /^(exit|_exit|_Exit|abort|err|errx|fatal|die|panic|\w*_fatal|fatal_\w*)$/;

/** Reads the failure branch of the `if` that checks the socket right after it is made. */
export function errorStyleOf(src: string, check: CNode | undefined, fn: CNode, fdKey: string): ErrorStyle {
  if (!check) return { kind: 'none' };
  const body = failureBranch(check);
  if (!body) return { kind: 'none' };
  const stmts = body.type === 'compound_statement' ? namedChildren(body).filter((c) => c.type !== 'comment') : [body];
  const style: ErrorStyle = { kind: 'none' };
  if (body.type !== 'compound_statement') style.braceless = true;
  const cleanup: string[] = [];
  for (const st of stmts) {
    const s = unwrapStatement(st);
    if (!s) continue;
    if ((s.type === 'if_statement' && isConditionalRelease(src, s)) || (s.type === 'call_expression' && !isLogOrExit(src, s))) {
      if (!mentions(src, st, fdKey)) cleanup.push(...statementLines(src, st));
      continue;
    }
    if (s.type === 'return_statement') {
      style.kind = 'return';
      const v = namedChildren(s)[0];
      if (v) style.returnValue = textOf(src, v);
    } else if (s.type === 'goto_statement') {
      style.kind = 'goto';
      const label = child(s, 'label');
      style.gotoLabel = label ? textOf(src, label) : '';
      style.labelCloses = labelClosesFd(src, fn, style.gotoLabel, fdKey);
    } else if (s.type === 'continue_statement') style.kind = 'continue';
    else if (s.type === 'break_statement') style.kind = 'break';
    else if (s.type === 'call_expression') {
      const name = callName(src, s);
      const args = callArgs(s);
      if (name === 'perror') style.perror = true;
      else if (name === 'exit' || name === '_exit' || name === 'abort') {
        style.kind = 'exit';
        style.exitCall = textOf(src, s);
      } else if (!/close/i.test(name) && args.some(isMessage)) {
        const fmt = args.findIndex(isMessage);
        const text = textOf(src, s);
        style.log = {
          callee: name,
          leadingArgs: args.slice(0, fmt).map((a) => textOf(src, a)),
          usesErrno: /\berrno\b|strerror|ERRNO/.test(text),
          percentM: /%m/.test(textOf(src, args[fmt]!)),
        };
        if (EXITS.test(name) && style.kind === 'none') style.kind = 'exit';
      }
    }
  }
  // A declaration there would land after the fix's statements (not C89), and what follows may need it.
  if (cleanup.length && !stmts.some((st) => st.type === 'declaration')) style.cleanup = cleanup;
  if (style.kind === 'none' && (style.log || style.perror)) style.kind = 'log';
  style.resetsTo = resetValue(src, fn, fdKey);
  return style;
}

/** The branch of a check `if` that runs when creation failed. */
function failureBranch(check: CNode): CNode | undefined {
  if (check.type !== 'if_statement') return undefined;
  return child(check, 'consequence');
}

/** perror(), exit(), or a call with a message: the failure path's logging and ending, read into ErrorStyle. */
function isLogOrExit(src: string, call: CNode): boolean {
  const name = callName(src, call);
  if (name === 'perror' || name === 'exit' || name === '_exit' || name === 'abort' || EXITS.test(name)) return true;
  return !/close/i.test(name) && callArgs(call).some(isMessage);
}

/** A string literal argument: what makes a call in a failure branch a log call. */
function isMessage(arg: CNode): boolean {
  const t = unwrap(arg).type;
  return t === 'string_literal' || t === 'concatenated_string';
}

/**
 * `if (local) freeaddrinfo(local_res);`: a release under a condition on the program's state,
 * calls only. Not one on errno (`if (errno == EINTR) continue;` is the check's own business).
 */
function isConditionalRelease(src: string, st: CNode): boolean {
  const cond = child(st, 'condition');
  const then = child(st, 'consequence');
  if (!cond || !then || child(st, 'alternative') || /\b(errno|ERRNO|WSAGetLastError)\b/.test(textOf(src, cond))) return false;
  const body = then.type === 'compound_statement' ? namedChildren(then).filter((c) => c.type !== 'comment') : [then];
  return body.length > 0 && body.every((b) => {
    const e = unwrapStatement(b);
    return !!e && e.type === 'call_expression' && !isLogOrExit(src, e);
  });
}

/** A statement as lines, continuation lines kept in their place relative to its first. */
function statementLines(src: string, st: CNode): string[] {
  const indent = lineIndent(src, st.start);
  return textOf(src, st)
    .split('\n')
    .map((line, i) => (i > 0 && line.startsWith(indent) ? line.slice(indent.length) : line).replace(/\s+$/, ''));
}

/** Whether `n`'s text names the socket's key (`fd`, `c->fd`) as a whole word. */
function mentions(src: string, n: CNode, key: string): boolean {
  const text = textOf(src, n).replace(/\s+/g, '');
  const k = key.replace(/\s+/g, '');
  for (let at = text.indexOf(k); at !== -1; at = text.indexOf(k, at + 1)) {
    if (!/[\w.>]/.test(text[at - 1] ?? '') && !/\w/.test(text[at + k.length] ?? '')) return true;
  }
  return false;
}

function unwrapStatement(st: CNode): CNode | undefined {
  if (st.type === 'expression_statement') {
    const e = namedChildren(st)[0];
    return e ? unwrap(e) : undefined;
  }
  return st;
}

function labelClosesFd(src: string, fn: CNode, label: string, fdKey: string): boolean {
  return closedAfterLabels(src, fn).get(label)?.has(fdKey) ?? false;
}

/**
 * Per function node: what each label's path closes (the arguments of `close*(…)` from the label
 * to the end of the function, without spaces), and what its `fd = -1`-style resets set each key
 * to (the first one). A fix per site walked the whole function for these: a function with 3,000
 * sites took 18 s, almost all of it here.
 */
const labelCloses = new WeakMap<CNode, Map<string, Set<string>>>();
const resets = new WeakMap<CNode, Map<string, string>>();

function closedAfterLabels(src: string, fn: CNode): Map<string, Set<string>> {
  let found = labelCloses.get(fn);
  if (found) return found;
  const byLabel = new Map<string, Set<string>>();
  walk(fn, (n) => {
    if (n.type !== 'labeled_statement') return;
    const l = child(n, 'label');
    if (!l) return;
    // Everything from the label to the end of the function runs on that path.
    const closed = byLabel.get(textOf(src, l)) ?? new Set<string>();
    for (const m of src.slice(n.start, fn.end).matchAll(/close\w*\s*\(([^()]*)\)/gi)) closed.add(m[1]!.replace(/\s+/g, ''));
    byLabel.set(textOf(src, l), closed);
  });
  labelCloses.set(fn, (found = byLabel));
  return found;
}

/** `fd = -1` (or INVALID_SOCKET…) somewhere in the function: the code resets after closing. */
function resetValue(src: string, fn: CNode, fdKey: string): string | undefined {
  let found = resets.get(fn);
  if (!found) {
    const byKey = new Map<string, string>();
    walk(fn, (n) => {
      if (n.type !== 'assignment_expression') return;
      const l = child(n, 'left');
      const r = child(n, 'right');
      if (!l || !r) return;
      const key = keyOf(src, l);
      if (byKey.has(key)) return;
      const t = textOf(src, r).trim();
      if (/^(-1|[A-Z][A-Z0-9_]*)$/.test(t)) byKey.set(key, t);
    });
    resets.set(fn, (found = byKey));
  }
  return found.get(fdKey);
}

/** Per function node: its close function (a fix per site asked it again, walking the whole function each time). */
const closeFunctions = new WeakMap<CNode, string>();

/** The function used to close sockets in this function or file (`closesocket`, `COMPAT_CLOSE`…). */
export function closeFunctionOf(src: string, fn: CNode): string {
  const known = closeFunctions.get(fn);
  if (known !== undefined) return known;
  const counts = new Map<string, number>();
  walk(fn, (n) => {
    if (n.type !== 'call_expression') return;
    const name = callName(src, n);
    if (/^(close|closesocket|\w*_?close_?socket\w*|COMPAT_CLOSE|sclose|evutil_closesocket)$/i.test(name) && callArgs(n).length === 1) counts.set(name, (counts.get(name) ?? 0) + 1);
  });
  let best = 'close';
  let bestCount = 0;
  for (const [n, c] of counts) if (c > bestCount) [best, bestCount] = [n, c];
  closeFunctions.set(fn, best);
  return best;
}
