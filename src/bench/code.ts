// Lines of generated code with marks on the lines that hold socket sites, so the generator
// knows the exact line of every site it writes (its ground truth).

export interface SiteMark {
  /** ka-audit's api name: 'socket', 'accept', 'accept4', 'net.connect', 'new net.Socket', ... */
  api: string;
  /** Whether the site is TCP (a UDP or unix socket is a site that is never reported). */
  tcp: 'yes' | 'no';
  /** The rule ka-audit must report at this line, or null when nothing is to be reported. */
  finding: string | null;
  /** Why, in a few words (the scenario and its keepalive variant). */
  why: string;
}

export interface MarkedLine extends SiteMark {
  /** 1-based line in the block (or file). */
  line: number;
}

export class Code {
  readonly lines: string[] = [];
  readonly marks: MarkedLine[] = [];

  /** Appends lines (each string may hold several lines separated by '\n'). */
  add(...lines: string[]): this {
    for (const l of lines) for (const part of l.split('\n')) this.lines.push(part);
    return this;
  }

  /** Appends one line holding a site. */
  site(line: string, mark: SiteMark): this {
    this.lines.push(line);
    this.marks.push({ ...mark, line: this.lines.length });
    return this;
  }

  /** Appends another block, moving its marks. */
  append(other: Code): this {
    const offset = this.lines.length;
    this.lines.push(...other.lines);
    for (const m of other.marks) this.marks.push({ ...m, line: m.line + offset });
    return this;
  }

  blank(): this {
    if (this.lines.length > 0 && this.lines[this.lines.length - 1] !== '') this.lines.push('');
    return this;
  }

  get size(): number {
    let n = 0;
    for (const l of this.lines) n += l.length + 1;
    return n;
  }

  /** The text with every 4-space indentation level turned into `unit`, ending in a newline. */
  render(unit: string): string {
    const out: string[] = [];
    for (const l of this.lines) {
      if (unit === '    ') {
        out.push(l.trimEnd());
        continue;
      }
      const m = /^ */.exec(l)!;
      const n = m[0].length;
      out.push((unit.repeat(Math.floor(n / 4)) + ' '.repeat(n % 4) + l.slice(n)).trimEnd());
    }
    return out.join('\n') + '\n';
  }
}
