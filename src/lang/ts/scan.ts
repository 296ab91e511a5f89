// Pass 0: a cheap text scan of every TS/JS file (no parsing). It tells which files may hold
// net/tls sites, which ones touch keepalive at all, and the project modules each one imports,
// so the project parses other files only when a socket's trail leads there.

import { detachStrings, isSpace, isWord } from '../../engine/strings.js';

export interface TsScan {
  /** Names the `net` or `tls` module: may hold sites. */
  sites: boolean;
  /** Mentions setKeepAlive / keepAlive: may hold evidence for sockets made elsewhere. */
  keepalive: boolean;
  /** Relative module specifiers it imports, requires or re-exports. */
  imports: string[];
  /** Relative module specifiers it re-exports (`export … from`). */
  reexports: string[];
  /** Identifiers followed by `(`: functions and methods it calls or defines. */
  names: string[];
}

const NET_TLS = /(?:require\s*\(\s*|from\s*|import\s*\(\s*|import\s+)(['"`])(?:node:)?(?:net|tls)\1/;
const REL_IMPORT = /(?:require\s*\(\s*|from\s*|import\s*\(\s*|import\s+)(['"])(\.{1,2}(?:\/[^'"\n]*)?)\1/g;
const REEXPORT = /\bexport\s+(?:\*|\{[^}]*\}|\*\s+as\s+\w+)\s*from\s*(['"])(\.{1,2}(?:\/[^'"\n]*)?)\1/g;
const IMPORTED = /(?:import\s*(?:type\s*)?\{([^}]*)\}\s*from|(?:const|let|var)\s*\{([^}]*)\}\s*=\s*require\s*\()/g;

export function scanTs(text: string): TsScan {
  const imports = new Set<string>();
  for (const m of text.matchAll(REL_IMPORT)) imports.add(m[2]!);
  const reexports = new Set<string>();
  if (text.includes('export')) for (const m of text.matchAll(REEXPORT)) reexports.add(m[2]!);
  // module.exports = require('./x') re-exports as well.
  for (const m of text.matchAll(/module\.exports\s*=\s*require\s*\(\s*(['"])(\.{1,2}(?:\/[^'"\n]*)?)\1/g)) reexports.add(m[2]!);
  const names = new Set<string>();
  forEachCallName(text, (name) => names.add(name));
  // Imported names count as mentioned even when only passed around (an alias calls them).
  for (const m of text.matchAll(IMPORTED)) {
    for (const part of (m[1] ?? m[2] ?? '').split(',')) {
      const n = /(?:^|\s)([A-Za-z_$][\w$]*)\s*$/.exec(part.replace(/\btype\s+/, '').split(/\s+as\s+|:/)[0]!.trim());
      if (n) names.add(n[1]!);
    }
  }
  return {
    sites: NET_TLS.test(text),
    keepalive: /\bsetKeepAlive\b|\bkeepAlive\b/.test(text),
    imports: detachStrings([...imports]),
    reexports: detachStrings([...reexports]),
    names: detachStrings([...names]),
  };
}

const DOLLAR = 36;
const isIdentPart = (c: number) => isWord(c) || c === DOLLAR;
/** [A-Za-z_$]: `\w` but for the digits (0-9 are the only word characters below 'A'). */
const isIdentStart = (c: number) => c === DOLLAR || (c > 57 && isWord(c));

/**
 * Every name that /\b([A-Za-z_$][\w$]*)\s*\(/g captures, in text order. It goes from `(` to `(`
 * (indexOf) and reads the name back from each, as the C scan does (src/lang/c/scan.ts): the regex
 * built a match for every call in every file of pass 0. The capture is the leftmost start in the
 * run of [\w$] before the `(` (and its spaces) where the regex's `\b` holds: `$` is not a word
 * character, so `$foo(` gives `foo` and `a$b(` gives `a$b` (test/ts-sites.test.ts compares the two
 * on random texts).
 */
export function forEachCallName(text: string, found: (name: string) => void): void {
  for (let paren = text.indexOf('('); paren !== -1; paren = text.indexOf('(', paren + 1)) {
    let at = paren;
    while (at > 0 && isSpace(text.charCodeAt(at - 1))) at--;
    let start = at;
    while (start > 0 && isIdentPart(text.charCodeAt(start - 1))) start--;
    for (let p = start; p < at; p++) {
      const c = text.charCodeAt(p);
      // \b at p: a word character on exactly one side (the text's start counts as a non-word side).
      if (isIdentStart(c) && (p > 0 && isWord(text.charCodeAt(p - 1))) !== isWord(c)) {
        found(text.slice(p, at));
        break;
      }
    }
  }
}
