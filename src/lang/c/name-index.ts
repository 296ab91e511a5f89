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

  /** `files`: each file with the names it mentions and the functions it defines, in scan order. */
  constructor(files: Iterable<{ file: string; names: readonly string[]; defs: readonly string[] }>) {
    const mentions = new PairList();
    const defs = new PairList();
    // Ids are given through a Map while building: the scans' names are interned, so a Map finds
    // each string's id from its cached hash, faster than hashing its characters again.
    const ids = new Map<string, number>();
    const idOf = (name: string): number => {
      let id = ids.get(name);
      if (id === undefined) ids.set(name, (id = ids.size));
      return id;
    };
    for (const { file, names, defs: defined } of files) {
      const n = this.fileNames.length;
      this.fileNames.push(file);
      this.fileNumber.set(file, n);
      for (const name of names) mentions.push(idOf(name), n);
      for (const name of defined) defs.push(idOf(name), n);
    }
    this.mentioned = mentions.grouped(ids.size);
    this.defined = defs.grouped(ids.size);
    this.ids = new NameIds(ids.keys());
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

/**
 * Distinct names and their ids (in the order given), without a string per name: the names'
 * characters in one byte array and an open-addressing hash table of ids. A Map<string, number>
 * held one string and one table entry per name: for the 378,180 names of 23,440 generated C
 * files, the project once built took 43 MB of JS heap and 7 MB of typed arrays; now 15 and 18.
 * Names are C identifiers (ASCII); any other string is kept in a Map, so none is lost.
 */
export class NameIds {
  private readonly chars: Uint8Array;
  /** Per id: where its characters start in `chars` (and, at `size`, where they all end). */
  private readonly starts: Int32Array;
  private readonly hashes: Int32Array;
  /** Id + 1 per slot; 0: empty. At most 3/4 full, so a probe ends soon. */
  private readonly slots: Int32Array;
  private readonly others = new Map<string, number>();

  constructor(names: Iterable<string>) {
    const list = [...names];
    let bytes = 0;
    for (const name of list) bytes += name.length;
    this.chars = new Uint8Array(bytes);
    this.starts = new Int32Array(list.length + 1);
    this.hashes = new Int32Array(list.length);
    let slots = 16;
    while (slots * 3 < list.length * 4) slots *= 2;
    this.slots = new Int32Array(slots);
    let at = 0;
    for (let id = 0; id < list.length; id++) {
      const name = list[id]!;
      this.starts[id] = at;
      const h = asciiHash(name);
      if (h === undefined) {
        this.others.set(name, id);
        continue;
      }
      for (let i = 0; i < name.length; i++) this.chars[at++] = name.charCodeAt(i);
      this.hashes[id] = h;
      let slot = h & (slots - 1);
      while (this.slots[slot] !== 0) slot = (slot + 1) & (slots - 1);
      this.slots[slot] = id + 1;
    }
    this.starts[list.length] = at;
  }

  /** The id of `name`, or -1. */
  idOf(name: string): number {
    const h = asciiHash(name);
    if (h === undefined) return this.others.get(name) ?? -1;
    const mask = this.slots.length - 1;
    for (let slot = h & mask; this.slots[slot] !== 0; slot = (slot + 1) & mask) {
      const id = this.slots[slot]! - 1;
      if (this.hashes[id] === h && this.is(id, name)) return id;
    }
    return -1;
  }

  private is(id: number, name: string): boolean {
    const start = this.starts[id]!;
    if (this.starts[id + 1]! - start !== name.length) return false;
    for (let i = 0; i < name.length; i++) if (this.chars[start + i] !== name.charCodeAt(i)) return false;
    return true;
  }
}

/**
 * FNV-1a over the UTF-16 code units, or undefined when one is not ASCII (exported for the test
 * of collisions). One pass: a lookup is a hash, a probe and a comparison.
 */
export function asciiHash(s: string): number | undefined {
  let h = 0x811c9dc5;
  let all = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    all |= c;
    h = Math.imul(h ^ c, 16777619);
  }
  return all > 127 ? undefined : h | 0;
}
