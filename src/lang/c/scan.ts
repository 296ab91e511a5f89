// Pass 0: a cheap text scan of every C file (no parsing). It finds the names other files must
// know (macros that alias socket()/accept(), keepalive and close macros, socket constants) and
// which function names each file mentions, so the project can parse files only on demand.
import { copyString, internSlice, isSpace, isWord } from '../../engine/strings.js';
import { socketAliasOf, type SocketAlias } from './sites.js';

// A scan is kept for every C file of the tree for the whole run, and a pass-0 helper thread's
// scans are copied to the analysing thread: what most files lack is left out rather than empty,
// and a file's names are one string, not one per name. On the 47,965 C files of the 80,000-file
// corpus, lists of names (1.8 million entries, 680,000 strings) were 40 MB of the heap when
// pass 0 ended (heap snapshot).
export interface CScan {
  socketAliases?: Record<string, SocketAlias>;
  /** `#define KA(fd) setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, …)` → the argument holding the fd. */
  keepaliveMacros?: Record<string, number>;
  closeMacros?: string[];
  /** `#define fdio_close_socket(fd) fdevent_socket_close(fd)`: a macro that is one call of another function. */
  callAliases?: Record<string, { callee: string; argMap: number[] }>;
  /** Object-like #defines whose value names socket constants (`#define LISTEN_TYPE SOCK_STREAM`). */
  defines?: Record<string, string>;
  /**
   * Identifiers followed by `(`: functions this file defines or calls, each once, in the order
   * first seen, separated by single spaces (scanNames). Emptied (moved into the project's
   * NameIndex) when a CProject is built from the scan.
   */
  names: string;
  /** Functions this file defines (a name, its parameter list, then `{`), as `names`. Emptied like it. */
  defs: string;
  /** Could hold a socket()/accept() call (before project-wide aliases are known). */
  sites: boolean;
  /** Sets SO_KEEPALIVE somewhere. */
  keepalive: boolean;
  /** Hands a descriptor field to an option/socket helper (`set_sockopts(c->fd, …)`): a field fact. */
  fieldToHelper: boolean;
}

// A #define line (with its continuations), matched from a line's start (see defineLines).
const DEFINE = /[ \t]*#[ \t]*define[ \t]+(\w+)(\(([^)]*)\))?[ \t]*((?:[^\n\\]|\\\n|\\.)*)$/my;
const SOCKETISH = /\b(AF_|PF_|SOCK_|IPPROTO_|SOL_|SO_)\w+/;
// FIELD_TO_HELPER: /(?:opt|[Aa]live)\w*\s*\([^;()]*(?:->|\.)\s*\w*(?:fd|sock|socket)\s*[,)]/, tested from
// the `(` of each word followed by one (forEachCall finds them), as a sticky regex for the rest.
const FIELD_TO_HELPER_ARGS = /\([^;()]*(?:->|\.)\s*\w*(?:fd|sock|socket)\s*[,)]/y;
const KEYWORDS = new Set(['if', 'while', 'for', 'switch', 'return', 'sizeof', 'defined', 'do', 'else', 'case', '__attribute__', 'typeof', '__typeof__', 'alignof', '_Alignof', 'offsetof']);

