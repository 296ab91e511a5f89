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
import { Language, Parser, type Node as TsNode, type Range, type TreeCursor } from 'web-tree-sitter';
import { cursorAccess, DirectWalk, PublicWalk, type CursorAccess, type Walk } from './cursor.js';
import { braceImbalance, branchView } from './preproc.js';
import { functionBodySpans, type BodySpan } from './skeleton.js';
import { LineIndex } from '../../engine/lines.js';

/** What `children` gives a leaf: one shared empty list. */
const NO_CHILDREN: CNode[] = Object.freeze([]) as unknown as CNode[];

/** Subtrees mirrored on first access (function bodies not looked into yet): each gives its first child. */
const pending = new WeakMap<CNode, () => CNode | null>();

/**
 * A node's type id (tree-sitter's), field id, and flags, packed in one number: the parse cache
 * holds ~500,000 nodes at its fullest, and a string field costs 8 bytes per node (as did the
 * line index each node used to point to: rows are found through the root now).
 */
const FIELD_SHIFT = 16;
const NAMED = 1 << 24;
const MISSING = 1 << 25;
/** tree-sitter's id for ERROR nodes (ts_builtin_sym_error). */
const ERROR_TYPE_ID = 0xffff;

/** Type and field names by id, from the C grammar (the only one mirrored into CNodes). */
let names: Tables | undefined;

/** The line index of each mirrored tree, by its root (and of each ERROR node listed apart). */
const lineIndexes = new WeakMap<CNode, LineIndex>();

/** See CNode.memo. */
export interface NodeMemo {
  key?: string;
  name?: string;
  args?: CNode[];
}

export class CNode {
  parent: CNode | null = null;
  /**
   * The first child, then each child's next sibling: links, not a child array per node. The
   * arrays (their header and slots) cost more than the nodes themselves, ~80 bytes a node: on
   * 1,200 models of a fan-in tree, 52 MB against 39 MB for the 642,684 nodes.
   * `undefined`: a function body not mirrored yet (see `expand`).
   */
  first: CNode | null | undefined = null;
  next: CNode | null = null;
  /**
   * What ast.ts derived from the node (keyOf, callName, callArgs), once asked. WeakMaps keyed by
   * node held these before: models mirrored again filled them with dead keys, and a fan-in that
   * cycles through its callers' models spent 9.5 of its 34 s in keyOf's lookups (CPU profile;
   * 0.6 s now, and the run 30.5 -> 17.6 s).
   */
  memo: NodeMemo | undefined = undefined;

  constructor(
    private readonly code: number,
    readonly start: number,
    readonly end: number,
  ) {}

  get type(): string {
    return names!.types[this.code & 0xffff] ?? 'ERROR';
  }

  /** The grammar field under which the parent holds this node (`function`, `arguments`…). */
  get field(): string | null {
    return names!.fields[(this.code >>> FIELD_SHIFT) & 0xff] ?? null;
  }

  get named(): boolean {
    return (this.code & NAMED) !== 0;
  }

  get missing(): boolean {
    return (this.code & MISSING) !== 0;
  }

  /** Mirrors this node's subtree lazily, on the first read of its children; `fn` gives the first child. */
  set expand(fn: () => CNode | null) {
    this.first = undefined;
    pending.set(this, fn);
  }

  get firstChild(): CNode | null {
    if (this.first === undefined) {
      const expand = pending.get(this);
      pending.delete(this);
      this.first = expand ? expand() : null;
    }
    return this.first;
  }

  /** The children, in a new array (walks that only step through them follow `firstChild` and `next`). */
  get children(): CNode[] {
    let c = this.firstChild;
    if (!c) return NO_CHILDREN;
    const out: CNode[] = [];
    for (; c; c = c.next) out.push(c);
    return out;
  }

