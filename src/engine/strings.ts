// Strings kept for every file of the tree (pass-0 scans) must not pin file texts, and the same
// identifier in thousands of files should be one string.
//
// A regex capture is a V8 "sliced string" that keeps the whole source alive; `intern` copies it
// out once and hands back the shared copy for every later file.

const interned = new Map<string, string>();

export function intern(s: string): string {
  const hit = interned.get(s);
  if (hit !== undefined) return hit;
  const copy = s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8');
  interned.set(copy, copy);
  return copy;
}

/** Interned strings by a hash of their characters, to find one without cutting it out of a text. */
const byHash = new Map<number, string | string[]>();

/** intern(text.slice(start, end)), where `hash` is the caller's hash of those characters. */
export function internSlice(text: string, start: number, end: number, hash: number): string {
  const length = end - start;
  const hit = byHash.get(hash);
  if (typeof hit === 'string') {
    if (hit.length === length && text.startsWith(hit, start)) return hit;
  } else if (hit) {
    for (const s of hit) if (s.length === length && text.startsWith(s, start)) return s;
  }
  const s = intern(text.slice(start, end));
  if (hit === undefined) byHash.set(hash, s);
  else if (typeof hit === 'string') byHash.set(hash, [hit, s]);
  else hit.push(s);
  return s;
}

export function detachStrings(list: string[]): string[] {
  return list.map(intern);
}

export const copyString = intern;

/**
 * Drops the table once a thread's pass 0 is done: the scans keep their strings, and the table,
 * one entry per distinct identifier, was 14 MB of heap on 24,000 C files (heap snapshot).
 */
export function forgetInterned(): void {
  interned.clear();
  byHash.clear();
}

/** Character classes by code, as regexes have them: `\w` (ASCII only) and `\s` (with Unicode spaces). */
const WORD = new Uint8Array(128);
for (let c = 0; c < 128; c++) WORD[c] = /\w/.test(String.fromCharCode(c)) ? 1 : 0;
export const isWord = (c: number): boolean => c < 128 && WORD[c] === 1;
export const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13) || (c > 127 && /\s/.test(String.fromCharCode(c)));
