// Which files mention or define each function name: the C project's text index, built once from
// every file's pass-0 scan and kept for the whole run.
//
// It is the one part of a C project that grows with the tree (a file mentions ~100 names), so it
// is stored flat: one id per distinct name, and per kind a single Int32Array of file numbers
// grouped by name (a name's files in their scan order). With a Map of string arrays, and each
// scan keeping its own name list, the heap once the project was built on 11,983 C files was
// 73 MB; with this index, and the scans' lists dropped, 38.5 MB. The names themselves are kept
// as bytes, not strings (NameIds).

/** Per name id: its files are `files[start[id] .. start[id + 1]]`. */
interface Postings {
  start: Int32Array;
  files: Int32Array;
}

/** A growable list of int pairs (name id, file number), in the order they were added. */
class PairList {
  private buf = new Int32Array(1 << 16);
  length = 0;
  push(a: number, b: number): void {
    if (this.length + 2 > this.buf.length) {
      const next = new Int32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = a;
    this.buf[this.length++] = b;
  }
  /** Files grouped by name id, each group in the order added: a stable counting sort. */
  grouped(names: number): Postings {
    const start = new Int32Array(names + 1);
    for (let i = 0; i < this.length; i += 2) start[this.buf[i]! + 1]!++;
    for (let id = 0; id < names; id++) start[id + 1]! += start[id]!;
    const filled = start.slice(0, names);
    const files = new Int32Array(this.length / 2);
    for (let i = 0; i < this.length; i += 2) files[filled[this.buf[i]!]!++] = this.buf[i + 1]!;
    return { start, files };
  }
}

export class NameIndex {
  private readonly ids: NameIds;
  private readonly fileNumber = new Map<string, number>();
  private readonly fileNames: string[] = [];
  private readonly mentioned: Postings;
  private readonly defined: Postings;

  /**
   * `files`: each file with the names it mentions and the functions it defines (each a list of
   * names separated by single spaces, as CScan has them), in scan order.
   */
  constructor(files: Iterable<{ file: string; names: string; defs: string }>) {
    const mentions = new PairList();
    const defs = new PairList();
    // Ids straight from the lists' characters: no string per name, and no Map of every name while
    // building (see NameIds).
    const ids = new NameIds();
    for (const { file, names, defs: defined } of files) {
      const n = this.fileNames.length;
      this.fileNames.push(file);
      this.fileNumber.set(file, n);
      forEachName(names, (start, end) => mentions.push(ids.addSlice(names, start, end), n));
      forEachName(defined, (start, end) => defs.push(ids.addSlice(defined, start, end), n));
    }
    ids.trim();
    this.mentioned = mentions.grouped(ids.size);
    this.defined = defs.grouped(ids.size);
    this.ids = ids;
  }

  /** Files whose text has `name(`, in scan order. */
  filesMentioning(name: string): string[] {
    return this.list(this.mentioned, name);
  }

  /**
   * Files whose call of `name` can reach `defFile`'s definition, by the text alone, in scan
   * order: those that mention it and do not define it, and `defFile` itself when it mentions it
   * (a file's own definition hides every other). Listing every file that mentions the name and
   * asking each made a name defined in N files cost N per caller lookup: 34,000 small programs
   * that each define the same `test()` took more than 10 minutes.
   */
  callersOf(name: string, defFile: string): string[] {
    const id = this.ids.idOf(name);
    if (id < 0) return [];
    let outside = this.notDefining.get(id);
    if (!outside) {
      outside = this.mentionedNotDefined(id);
      this.notDefining.set(id, outside);
    }
    // A `defFile` that does not define it is among the others already.
    const own = this.mentions(defFile, name) && this.defines(defFile, name) ? this.fileNumber.get(defFile)! : -1;
    const out: string[] = [];
    let ownDone = own < 0;
    for (const n of outside) {
      if (!ownDone && own < n) {
        out.push(defFile);
        ownDone = true;
      }
      out.push(this.fileNames[n]!);
    }
    if (!ownDone) out.push(defFile);
    return out;
  }

  /** Per name id asked by callersOf: the files that mention it and do not define it. */
  private readonly notDefining = new Map<number, Int32Array>();

  /** Both lists are in scan order, so one merge walk. */
  private mentionedNotDefined(id: number): Int32Array {
    const m = this.mentioned;
    const d = this.defined;
    const out: number[] = [];
    let j = d.start[id]!;
    const dEnd = d.start[id + 1]!;
    for (let i = m.start[id]!; i < m.start[id + 1]!; i++) {
      const n = m.files[i]!;
      while (j < dEnd && d.files[j]! < n) j++;
      if (j < dEnd && d.files[j] === n) continue;
      out.push(n);
    }
    return Int32Array.from(out);
  }

  /** Files that define a function `name`, in scan order. */
  definers(name: string): string[] {
    return this.list(this.defined, name);
  }

  /** Whether `file`'s text has `name(`. */
  mentions(file: string, name: string): boolean {
    return this.has(this.mentioned, file, name);
  }

  /** Whether `file` defines a function `name`. */
  defines(file: string, name: string): boolean {
    return this.has(this.defined, file, name);
  }