export function scanC(text: string): CScan {
  const scan: CScan = { names: '', defs: '', sites: false, keepalive: false, fieldToHelper: false };
  // Strings are copied out of the text (copyString) only when kept: most #defines are not.
  for (const m of defineLines(text)) {
    const name = m[1]!;
    const params = m[2] ? m[3]!.split(',').map((s) => s.trim()).filter(Boolean) : null;
    const body = m[4]!.replace(/\\\n/g, ' ').replace(/\/\*.*?\*\/|\/\/.*$/g, '').trim();
    const alias = socketAliasOf(params, body);
    if (alias) {
      (scan.socketAliases ??= {})[copyString(name)] = alias;
      continue;
    }
    if (params) {
      const ka = /setsockopt\s*\(\s*\(?\s*(\w+)\s*\)?\s*,\s*SOL_SOCKET\s*,\s*SO_KEEPALIVE\b/.exec(body);
      const idx = ka ? params.indexOf(ka[1]!) : -1;
      if (idx >= 0) (scan.keepaliveMacros ??= {})[copyString(name)] = idx;
      if (/^\(?\s*(close|closesocket)\s*\(\s*\(?\s*\w+\s*\)?\s*\)\s*\)?$/.test(body)) (scan.closeMacros ??= []).push(copyString(name));
      const call = /^\(?\s*([A-Za-z_]\w*)\s*\(([^()]*)\)\s*\)?$/.exec(body);
      if (call && call[1] !== name) {
        const argMap = call[2]!.split(',').map((a) => params.indexOf(a.trim().replace(/^\((.*)\)$/, '$1')));
        if (argMap.some((i) => i >= 0)) (scan.callAliases ??= {})[copyString(name)] = { callee: copyString(call[1]!), argMap };
      }
    } else {
      if (/^\(?\s*(close|closesocket)\s*\)?$/.test(body)) (scan.closeMacros ??= []).push(copyString(name));
      else if (SOCKETISH.test(body) && body.length < 200) (scan.defines ??= {})[copyString(name)] = copyString(body);
    }
  }
  const names = new Set<string>();
  const defs = new Set<string>();
  const lines = new LinePrefixes(text);
  forEachCall(text, (name, at, start, paren) => {
    // FIELD_TO_HELPER, tested where it can start: a word with `opt`/`alive` in it, then `(`.
    if (!scan.fieldToHelper) {
      const word = name ?? text.slice(start, at);
      if (word.includes('opt') || word.includes('alive') || word.includes('Alive')) {
        FIELD_TO_HELPER_ARGS.lastIndex = paren;
        scan.fieldToHelper = FIELD_TO_HELPER_ARGS.test(text);
      }
    }
    if (name === undefined || KEYWORDS.has(name)) return;
    names.add(name);
    if (!defs.has(name) && isDefinition(text, start, paren + 1, lines)) defs.add(name);
  });
  scan.names = [...names].join(' ');
  scan.defs = [...defs].join(' ');
  scan.sites = names.has('socket') || names.has('accept') || names.has('accept4');
  scan.keepalive = /\bSO_KEEPALIVE\b/.test(text);
  return scan;
}

/** The names of a CScan's `names` or `defs`. */
export function scanNames(list: string): string[] {
  return list === '' ? [] : list.split(' ');
}

/**
 * The matches of /^[ \t]*#[ \t]*define…$/gm, found from each `define` in the text (indexOf)
 * rather than by trying the regex at every line start: pass 0 reads every byte of the tree.
 */
function* defineLines(text: string): Generator<RegExpExecArray> {
  for (let at = text.indexOf('define'); at !== -1; ) {
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    DEFINE.lastIndex = lineStart;
    const m = DEFINE.exec(text);
    if (m) {
      yield m;
      at = text.indexOf('define', DEFINE.lastIndex);
    } else {
      // Not a #define line: nor is any later `define` on it.
      const lineEnd = text.indexOf('\n', at);
      at = lineEnd === -1 ? -1 : text.indexOf('define', lineEnd);
    }
  }
}

/**
 * Every word followed by `(` (after any spaces), in text order: what /\b(\w+)\s*\(/g matches.
 * `name` is the word as a shared string when it can be an identifier (it does not start with a
 * digit: /\b([A-Za-z_]\w*)\s*\(/g), else undefined; [start, at) is the word, `paren` the `(`.
 * It goes from `(` to `(` (indexOf) and reads the word back from each, rather than running that
 * regex: pass 0 does this over every byte of the tree, and a per-character loop in JS or in the
 * regex costs ~3 ns a character here. Hashing the word lets a name seen before be found without
 * cutting it out of the text.
 */
function forEachCall(text: string, found: (name: string | undefined, at: number, start: number, paren: number) => void): void {
  for (let paren = text.indexOf('('); paren !== -1; paren = text.indexOf('(', paren + 1)) {
    let at = paren;
    while (at > 0 && isSpace(text.charCodeAt(at - 1))) at--;
    let start = at;
    while (start > 0 && isWord(text.charCodeAt(start - 1))) start--;
    if (start === at) continue;
    const first = text.charCodeAt(start);
    if (first <= 57) {
      found(undefined, at, start, paren); // starts with a digit (0-9 are the only word characters below 'A')
      continue;
    }
    let hash = 0;
    for (let k = start; k < at; k++) hash = (Math.imul(hash, 31) + text.charCodeAt(k)) | 0;
    found(internSlice(text, start, at, hash), at, start, paren);
  }
}

/**
 * Whether `name(` at `at` starts a function definition: the name is not used in an expression
 * (nothing like `=`, `(`, `,`, `return` before it on its line) and its balanced parameter list is
 * followed by `{`.
 */
function isDefinition(text: string, at: number, open: number, lines: LinePrefixes): boolean {
  const lineStart = lines.lineStart(at);
  const before = lines.before(at);
  if (before === EXPRESSION) return false;
  if (before === BLANK && lineStart !== at && (text.charCodeAt(lineStart) === 32 || text.charCodeAt(lineStart) === 9)) return false;
  let depth = 1;
  let i = open;
  const limit = Math.min(text.length, open + 4000);
  for (; i < limit && depth > 0; i++) {
    const c = text.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41) depth--;
  }
  if (depth !== 0) return false;
  // A `{` after whitespace and comments, within 400 characters.
  const window = Math.min(text.length, i + 400);
  const brace = skipSpaceAndComments(text, i, window);
  return brace < window && text.charCodeAt(brace) === 123;
}

