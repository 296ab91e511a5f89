// Walking a web-tree-sitter tree for the records of parse.ts.
//
// web-tree-sitter keeps a cursor's state (four numbers) in JS and, around every call, writes it
// into a shared "transfer buffer" in wasm memory and reads it back, through Emscripten's generic
// setValue/getValue. Recording a tree makes six such calls per node; in CPU profiles of the real
// tree the marshalling alone was ~0.35 s of the analysis thread and ~0.5 s of the pre-parse helper.
//
// The wasm functions behind the cursor read the cursor from the transfer buffer and write it
// back there after a move. So a walk that makes only those calls can leave the cursor in the
// buffer the whole time and call them directly (DirectWalk): the state is written once at the
// start, read back once at the end, and around any call through web-tree-sitter's own API
// (`aside`), which uses the buffer too. This needs web-tree-sitter's Emscripten module, which
// Parser.init fills in when given one; `cursorAccess` checks that every function is there (the
// version is pinned) and otherwise the walk goes through the public API (PublicWalk).
// test/parse-c.test.ts checks that both walks record the same trees.
import type { TreeCursor } from 'web-tree-sitter';

/** The parts of web-tree-sitter's Emscripten module a direct walk uses. */
export interface CursorAccess {
  HEAP32: Int32Array;
  /** The transfer buffer's index in HEAP32. */
  buffer: number;
  firstChild(tree: number): number;
  nextSibling(tree: number): number;
  parent(tree: number): number;
  typeId(tree: number): number;
  fieldId(tree: number): number;
  start(tree: number): number;
  end(tree: number): number;
}

const EXPORTS = {
  firstChild: '_ts_tree_cursor_goto_first_child_wasm',
  nextSibling: '_ts_tree_cursor_goto_next_sibling_wasm',
  parent: '_ts_tree_cursor_goto_parent_wasm',
  typeId: '_ts_tree_cursor_current_node_type_id_wasm',
  fieldId: '_ts_tree_cursor_current_field_id_wasm',
  start: '_ts_tree_cursor_start_index_wasm',
  end: '_ts_tree_cursor_end_index_wasm',
} as const;

/**
 * The direct cursor functions of an initialised Emscripten module (the object given to
 * Parser.init), or undefined when anything is missing.
 */
export function cursorAccess(module: Record<string, unknown>): CursorAccess | undefined {
  const init = module['_ts_init'];
  if (typeof init !== 'function' || !(module['HEAP32'] instanceof Int32Array)) return undefined;
  const fns: Partial<Record<keyof typeof EXPORTS, (tree: number) => number>> = {};
  for (const [name, symbol] of Object.entries(EXPORTS) as [keyof typeof EXPORTS, string][]) {
    const f = module[symbol];
    if (typeof f !== 'function') return undefined;
    fns[name] = f as (tree: number) => number;
  }
  // ts_init only stores two version numbers in the buffer and returns its address.
  const address = (init as () => number)();
  if (typeof address !== 'number' || address <= 0 || address % 4 !== 0) return undefined;
  return {
    // HEAP32 is replaced when wasm memory grows: read it from the module each time.
    get HEAP32() {
      return module['HEAP32'] as Int32Array;
    },
    buffer: address >> 2,
    ...(fns as Omit<CursorAccess, 'HEAP32' | 'buffer'>),
  };
}

/** The moves and reads a recording walk makes, on the cursor's current node. */
export interface Walk {
  typeId(): number;
  fieldId(): number;
  start(): number;
  end(): number;
  firstChild(): boolean;
  nextSibling(): boolean;
  parent(): boolean;
  /** Runs `fn` with the TreeCursor up to date, for calls through web-tree-sitter's own API. */
  aside<T>(fn: (cursor: TreeCursor) => T): T;
  /** Leaves the TreeCursor up to date (before it is deleted or used again). */
  finish(): void;
}

/** Through web-tree-sitter's public TreeCursor API. */
export class PublicWalk implements Walk {
  constructor(private readonly cursor: TreeCursor) {}
  typeId(): number {
    return this.cursor.nodeTypeId;
  }
  fieldId(): number {
    return this.cursor.currentFieldId;
  }
  start(): number {
    return this.cursor.startIndex;
  }
  end(): number {
    return this.cursor.endIndex;
  }
  firstChild(): boolean {
    return this.cursor.gotoFirstChild();
  }
  nextSibling(): boolean {
    return this.cursor.gotoNextSibling();
  }
  parent(): boolean {
    return this.cursor.gotoParent();
  }
  aside<T>(fn: (cursor: TreeCursor) => T): T {
    return fn(this.cursor);
  }
  finish(): void {}
}

/** web-tree-sitter's own fields of a TreeCursor: its four numbers and its tree's address. */
interface CursorInternals {
  handles: number[];
  tree: { 0: number };
}

/** With the cursor kept in the transfer buffer (see the top of this file). */
export class DirectWalk implements Walk {
  private readonly handles: number[];
  private readonly tree: number;
  constructor(
    private readonly cursor: TreeCursor,
    private readonly x: CursorAccess,
  ) {
    const internals = cursor as unknown as CursorInternals;
    this.handles = internals.handles;
    this.tree = internals.tree[0];
    this.load();
  }
  private load(): void {
    const heap = this.x.HEAP32;
    const b = this.x.buffer;
    const h = this.handles;
    heap[b] = h[0]!;
    heap[b + 1] = h[1]!;
    heap[b + 2] = h[2]!;
    heap[b + 3] = h[3]!;
  }
  finish(): void {
    const heap = this.x.HEAP32;
    const b = this.x.buffer;
    const h = this.handles;
    h[0] = heap[b]!;
    h[1] = heap[b + 1]!;
    h[2] = heap[b + 2]!;
    h[3] = heap[b + 3]!;
  }
  typeId(): number {
    return this.x.typeId(this.tree);
  }
  fieldId(): number {
    return this.x.fieldId(this.tree);
  }
  start(): number {
    return this.x.start(this.tree);
  }
  end(): number {
    return this.x.end(this.tree);
  }
  firstChild(): boolean {
    return this.x.firstChild(this.tree) === 1;
  }
  nextSibling(): boolean {
    return this.x.nextSibling(this.tree) === 1;
  }
  parent(): boolean {
    return this.x.parent(this.tree) === 1;
  }
  aside<T>(fn: (cursor: TreeCursor) => T): T {
    this.finish();
    try {
      return fn(this.cursor);
    } finally {
      this.load();
    }
  }
}