  private get lines(): LineIndex {
    let root: CNode = this;
    while (root.parent) root = root.parent;
    const lines = lineIndexes.get(root);
    if (!lines) throw new Error('CNode outside a mirrored tree');
    return lines;
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

function codeOf(typeId: number, fieldId: number, named: boolean, missing: boolean): number {
  if (fieldId > 0xff) throw new Error(`C grammar field id ${fieldId} does not fit a CNode`);
  return typeId | (fieldId << FIELD_SHIFT) | (named ? NAMED : 0) | (missing ? MISSING : 0);
}

export interface ParsedC {
  root: CNode;
  /** ERROR and MISSING nodes, in document order (the whole file, bodies included). */
  errors: CNode[];
  /** Nothing to free any more (the wasm tree is gone once the top level is mirrored); kept for callers. */
  dispose(): void;
  /**
   * The top level this mirror was built from, with every body mirrored since added to its
   * bodies: mirroring it again gives the same tree and parses nothing (see KeptParses).
   */
  records(): TopLevel;
  /** CNodes mirrored so far: the top level's and every body's read since (a model's heap grows with them). */
  nodes(): number;
}

/** A thread's C parser; `direct`: walks trees without web-tree-sitter's marshalling (cursor.ts). */
export interface CParser {
  parser: Parser;
  language: Language;
  direct?: CursorAccess;
}

let loaded: Promise<CParser> | undefined;

/** Loads the grammar once per thread; every later call reuses the parser. */
export function loadCParser(): Promise<CParser> {
  loaded ??= (async () => {
    // Parser.init fills in the Emscripten module it is given: the direct walk needs it.
    const emscripten: Record<string, unknown> = {};
    await Parser.init(emscripten as Parameters<typeof Parser.init>[0]);
    const direct = cursorAccess(emscripten);
    const require = createRequire(import.meta.url);
    const wasmPath = require.resolve('tree-sitter-c/tree-sitter-c.wasm');
    const language = await Language.load(wasmPath);
    const parser = new Parser();
    parser.setLanguage(language);
    const plain = { parser, language };
    return direct && directWalkAgrees(plain, direct) ? { ...plain, direct } : plain;
  })();
  return loaded;
}

/** A small file with nesting, a parse error and a function body recorded ahead (a nested walk). */
const WALK_CHECK = 'struct s { int a; };\nstatic int f(int x) { if (x) { return g(x, 1); } return 0; }\nint h(void) { int y = ; }\n';

/**
 * Whether the direct walk records what the public API records, on a sample: cursor.ts relies on
 * web-tree-sitter's internals (the version is pinned), so a binding that changed underneath
 * falls back to the public walk instead of recording wrong trees.
 */
export function directWalkAgrees(ctx: CParser, direct: CursorAccess): boolean {
  const flat = (t: TopLevel) => [t.nodes, t.errors, t.bodies ?? new Int32Array(0)].map((a) => Array.from(a).join(',')).join('|');
  try {
    return flat(parseTop({ ...ctx, direct }, WALK_CHECK, () => true)) === flat(parseTop({ parser: ctx.parser, language: ctx.language }, WALK_CHECK, () => true));
  } catch {
    return false;
  }
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
    names = t;
  }
  return t;
}

/**
 * A file's top level as flat numbers, so that it can be built in one thread and mirrored in
 * another (a transferable buffer; wasm trees and CNodes cannot cross threads). `nodes` holds
 * 4 numbers per mirrored node in document order: type id | field id << 16, start, end, and the
 * number of mirrored children. `errors` holds start, end of every ERROR node.
 */
export interface TopLevel {
  nodes: Int32Array<ArrayBuffer>;
  errors: Int32Array<ArrayBuffer>;
  /**
   * Function bodies recorded ahead from the same tree (see BodyWanted), one after the other:
   * the body's start offset, the count of numbers in its record, then the record (4 numbers a
   * node, the body itself first, as when a body is mirrored on first read).
   */
  bodies?: Int32Array<ArrayBuffer>;
  /**
   * The `{` of each function body the parse left out (parseTop's `skipUnread`): its parse
   * errors are not in `errors` until the body is read (mirrorTop adds them then).
   */
  skipped?: Int32Array<ArrayBuffer>;
}

/**
 * Which function bodies to record with the top level, given the function's and the body's
 * spans: those the analysis is known to read (hints.ts). A body recorded from the whole-file
 * tree is the one a re-parse of the function alone gives (compared on the 56,184 bodies of
 * 5,934 real C files: all the same where the function has no parse error), so only error-free
 * functions are recorded; the others are re-parsed when read, as before.
 */
export type BodyWanted = (fn: { start: number; end: number }, body: { start: number; end: number }) => boolean;

/** Bytes of a file inside ERROR nodes, from a recorded parse. */
export function errorBytesOf(top: TopLevel): number {
  const spans: Array<{ start: number; end: number }> = [];
  for (let i = 0; i < top.errors.length; i += 2) spans.push({ start: top.errors[i]!, end: top.errors[i + 1]! });
  return coveredBytes(spans);
}

/**
 * Bytes covered by spans given in order of their starts. ERROR nodes nest (one inside another
 * is listed too): summing their sizes counted such bytes many times, up to "114% of the file".
 */
export function coveredBytes(spans: ReadonlyArray<{ start: number; end: number }>): number {
  let n = 0;
  let reached = 0;
  for (const { start, end } of spans) {
    const from = Math.max(start, reached);
    if (end > from) n += end - from;
    reached = Math.max(reached, end);
  }
  return n;
}

/** A growable Int32Array: a plain number[] would cost 4 times the memory on the way. */
class IntList {
  private buf: Int32Array<ArrayBuffer> = new Int32Array(1024);
  length = 0;
  push4(a: number, b: number, c: number, d: number): number {
    if (this.length + 4 > this.buf.length) {
      const next = new Int32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    const at = this.length;
    this.buf[at] = a;
    this.buf[at + 1] = b;
    this.buf[at + 2] = c;
    this.buf[at + 3] = d;
    this.length += 4;
    return at;
  }
  push2(a: number, b: number): number {
    const at = this.push4(a, b, 0, 0);
    this.length -= 2;
    return at;
  }
  set(at: number, v: number): void {
    this.buf[at] = v;
  }
  get(at: number): number {
    return this.buf[at]!;
  }
  done(): Int32Array<ArrayBuffer> {
    return this.buf.slice(0, this.length);
  }
}

/** Parses left without the bodies `wanted` did not ask for, and those whose check sent the file back to a whole parse (KA_AUDIT_TIMING). */
export const skipCounts = { parses: 0, bodies: 0, bytes: 0, wholeAgain: 0 };

/**
 * Parses `text` and records its top level (function bodies left out, but for those `wanted`
 * asks for); the wasm tree is freed. With `skipUnread`, the bodies `wanted` does not ask for
 * are not even parsed (skeleton.ts): tree-sitter reads `{` then `}`. Such a body is parsed
 * when read, as any unrecorded body is; what changes is that parse errors inside it are not
 * seen until then. If a body left out does not come back as exactly a function's body, the
 * text scan lost its way and the file is parsed whole.
 */
export function parseTop(ctx: CParser, text: string, wanted?: BodyWanted, skipUnread = false): TopLevel {
  if (skipUnread) {
    const spans = functionBodySpans(text)?.filter((s) => !wanted?.({ start: s.fnStart, end: s.close + 1 }, { start: s.open, end: s.close + 1 }));
    if (spans?.length) {
      const top = recordTop(ctx, text, wanted, spans);
      if (top) {
        skipCounts.parses++;
        skipCounts.bodies += spans.length;
        for (const s of spans) skipCounts.bytes += s.close - s.open - 1;
        return top;
      }
      skipCounts.wholeAgain++;
    }
  }
  return recordTop(ctx, text, wanted)!;
}

/** parseTop's parse and record, without the insides of `skipped`; undefined when one of them is not a function's body in the tree. */
function recordTop(ctx: CParser, text: string, wanted: BodyWanted | undefined, skipped?: BodySpan[]): TopLevel | undefined {
  const tab = tables(ctx.language);
  const tree = skipped ? ctx.parser.parse(text, null, { includedRanges: rangesWithout(text, skipped) }) : ctx.parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    const errors: number[] = [];
    collectErrors(tree.rootNode, (e) => errors.push(e.startIndex, e.endIndex));
    const out = new IntList();
    const bodies = wanted ? new IntList() : undefined;
    // Each body left out, by its `{`: found again as a function's body (its end checked) or not.
    const closeOf = skipped ? new Map(skipped.map((s) => [s.open, s.close + 1])) : undefined;
    let found = 0;
    const cursor = tree.walk();
    const walk = walkOf(ctx, cursor);
    try {
      const rootAt = out.push4(walk.typeId(), walk.start(), walk.end(), 0);
      const onBody =
        wanted || closeOf
          ? (body: Walk, fnAt: number) => {
              if (closeOf?.get(body.start()) === body.end()) found++;
              else if (wanted && bodies) recordWantedBody(ctx, body, out, fnAt, wanted, bodies, tab);
            }
          : undefined;
      recordChildren(walk, rootAt, tab.types[walk.typeId()]!, out, tab, onBody);
    } finally {
      walk.finish();
      cursor.delete();
    }
    if (skipped && found !== skipped.length) return undefined;
    return {
      nodes: out.done(),
      errors: Int32Array.from(errors),
      ...(bodies?.length ? { bodies: bodies.done() } : {}),
      ...(skipped ? { skipped: Int32Array.from(skipped, (s) => s.open) } : {}),
    };
  } finally {
    tree.delete();
  }
}

/** Included ranges covering `text` but the insides of `skipped` (in order), with rows and columns as LineIndex counts them. */
function rangesWithout(text: string, skipped: BodySpan[]): Range[] {
  const lines = new LineIndex(text);
  const range = (from: number, to: number): Range => ({
    startIndex: from,
    endIndex: to,
    startPosition: { row: lines.row(from), column: lines.col(from) },
    endPosition: { row: lines.row(to), column: lines.col(to) },
  });
  const ranges: Range[] = [];
  let from = 0;
  for (const s of skipped) {
    ranges.push(range(from, s.open + 1));
    from = s.close;
  }
  ranges.push(range(from, text.length));
  return ranges;
}

/**
 * A walk over `cursor`: direct when the thread's parser allows it (cursor.ts). Made just before
 * the walk: until its finish(), nothing else may call web-tree-sitter but through its aside().
 */
function walkOf(ctx: CParser, cursor: TreeCursor): Walk {
  return ctx.direct ? new DirectWalk(cursor, ctx.direct) : new PublicWalk(cursor);
}

/** Records the body under `walk` into `bodies` when it is wanted and its function parsed cleanly. */
function recordWantedBody(ctx: CParser, walk: Walk, top: IntList, fnAt: number, wanted: BodyWanted, bodies: IntList, tab: Tables): void {
  const fn = { start: top.get(fnAt + 1), end: top.get(fnAt + 2) };
  if (!wanted(fn, { start: walk.start(), end: walk.end() })) return;
  walk.aside((cursor) => {
    const body = cursor.currentNode;
    if (body.parent?.hasError !== false) return;
    const headAt = bodies.push2(body.startIndex, 0);
    const at = bodies.push4(body.typeId, body.startIndex, body.endIndex, 0);
    const type = body.type; // node getters use the transfer buffer: read before the walk starts
    const sub = body.walk();
    const subWalk = walkOf(ctx, sub);
    try {
      recordChildren(subWalk, at, type, bodies, tab);
      bodies.set(headAt + 1, bodies.length - at);
    } finally {
      subWalk.finish();
      sub.delete();
    }
  });
}

/**
 * Records the mirrored children of the cursor's node, iteratively (deeply nested macro soup
 * must not overflow the JS stack). A function body is recorded without its children: it is
 * mirrored when first read. Anonymous tokens are left out unless a grammar field names them.
 */
function recordChildren(walk: Walk, topAt: number, topType: string, out: IntList, tab: Tables, onLazyBody?: (walk: Walk, fnAt: number) => void): void {
  if (!walk.firstChild()) return;
  // Per open level: where its node is recorded, its type, and how many children it has so far.
  const at: number[] = [topAt];
  const types: string[] = [topType];
  const counts: number[] = [0];
  for (;;) {
    const typeId = walk.typeId();
    const fieldId = walk.fieldId();
    const named = tab.named[typeId] ?? false;
    const field = fieldId ? (tab.fields[fieldId] ?? null) : null;
    let descended = false;
    if (named || field !== null) {
      const type = tab.types[typeId] ?? 'ERROR';
      const nodeAt = out.push4(typeId | (fieldId << 16), walk.start(), walk.end(), 0);
      counts[counts.length - 1]!++;
      const lazyBody = field === 'body' && types[types.length - 1] === 'function_definition' && type === 'compound_statement';
      if (lazyBody && onLazyBody) onLazyBody(walk, at[at.length - 1]!);
      if (!lazyBody && walk.firstChild()) {
        at.push(nodeAt);
        types.push(type);
        counts.push(0);
        descended = true;
      }
    }
    if (descended) continue;
    while (!walk.nextSibling()) {
      if (at.length === 1 || !walk.parent()) {
        out.set(topAt + 3, counts[0]!);
        return;
      }
      out.set(at.pop()! + 3, counts.pop()!);
      types.pop();
    }
  }
}

/**
 * Parses `text`: the top level is mirrored at once and the wasm tree freed right away, so wasm
 * memory holds one tree at a time. A function body is mirrored when first read, by re-parsing
 * just that function (tree-sitter's included ranges keep every offset as in the whole file).
 */
export function parseCWith(ctx: CParser, text: string): ParsedC {
  return mirrorTop(ctx, text, parseTop(ctx, text));
}

/** The parse a file is analysed from: the file as written, or its first-#if-branch view. */
export interface ChosenParse {
  top: TopLevel;
  view: 'whole' | 'first';
  /** With the first-branch view: the last-branch one, when parsed ahead (else parsed on demand). */
  last?: TopLevel;
}

/**
 * Parses a file for analysis. When #if branches split statements so badly that much of the
 * file is one parse error, two preprocessor configurations are parsed instead (same offsets):
 * the first branch of every #if, and the last one, so a site in an #else is not lost.
 * A function of the text only, so that the pre-parse thread can run it too.
 */
export function chooseParse(ctx: CParser, text: string, wanted?: BodyWanted): ChosenParse {
  const top = parseTop(ctx, text, wanted, true);
  const bad = errorBytesOf(top);
  // Few error bytes can still hide a wrecked file: braces the branches open twice (braceImbalance).
  if ((bad > 0.05 * text.length || (bad > 0 && braceImbalance(text) !== 0)) && /^[ \t]*#[ \t]*(if|ifdef|ifndef)\b/m.test(text)) {
    const first = parseTop(ctx, branchView(text, 'first'), wanted, true);
    if (errorBytesOf(first) < bad / 2) return { top: first, view: 'first' };
  }
  return { top, view: 'whole' };
}

/** Function bodies mirrored in this thread: from records (made ahead, or kept), or parsed when read (KA_AUDIT_TIMING). */
export const bodyCounts = { ahead: 0, parsed: 0 };

/** The CNode mirror of a recorded top level (recorded here or in another thread). */
export function mirrorTop(ctx: CParser, text: string, top: TopLevel): ParsedC {
  const lines = new LineIndex(text);
  const tab = tables(ctx.language);
  const errors: CNode[] = [];
  const noErrors: CNode[] = [];
  let firstView: string | undefined;
  // Bodies recorded ahead, by start offset: where each one's record is in top.bodies.
  const ahead = new Map<number, number>();
  const recorded = top.bodies;
  if (recorded) for (let i = 0; i < recorded.length; i += 2 + recorded[i + 1]!) ahead.set(recorded[i]!, i);
  // Bodies parsed when read, by start offset: records() keeps them with the top level.
  const parsedHere: Array<[number, Int32Array<ArrayBuffer>]> = [];
  // Bodies the top-level parse left out, and the parse errors found in them when read.
  const skipped = new Set(top.skipped ?? []);
  const foundErrors: number[] = [];
  let mirrored = 0;
  // Each record starts with the node its children are built under, which exists already.
  const build = (record: Int32Array, parent: CNode, into: CNode[]): CNode | null => {
    mirrored += (record.length >> 2) - 1;
    return buildChildren(record, parent, tab, into, expandBody);
  };
  const expandBody = (body: CNode) => (): CNode | null => {
    const at = ahead.get(body.start);
    if (recorded && at !== undefined) {
      bodyCounts.ahead++;
      return build(recorded.subarray(at + 2, at + 2 + recorded[at + 1]!), body, noErrors);
    }
    const fn = body.parent!;
    bodyCounts.parsed++;
    const range = {
      startIndex: fn.start,
      endIndex: fn.end,
      startPosition: { row: fn.startRow, column: fn.startCol },
      endPosition: { row: fn.endRow, column: fn.endCol },
    };
    let part = ctx.parser.parse(text, null, { includedRanges: [range] });
    if (!part) return null;
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
      if (!n) return null;
      // A body in the top-level parse had its errors collected there; one left out has them now.
      if (skipped.has(body.start)) {
        collectErrors(n, (e) => {
          foundErrors.push(e.startIndex, e.endIndex);
          const node = new CNode(codeOf(ERROR_TYPE_ID, 0, true, false), e.startIndex, e.endIndex);
          lineIndexes.set(node, lines);
          errors.splice(insertionPoint(errors, node.start), 0, node);
        });
      }
      const out = new IntList();
      const at = out.push4(n.typeId, n.startIndex, n.endIndex, 0);
      const cursor = n.walk();
      const walk = walkOf(ctx, cursor);
      try {
        recordChildren(walk, at, body.type, out, tab);
        const record = out.done();
        parsedHere.push([body.start, record]);
        return build(record, body, noErrors);
      } finally {
        walk.finish();
        cursor.delete();
      }
    } finally {
      part.delete();
    }
  };
  for (let i = 0; i < top.errors.length; i += 2) {
    const e = new CNode(codeOf(ERROR_TYPE_ID, 0, true, false), top.errors[i]!, top.errors[i + 1]!);
    lineIndexes.set(e, lines);
    errors.push(e);
  }
  const n = top.nodes;
  const root = new CNode(codeOf(n[0]! & 0xffff, 0, true, false), n[1]!, n[2]!);
  lineIndexes.set(root, lines);
  build(n, root, errors);
  errors.sort((a, b) => a.start - b.start);
  // The mirror holds on to its top-level record for this: ~0.3 bytes a source byte, against ~6
  // for the mirror itself.
  const records = (): TopLevel => ({
    ...top,
    ...(parsedHere.length ? { bodies: withBodies(recorded, parsedHere) } : {}),
    ...(foundErrors.length ? { errors: withErrors(top.errors, foundErrors) } : {}),
  });
  return { root, errors, dispose() {}, records, nodes: () => mirrored };
}