  private has(kind: Postings, file: string, name: string): boolean {
    const id = this.ids.idOf(name);
    const n = this.fileNumber.get(file);
    if (id < 0 || n === undefined) return false;
    // A name's files are in scan order, which numbers them: binary search.
    let lo = kind.start[id]!;
    let hi = kind.start[id + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = kind.files[mid]!;
      if (at === n) return true;
      if (at < n) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  private list(kind: Postings, name: string): string[] {
    const id = this.ids.idOf(name);
    if (id < 0) return [];
    const out: string[] = [];
    for (let i = kind.start[id]!; i < kind.start[id + 1]!; i++) out.push(this.fileNames[kind.files[i]!]!);
    return out;
  }
}

/** Calls `each` with the bounds of every name in `list` (names separated by single spaces). */
function forEachName(list: string, each: (start: number, end: number) => void): void {
  if (list === '') return;
  let start = 0;
  for (let end = list.indexOf(' '); end !== -1; end = list.indexOf(' ', start)) {
    each(start, end);
    start = end + 1;
  }
  each(start, list.length);
}

/**
 * Distinct names and their ids (in the order added), without a string per name: the names'
 * characters in one byte array and an open-addressing hash table of ids. A Map<string, number>
 * held one string and one table entry per name: for the 378,180 names of 23,440 generated C
 * files, the project once built took 43 MB of JS heap and 7 MB of typed arrays; now 15 and 18.
 * Names are added from the scans' lists by their bounds (addSlice), so building the index makes
 * no string per name either. Names are C identifiers (ASCII); any other string is kept in a Map,
 * so none is lost.
 */
export class NameIds {
  private chars = new Uint8Array(1 << 12);
  /** Per id: where its characters start in `chars` (and, at `size`, where they all end). */
  private starts = new Int32Array(1 << 8);
  private hashes = new Int32Array(1 << 8);
  /** Id + 1 per slot; 0: empty. At most 3/4 full, so a probe ends soon. */
  private slots = new Int32Array(1 << 8);
  private readonly others = new Map<string, number>();
  /** Ids given so far. */
  size = 0;

  constructor(names: Iterable<string> = []) {
    for (const name of names) this.addSlice(name, 0, name.length);
  }

  /** The id of text.slice(start, end), given the next one if it has none yet. */
  addSlice(text: string, start: number, end: number): number {
    const h = asciiHash(text, start, end);
    if (h === undefined) {
      const name = text.slice(start, end);
      let id = this.others.get(name);
      if (id === undefined) this.others.set(name, (id = this.push(start, start, text, h)));
      return id;
    }
    const mask = this.slots.length - 1;
    let slot = h & mask;
    for (; this.slots[slot] !== 0; slot = (slot + 1) & mask) {
      const id = this.slots[slot]! - 1;
      if (this.hashes[id] === h && this.is(id, text, start, end)) return id;
    }
    const id = this.push(start, end, text, h);
    this.slots[slot] = id + 1;
    // Grown after the insert, so `slot` was still a free slot of the table probed.
    if (this.size * 4 > this.slots.length * 3) this.rehash(this.slots.length * 2);
    return id;
  }

  /** The id of `name`, or -1. */
  idOf(name: string): number {
    const h = asciiHash(name, 0, name.length);
    if (h === undefined) return this.others.get(name) ?? -1;
    const mask = this.slots.length - 1;
    for (let slot = h & mask; this.slots[slot] !== 0; slot = (slot + 1) & mask) {
      const id = this.slots[slot]! - 1;
      if (this.hashes[id] === h && this.is(id, name, 0, name.length)) return id;
    }
    return -1;
  }

  /** Drops the room left for more names (the index is built once, then only read). */
  trim(): void {
    this.chars = this.chars.slice(0, this.starts[this.size]);
    this.starts = this.starts.slice(0, this.size + 1);
    this.hashes = this.hashes.slice(0, this.size);
  }

  /** A new id for text[start, end) (its characters when `h` is its ASCII hash). */
  private push(start: number, end: number, text: string, h: number | undefined): number {
    const id = this.size++;
    if (this.size + 1 > this.starts.length) {
      this.starts = grown(this.starts, this.starts.length * 2);
      this.hashes = grown(this.hashes, this.hashes.length * 2);
    }
    let at = this.starts[id]!;
    const need = at + (end - start);
    if (need > this.chars.length) {
      const next = new Uint8Array(Math.max(need, this.chars.length * 2));
      next.set(this.chars);
      this.chars = next;
    }
    for (let i = start; i < end; i++) this.chars[at++] = text.charCodeAt(i);
    this.starts[id + 1] = at;
    if (h !== undefined) this.hashes[id] = h;
    return id;
  }

  private rehash(size: number): void {
    const other = new Set(this.others.values());
    const slots = new Int32Array(size);
    const mask = size - 1;
    for (let id = 0; id < this.size; id++) {
      if (other.has(id)) continue;
      let slot = this.hashes[id]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
  }

  private is(id: number, text: string, start: number, end: number): boolean {
    const from = this.starts[id]!;
    if (this.starts[id + 1]! - from !== end - start) return false;
    for (let i = start; i < end; i++) if (this.chars[from + i - start] !== text.charCodeAt(i)) return false;
    return true;
  }
}

function grown(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(size);
  next.set(a);
  return next;
}

/**
 * FNV-1a over the UTF-16 code units of s[start, end) (all of `s` by default), or undefined when
 * one is not ASCII (exported for the test of collisions). One pass: a lookup is a hash, a probe
 * and a comparison.
 */
export function asciiHash(s: string, start = 0, end = s.length): number | undefined {
  let h = 0x811c9dc5;
  let all = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    all |= c;
    h = Math.imul(h ^ c, 16777619);
  }
  return all > 127 ? undefined : h | 0;
}
