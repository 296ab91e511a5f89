// C parsing with web-tree-sitter and the grammar wasm shipped in tree-sitter-c.
//
// Why wasm and not the native `tree-sitter` binding: native trees are freed only by GC
// finalizers, so a synchronous loop over thousands of files grows to gigabytes (DESIGN §4);
// wasm trees are freed explicitly, right after use.
//
// The analysis works on a plain-JS mirror of the tree (CNode). Walking a wasm tree costs a
// JS↔wasm round trip per property, so the mirror is built lazily: the file's top level at once,
// each function body only when something looks inside it (most bodies never are), and anonymous
// tokens (punctuation, keywords) are left out unless a grammar field names them (operators).
import { createRequire } from 'node:module';
import { Language, Parser, type Node as TsNode, type TreeCursor } from 'web-tree-sitter';
import { branchView } from './preproc.js';

/** Line starts of a text, to turn offsets into 1-based rows/columns without asking wasm. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  /** 0-based row of an offset. */
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
}

/** Leaves share one empty child list: most nodes are leaves, and memory is the cache's limit. */
const NO_CHILDREN: CNode[] = Object.freeze([]) as unknown as CNode[];

/** Subtrees mirrored on first access (function bodies not looked into yet). */
const pending = new WeakMap<CNode, () => CNode[]>();

const NAMED = 1;
const MISSING = 2;

export class CNode {
  parent: CNode | null = null;
  private kids: CNode[] | undefined;
  private readonly flags: number;

  constructor(
    readonly type: string,
    named: boolean,
    /** The grammar field under which the parent holds this node (`function`, `arguments`…). */
    readonly field: string | null,
    readonly start: number,
    readonly end: number,
    missing: boolean,
    private readonly lines: LineIndex,
  ) {
    this.flags = (named ? NAMED : 0) | (missing ? MISSING : 0);
  }

  get named(): boolean {
    return (this.flags & NAMED) !== 0;
  }

  get missing(): boolean {
    return (this.flags & MISSING) !== 0;
  }

  /** Mirrors this node's subtree lazily, on the first read of `children`. */
  set expand(fn: () => CNode[]) {
    pending.set(this, fn);
  }

  get children(): CNode[] {
    if (!this.kids) {
      const expand = pending.get(this);
      pending.delete(this);
      this.kids = expand ? expand() : NO_CHILDREN;
    }
    return this.kids;
  }

  set children(kids: CNode[]) {
    this.kids = kids;
  }

  get startRow(): number {
    return this.lines.row(this.start);
  }
  get startCol(): number {
    return this.lines.col(this.start);
  }
  get endRow(): number {
    return this.lines.row(this.end);
  }
  get endCol(): number {
    return this.lines.col(this.end);
  }
}

export interface ParsedC {
  root: CNode;
  /** ERROR and MISSING nodes, in document order (the whole file, bodies included). */
  errors: CNode[];
  /** Nothing to free any more (the wasm tree is gone once the top level is mirrored); kept for callers. */
  dispose(): void;
}

let loaded: Promise<{ parser: Parser; language: Language }> | undefined;

/** Loads the grammar once per thread; every later call reuses the parser. */
export function loadCParser(): Promise<{ parser: Parser; language: Language }> {
  loaded ??= (async () => {
    await Parser.init();
    const require = createRequire(import.meta.url);
    const wasmPath = require.resolve('tree-sitter-c/tree-sitter-c.wasm');
    const language = await Language.load(wasmPath);
    const parser = new Parser();
    parser.setLanguage(language);
    return { parser, language };
  })();
  return loaded;
}

interface Tables {
  types: string[];
  named: boolean[];
  fields: (string | null)[];
}

const tablesFor = new WeakMap<Language, Tables>();

function tables(language: Language): Tables {
  let t = tablesFor.get(language);
  if (!t) {
    const types: string[] = [];
    const named: boolean[] = [];
    for (let id = 0; id < language.nodeTypeCount; id++) {
      types.push(language.nodeTypeForId(id) ?? 'ERROR');
      named.push(language.nodeTypeIsNamed(id));
    }
    t = { types, named, fields: language.fields };
    tablesFor.set(language, t);
  }
  return t;
}

/**
 * Parses `text`: the top level is mirrored at once and the wasm tree freed right away, so wasm
 * memory holds one tree at a time. A function body is mirrored when first read, by re-parsing
 * just that function (tree-sitter's included ranges keep every offset as in the whole file).
 */
