// Which files mention or define each function name: the C project's text index, built once from
// every file's pass-0 scan and kept for the whole run.
//
// It is the one part of a C project that grows with the tree (a file mentions ~100 names), so it
// is stored flat: one id per distinct name, and per kind a single Int32Array of file numbers
// grouped by name (a name's files in their scan order). With a Map of string arrays, and each
// scan keeping its own name list, the heap once the project was built on 11,983 C files was
// 73 MB; with this index, and the scans' lists dropped, 38.5 MB.

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
  private readonly ids = new Map<string, number>();
  private readonly fileNumber = new Map<string, number>();
  private readonly fileNames: string[] = [];
  private readonly mentioned: Postings;
  private readonly defined: Postings;

  /** `files`: each file with the names it mentions and the functions it defines, in scan order. */
  constructor(files: Iterable<{ file: string; names: readonly string[]; defs: readonly string[] }>) {
    const mentions = new PairList();
    const defs = new PairList();
    for (const { file, names, defs: defined } of files) {
      const n = this.fileNames.length;
      this.fileNames.push(file);
      this.fileNumber.set(file, n);
      for (const name of names) mentions.push(this.idOf(name), n);
      for (const name of defined) defs.push(this.idOf(name), n);
    }
    this.mentioned = mentions.grouped(this.ids.size);
    this.defined = defs.grouped(this.ids.size);
  }

  private idOf(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) this.ids.set(name, (id = this.ids.size));
    return id;
  }

  /** Files whose text has `name(`, in scan order. */
  filesMentioning(name: string): string[] {
    return this.list(this.mentioned, name);
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
    const id = this.ids.get(name);
    const n = this.fileNumber.get(file);
    if (id === undefined || n === undefined) return false;
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
    const id = this.ids.get(name);
    if (id === undefined) return [];
    const out: string[] = [];
    for (let i = kind.start[id]!; i < kind.start[id + 1]!; i++) out.push(this.fileNames[kind.files[i]!]!);
    return out;
  }
}
