// Function bodies found from the text alone, so that a parse can leave out the ones the
// analysis will not read (parse.ts, parseTop). tree-sitter is told to parse the file without
// their insides (included ranges): `int f(void) {` then `}` is still a function definition
// with a body at the same offsets, and the rest of the top level parses as it would have (or
// better: error recovery inside a body can no longer misplace the function's end; README,
// Design notes). Whatever this scan gets wrong, the parse shows: a span left out must come
// back as exactly a function's body, or the file is parsed whole (parse.ts, recordTop).

import { isWord } from '../../engine/strings.js';

/** A function body found in the text: `open` is its `{`, `close` its `}`. */
export interface BodySpan {
  /** Where the function's text can start at the earliest: after the previous `;`/`}` at file level. */
  fnStart: number;
  open: number;
  close: number;
}

const SLASH = 47;
const STAR = 42;
const NEWLINE = 10;
const BACKSLASH = 92;
const QUOTE = 34;
const APOSTROPHE = 39;
const HASH = 35;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const CLOSE_PAREN = 41;
const SEMICOLON = 59;

const CONDITIONAL = /^#[ \t]*(if|ifdef|ifndef|elif|elifdef|elifndef|else|endif)\b/;

const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 13 || c === 11 || c === 12;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * The file-level `{…}` that follow a `)` (a parameter list or an attribute's): function
 * bodies, as far as text can tell. Undefined when the braces of the file do not balance (a
 * scan that lost its way), or when the branches of an `#if` at file level change the depth
 * (`#ifdef X` `int f(int a) {` `#else` `int f(void) {` `#endif`): there the text as a whole,
 * which tree-sitter parses, does not balance as any one configuration does.
 *
 * A body where an `#if` may split a statement is not listed: one with a conditional directive
 * that does not come right after a `;`, `{` or `}` (`if (a &&` `#ifdef X` `a > 1 &&` `#endif`),
 * or whose branches each open a brace (`#ifdef X` `if (a) {` `#else` `if (b) {` `#endif`; the
 * scan reads on as if only the first branch were there). Such bodies are where parse errors
 * come from, and chooseParse counts those errors to decide whether to parse the file per
 * configuration. Leaving out every body with an `#if` changed that choice for 4 of 238 real
 * files (and lost a site in the `#else` of one); with these kept in, it changed it for none.
 */
export function functionBodySpans(text: string): BodySpan[] | undefined {
  const spans: BodySpan[] = [];
  const n = text.length;
  let depth = 0;
  let lineStart = true; // only blanks since the last newline: a `#` starts a directive
  let last = -1; // the last character of code seen at file level (not a comment or a directive)
  let declStart = 0;
  let open = -1;
  // Per open #if: the depth it started at, and the depth its first branch ended at.
  const branchBase: number[] = [];
  const firstEnd: number[] = [];
  let split = false; // the body being read has an #if that may split a statement
  let lastAny = -1; // the last character of code seen at any depth
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === NEWLINE) {
      lineStart = true;
      continue;
    }
    if (isBlank(c)) continue;
    if (c === SLASH && i + 1 < n) {
      const next = text.charCodeAt(i + 1);
      if (next === STAR) {
        const end = text.indexOf('*/', i + 2);
        if (end === -1) return undefined;
        i = end + 1;
        continue;
      }
      if (next === SLASH) {
        i = lineEnd(text, i + 2) - 1;
        continue;
      }
    }
    if (c === HASH && lineStart) {
      const directive = CONDITIONAL.exec(text.slice(i, i + 12))?.[1];
      // Inside a body, a directive right after `;`, `{` or `}` stands between statements.
      if (directive && depth > 0 && lastAny !== SEMICOLON && lastAny !== OPEN_BRACE && lastAny !== CLOSE_BRACE) split = true;
      if (directive?.startsWith('if')) {
        branchBase.push(depth);
        firstEnd.push(-1);
      } else if (directive) {
        const top = branchBase.length - 1;
        if (top < 0) return undefined;
        const base = branchBase[top]!;
        const first = firstEnd[top]!;
        // Every branch must change the depth as the first one did (an #if without #else has an empty one).
        const ended = first === -1 ? depth : first;
        if (first !== -1 && depth !== first) return undefined;
        if (directive === 'endif') {
          if (first === -1 && depth !== base) return undefined;
          branchBase.pop();
          firstEnd.pop();
          // Branches that each open a brace: read on as one branch, but only inside a body.
          if (ended !== base) {
            if (base === 0) return undefined;
            split = true;
          }
          depth = ended;
        } else {
          firstEnd[top] = ended;
          depth = base;
        }
      }
      i = directiveEnd(text, i + 1) - 1;
      continue;
    }
    lineStart = false;
    if (c === QUOTE || (c === APOSTROPHE && !isDigitSeparator(text, i))) {
      i = literalEnd(text, i, c);
      lastAny = c;
      if (depth === 0) last = c;
      continue;
    }
    if (c === OPEN_BRACE) {
      if (depth === 0) {
        open = last === CLOSE_PAREN ? i : -1;
        split = false;
      }
      depth++;
    } else if (c === CLOSE_BRACE) {
      if (depth === 0) return undefined;
      depth--;
      if (depth === 0) {
        if (open >= 0 && !split) spans.push({ fnStart: declStart, open, close: i });
        open = -1;
        declStart = i + 1;
      }
    } else if (depth === 0 && c === SEMICOLON) declStart = i + 1;
    lastAny = c;
    if (depth === 0) last = c;
  }
  return depth === 0 ? spans : undefined;
}

/** The newline that ends the line at `from`, past any backslash continuations (or the text's end). */
function lineEnd(text: string, from: number): number {
  for (let at = text.indexOf('\n', from); ; at = text.indexOf('\n', at + 1)) {
    if (at === -1) return text.length;
    let k = at - 1;
    if (k >= 0 && text.charCodeAt(k) === 13) k--;
    if (k < 0 || text.charCodeAt(k) !== BACKSLASH) return at;
  }
}

/**
 * The end of the directive line at `from`: as lineEnd, but a block comment opened on it may run
 * over lines. Only the line itself is searched for a comment (an indexOf for `/*` from each
 * directive ran on to the next comment in the file: 5.3 s for a 4.4 MB header of #defines).
 */
function directiveEnd(text: string, from: number): number {
  for (let at = from; ; ) {
    const end = lineEnd(text, at);
    let comment = -1;
    for (let k = at; k + 1 < end; k++) {
      if (text.charCodeAt(k) !== SLASH) continue;
      const next = text.charCodeAt(k + 1);
      if (next === SLASH) return end;
      if (next === STAR) {
        comment = k;
        break;
      }
    }
    if (comment === -1) return end;
    const close = text.indexOf('*/', comment + 2);
    if (close === -1) return text.length;
    at = close + 2;
  }
}

/** Whether the `'` at `at` is a C23 digit separator (`1'000'000`) rather than a character constant (`u8'a'`, `L'a'`). */
function isDigitSeparator(text: string, at: number): boolean {
  let k = at - 1;
  while (k >= 0 && (isWord(text.charCodeAt(k)) || text.charCodeAt(k) === APOSTROPHE)) k--;
  return k + 1 < at && isDigit(text.charCodeAt(k + 1));
}

/** The closing quote of the literal opened at `from` (or the end of its line: C literals do not span lines). */
function literalEnd(text: string, from: number, quote: number): number {
  for (let i = from + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === quote) return i;
    else if (c === NEWLINE) return i - 1;
  }
  return text.length;
}