export function parseCWith(ctx: { parser: Parser; language: Language }, text: string): ParsedC {
  const lines = new LineIndex(text);
  const tab = tables(ctx.language);
  const tree = ctx.parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  const errors: CNode[] = [];
  const noErrors: CNode[] = [];
  let firstView: string | undefined;
  const expandBody = (body: CNode) => (): CNode[] => {
    const fn = body.parent!;
    const range = {
      startIndex: fn.start,
      endIndex: fn.end,
      startPosition: { row: fn.startRow, column: fn.startCol },
      endPosition: { row: fn.endRow, column: fn.endCol },
    };
    let part = ctx.parser.parse(text, null, { includedRanges: [range] });
    if (!part) return [];
    // `if (a &&\n#ifdef X\n b &&\n#endif\n c)`: a directive inside a statement breaks the parse.
    // The function's first-branch configuration (same offsets) usually parses; use it then.
    if (part.rootNode.hasError && /^[ \t]*#[ \t]*(if|ifdef|ifndef)\b/m.test(text.slice(fn.start, fn.end))) {
      firstView ??= branchView(text, 'first');
      const alt = ctx.parser.parse(firstView, null, { includedRanges: [range] });
      if (alt && alt.rootNode.descendantsOfType('ERROR').length < part.rootNode.descendantsOfType('ERROR').length) {
        part.delete();
        part = alt;
      } else alt?.delete();
    }
    try {
      let n: TsNode | null = part.rootNode.descendantForIndex(body.start, body.end);
      while (n && (n.startIndex !== body.start || n.endIndex !== body.end || n.type !== body.type)) n = n.parent;
      if (!n) return [];
      const cursor = n.walk();
      try {
        // Errors were all collected from the whole-file tree; do not count them twice.
        return mirrorChildren(cursor, body, tab, lines, noErrors, expandBody);
      } finally {
        cursor.delete();
      }
    } finally {
      part.delete();
    }
  };
  let root: CNode;
  try {
    collectErrors(tree.rootNode, (e) => errors.push(new CNode('ERROR', true, null, e.startIndex, e.endIndex, false, lines)));
    const cursor = tree.walk();
    root = new CNode(tab.types[cursor.nodeTypeId]!, true, null, cursor.startIndex, cursor.endIndex, false, lines);
    try {
      root.children = mirrorChildren(cursor, root, tab, lines, errors, expandBody);
    } finally {
      cursor.delete();
    }
  } finally {
    tree.delete();
  }
  errors.sort((a, b) => a.start - b.start);
  return { root, errors, dispose() {} };
}

/**
 * Every ERROR node under `node` (nested ones too, as descendantsOfType gives them), visiting
 * only subtrees that hold an error: a whole-tree walk cost ~5 % of a real-tree run.
 */
function collectErrors(node: TsNode, found: (e: TsNode) => void): void {
  if (!node.hasError) return;
  // The root itself is an ERROR when the file's top level does not parse.
  if (node.type === 'ERROR') found(node);
  for (let i = 0; i < node.childCount; i++) {
    const c = node.child(i);
    if (c) collectErrors(c, found);
  }
}

/**
 * Mirrors the subtree under the cursor's current node into `parent`'s children, iteratively
 * (deeply nested macro soup must not overflow the JS stack). A function body is left for later.
 */
function mirrorChildren(
  cursor: TreeCursor,
  top: CNode,
  tab: Tables,
  lines: LineIndex,
  errors: CNode[],
  lazyBody: (body: CNode) => () => CNode[],
): CNode[] {
  const out: CNode[] = [];
  if (!cursor.gotoFirstChild()) return out;
  let current = top;
  let depth = 1;
  const list: CNode[][] = [out];
  for (;;) {
    const typeId = cursor.nodeTypeId;
    const fieldId = cursor.currentFieldId;
    const named = tab.named[typeId] ?? false;
    const field = fieldId ? (tab.fields[fieldId] ?? null) : null;
    let descended = false;
    if (named || field !== null) {
      const start = cursor.startIndex;
      const end = cursor.endIndex;
      const type = tab.types[typeId] ?? 'ERROR';
      const missing = start === end && type !== 'translation_unit';
      const node = new CNode(type, named, field, start, end, missing, lines);
      node.parent = current;
      list[list.length - 1]!.push(node);
      if (missing) errors.push(node);
      if (field === 'body' && current.type === 'function_definition' && type === 'compound_statement') {
        node.expand = lazyBody(node);
      } else if (cursor.gotoFirstChild()) {
        const kids: CNode[] = [];
        node.children = kids;
        list.push(kids);
        current = node;
        depth++;
        descended = true;
      }
    }
    if (descended) continue;
    while (!cursor.gotoNextSibling()) {
      if (depth === 1 || !cursor.gotoParent()) return out.slice();
      depth--;
      // A list grown by push keeps spare capacity (17 slots for one child); cached mirrors are
      // the analysis's largest memory, so each finished list is stored at its exact size.
      current.children = list.pop()!.slice();
      current = current.parent!;
    }
  }
}