const EXPRESSION = 0;
const BLANK = 1;
const OTHER = 2;
/** Characters that, before `name(` on its line, make it a use in an expression. */
const EXPRESSION_CHARS = new Uint8Array(128);
for (const ch of '=(,!&|?:+-<>[') EXPRESSION_CHARS[ch.charCodeAt(0)] = 1;

/**
 * For names in text order, where each one's line starts and what stands before it on its line:
 * EXPRESSION where /[=(,!&|?:+\-<>\[]|\breturn\b|\belse\b|^\s*#/ matches text[lineStart, at),
 * else BLANK if that is all spaces, else OTHER. Read in place (cutting it out and running the
 * regex allocated ~44 MB over the real tree's pass 0), and each line once: looking back for the
 * line's start and reading it from there again for every name made a line of 50,000 calls
 * (generated tables) cost the square of its length, 6.6 s for one 439 KB file.
 *
 * What stands before `at` depends only on where the line's first trigger (an expression
 * character, `#` first, or the word `return` or `else`) and its first non-space are: a word
 * cannot straddle `at`, because the character before a name is not a word character.
 */
class LinePrefixes {
  private start = 0;
  /** The first `\n` at or after `start` (text.length when none). */
  private end: number;
  /** text[start, read) has been looked at for the two positions below. */
  private read = 0;
  private trigger = -1;
  private nonSpace = -1;

  constructor(private readonly text: string) {
    this.end = this.newlineFrom(0);
  }

  /** The start of the line holding `at` (amortized O(1) for increasing `at`). */
  lineStart(at: number): number {
    const text = this.text;
    if (at < this.start) this.moveTo(text.lastIndexOf('\n', at - 1) + 1);
    while (this.end < at) this.moveTo(this.end + 1);
    return this.start;
  }

  /** What stands before `at` on its line. */
  before(at: number): number {
    this.lineStart(at);
    const text = this.text;
    for (let k = this.read; k < at && this.trigger < 0; k++) {
      const c = text.charCodeAt(k);
      if (this.nonSpace < 0 && !isSpace(c)) {
        this.nonSpace = k;
        if (c === 35) this.trigger = k; // `#`: a directive line
      }
      if (c < 128 && EXPRESSION_CHARS[c] === 1) this.trigger = k;
      else if ((c === 114 || c === 101) && (k === this.start || !isWord(text.charCodeAt(k - 1))) && (wordAt(text, k, text.length, 'return') || wordAt(text, k, text.length, 'else'))) this.trigger = k;
      this.read = k + 1;
    }
    if (this.trigger >= 0 && this.trigger < at) return EXPRESSION;
    return this.nonSpace >= 0 && this.nonSpace < at ? OTHER : BLANK;
  }

  private moveTo(start: number): void {
    this.start = this.read = start;
    this.end = this.newlineFrom(start);
    this.trigger = this.nonSpace = -1;
  }

  private newlineFrom(from: number): number {
    const nl = this.text.indexOf('\n', from);
    return nl === -1 ? this.text.length : nl;
  }
}

/** Whether `word` stands at `k` as a whole word (in text cut off at `end`). */
function wordAt(text: string, k: number, end: number, word: string): boolean {
  const after = k + word.length;
  return after <= end && text.startsWith(word, k) && (after === end || !isWord(text.charCodeAt(after)));
}

/**
 * Where /^(\s|\/\*[\s\S]*?\*\/|\/\/[^\n]*)+/ stops matching text.slice(from, limit), as an offset
 * into text. Run on that slice, the regex cut and replaced a string for every name followed by
 * `(` in the tree: 50 MB of garbage in a real-tree run's pass 0 (allocation profile).
 */
export function skipSpaceAndComments(text: string, from: number, limit: number): number {
  let p = from;
  while (p < limit) {
    const c = text.charCodeAt(p);
    if (isSpace(c)) {
      p++;
      continue;
    }
    if (c !== 47 || p + 1 >= limit) return p; // not `/`
    const next = text.charCodeAt(p + 1);
    if (next === 42) {
      // `/* … */` counts only when it closes within the slice.
      const close = text.indexOf('*/', p + 2);
      if (close === -1 || close + 2 > limit) return p;
      p = close + 2;
    } else if (next === 47) {
      const eol = text.indexOf('\n', p + 2);
      p = eol === -1 || eol > limit ? limit : eol;
    } else return p;
  }
  return limit;
}