/** Where a node starting at `start` goes in `nodes`, kept in order of their starts. */
function insertionPoint(nodes: CNode[], start: number): number {
  let lo = 0;
  let hi = nodes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (nodes[mid]!.start <= start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A TopLevel's error spans with `more` added (in any order; mirrorTop sorts them). */
function withErrors(errors: Int32Array<ArrayBuffer>, more: number[]): Int32Array<ArrayBuffer> {
  const out = new Int32Array(errors.length + more.length);
  out.set(errors);
  out.set(more, errors.length);
  return out;
}

/** `bodies` (a TopLevel's, or none) with more body records appended, in the same layout. */
function withBodies(bodies: Int32Array<ArrayBuffer> | undefined, more: ReadonlyArray<[number, Int32Array]>): Int32Array<ArrayBuffer> {
  let length = bodies?.length ?? 0;
  for (const [, record] of more) length += 2 + record.length;
  const out = new Int32Array(length);
  if (bodies) out.set(bodies);
  let at = bodies?.length ?? 0;
  for (const [start, record] of more) {
    out[at] = start;
    out[at + 1] = record.length;
    out.set(record, at + 2);
    at += 2 + record.length;
  }
  return out;
}

/**
 * Every ERROR node under `root` (nested ones too, in document order, as descendantsOfType gives
 * them), visiting only subtrees that hold an error: a whole-tree walk cost ~5 % of a real-tree
 * run. Iterative: libtomcrypt's ltc_ecc_fp_mulmod.c nests errors deep enough to overflow the
 * JS stack, which lost every site in such a file.
 */
function collectErrors(root: TsNode, found: (e: TsNode) => void): void {
  const stack: TsNode[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (!node.hasError) continue;
    // The root itself is an ERROR when the file's top level does not parse.
    if (node.type === 'ERROR') found(node);
    for (let i = node.childCount - 1; i >= 0; i--) {
      const c = node.child(i);
      if (c) stack.push(c);
    }
  }
}

/**
 * Mirrors a recorded subtree's children under `top` (`nodes[0..3]` is the subtree's own node,
 * already `top`), linked as first child and next sibling; gives the first child.
 */
function buildChildren(
  nodes: Int32Array,
  top: CNode,
  tab: Tables,
  errors: CNode[],
  lazyBody: (body: CNode) => () => CNode | null,
): CNode | null {
  top.first = null;
  // Per open level: its node, its last child built, and how many of its children are still to come.
  const parents: CNode[] = [top];
  const last: Array<CNode | null> = [null];
  const left: number[] = [nodes[3]!];
  for (let i = 4; i < nodes.length; i += 4) {
    const typeId = nodes[i]! & 0xffff;
    const fieldId = nodes[i]! >>> 16;
    const start = nodes[i + 1]!;
    const end = nodes[i + 2]!;
    const count = nodes[i + 3]!;
    const type = tab.types[typeId] ?? 'ERROR';
    const field = fieldId ? (tab.fields[fieldId] ?? null) : null;
    const missing = start === end && type !== 'translation_unit';
    let level = parents.length - 1;
    const parent = parents[level]!;
    const node = new CNode(codeOf(typeId, fieldId, tab.named[typeId] ?? false, missing), start, end);
    node.parent = parent;
    const prev = last[level];
    if (prev) prev.next = node;
    else parent.first = node;
    last[level] = node;
    left[level]!--;
    if (missing) errors.push(node);
    if (field === 'body' && parent.type === 'function_definition' && type === 'compound_statement') {
      node.expand = lazyBody(node);
    } else if (count > 0) {
      parents.push(node);
      last.push(null);
      left.push(count);
      level++;
    }
    // Close every level whose children are all built.
    while (level > 0 && left[level] === 0) {
      parents.pop();
      last.pop();
      left.pop();
      level--;
    }
  }
  return top.first;
}
