// Offsets to rows and columns, from the line starts of a text (found once, then binary search).

export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(private readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  /** 0-based row of an offset (the end of the text is on the last line, or after a final `\n`). */
  row(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  col(offset: number): number {
    return offset - this.starts[this.row(offset)]!;
  }
  /** Offset where a row starts; past the last row, the end of the text. */
  start(row: number): number {
    return row < this.starts.length ? this.starts[row]! : this.text.length;
  }
}
