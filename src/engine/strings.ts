// Strings kept for every file of the tree (pass-0 scans) must not pin file texts, and the same
// identifier in thousands of files should be one string.
//
// A regex capture is a V8 "sliced string" that keeps the whole source alive; `intern` copies it
// out once and hands back the shared copy for every later file.

const interned = new Map<string, string>();

/**
 * Strings after which the tables start afresh. A name is kept inside its file's scan (a C file's
 * names are joined into one string), so a table only saves copies and slices while a pass 0
 * runs; unbounded, its hash tables were the largest part of a thread's heap when pass 0 ended:
 * on 23,804 generated C files 41 MB of the 74 MB live, and ~100 MB of heap in use on 47,965 C
 * files, most of it old tables left for the next full collection. With this bound: peak RSS of
 * the pass 0 alone 145-149 against 190 MB, the same time (2 runs each); common names come back
 * into the table at once. TS/JS scans share fewer copies: the same heap after pass 0.
 */
const INTERN_MAX = 1 << 16;

export function intern(s: string): string {
  const hit = interned.get(s);
  if (hit !== undefined) return hit;
  if (interned.size >= INTERN_MAX) forgetInterned();
  const copy = detach(s);
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

/**
 * A copy of `s` that does not keep a larger string alive. V8 makes a slice of 13 or more
 * characters a view of the string it was cut from, and a `+` a pair of its parts; so a key
 * built from a name cut out of a file's text kept that whole text. Copied through UTF-16 code
 * units, so any string comes back the same.
 */
export function detach(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'utf16le').toString('utf16le');
}

/**
 * `v` with every string in it detached, in place, through plain objects, arrays, Sets and Maps
 * (other objects are left alone: a memo must not hold them). For results kept for the whole run.
 */
export function detachDeep<T>(v: T, seen = new WeakSet<object>()): T {
  if (typeof v === 'string') return detach(v) as T;
  if (typeof v !== 'object' || v === null || seen.has(v)) return v;
  seen.add(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = detachDeep(v[i], seen);
  } else if (v instanceof Set) {
    const items = [...v];
    v.clear();
    for (const x of items) v.add(detachDeep(x, seen));
  } else if (v instanceof Map) {
    const entries = [...v];
    v.clear();
    for (const [k, x] of entries) v.set(detachDeep(k, seen), detachDeep(x, seen));
  } else if (Object.getPrototypeOf(v) === Object.prototype) {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) o[k] = detachDeep(o[k], seen);
  }
  return v;
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
