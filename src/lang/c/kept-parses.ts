// Parses kept for models the project's cache let go. A mirrored model costs ~135 bytes of heap
// a node (MODEL_HEAP); the numbers it was mirrored from (its TopLevel, with the bodies read
// since) 16, four int32s. Keeping those lets an evicted model be mirrored again without parsing: on the
// 23,440-file corpus the cache, full at its bound, had re-parsed 656 files.
import type { ChosenParse, TopLevel } from './parse.js';

interface Kept {
  /** The decoded text's length: a file that changed since is parsed again. */
  length: number;
  chosen: ChosenParse;
  bytes: number;
}

function bytesOf(top: TopLevel): number {
  return top.nodes.byteLength + top.errors.byteLength + (top.bodies?.byteLength ?? 0) + (top.skipped?.byteLength ?? 0);
}

/** Parse records by file, least recently kept first out once they pass `maxBytes`. */
export class KeptParses {
  private readonly kept = new Map<string, Kept>();
  private bytes = 0;
  /** Parses handed back (KA_AUDIT_TIMING, and tests through reusedParses). */
  reused = 0;

  constructor(private readonly maxBytes: number) {}

  keep(file: string, length: number, chosen: ChosenParse): void {
    this.drop(file);
    const bytes = bytesOf(chosen.top) + (chosen.last ? bytesOf(chosen.last) : 0);
    if (bytes > this.maxBytes) return;
    this.kept.set(file, { length, chosen, bytes });
    this.bytes += bytes;
    for (const [f, k] of this.kept) {
      if (this.bytes <= this.maxBytes) break;
      this.kept.delete(f);
      this.bytes -= k.bytes;
    }
  }

  /** The kept parse of `file` if its text has the same length, handed back (and forgotten here). */
  take(file: string, length: number): ChosenParse | undefined {
    const k = this.kept.get(file);
    if (!k) return undefined;
    this.drop(file);
    if (k.length !== length) return undefined;
    this.reused++;
    return k.chosen;
  }

  get size(): number {
    return this.kept.size;
  }

  private drop(file: string): void {
    const k = this.kept.get(file);
    if (!k) return;
    this.kept.delete(file);
    this.bytes -= k.bytes;
  }
}
