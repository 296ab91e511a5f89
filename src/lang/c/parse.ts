// C parsing with web-tree-sitter and the grammar wasm shipped in tree-sitter-c.
//
// Why wasm and not the native `tree-sitter` binding: native trees are freed only by GC
// finalizers, so a synchronous loop over thousands of files grows to gigabytes (DESIGN §4).
// Here each tree is copied into a small plain-JS mirror and deleted at once, so memory is
// bounded by the largest file, and the analysis works on ordinary objects (pure, fast).
import { createRequire } from 'node:module';
import { Language, Parser } from 'web-tree-sitter';

export interface CNode {
  type: string;
  named: boolean;
  /** The grammar field under which the parent holds this node (`function`, `arguments`…). */
  field: string | null;
  start: number;
  end: number;
  startRow: number;
  startCol: number;
  endRow: number;
  endCol: number;
  missing: boolean;
  children: CNode[];
  parent: CNode | null;
}

export interface ParsedC {
  root: CNode;
  /** ERROR and MISSING nodes, in document order. */
  errors: CNode[];
}

let parserPromise: Promise<Parser> | undefined;

/** Loads the grammar once per thread; every later call reuses the parser. */
export function loadCParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    await Parser.init();
    const require = createRequire(import.meta.url);
    const wasmPath = require.resolve('tree-sitter-c/tree-sitter-c.wasm');
    const language = await Language.load(wasmPath);
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return parserPromise;
}

/** Parses `text` into a plain mirror and frees the native tree before returning. */
export function parseCWith(parser: Parser, text: string): ParsedC {
  const tree = parser.parse(text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    return mirror(tree.walk());
  } finally {
    tree.delete();
  }
}

function mirror(cursor: ReturnType<NonNullable<ReturnType<Parser['parse']>>['walk']>): ParsedC {
  const errors: CNode[] = [];
  const make = (parent: CNode | null): CNode => {
    const sp = cursor.startPosition;
    const ep = cursor.endPosition;
    const node: CNode = {
      type: cursor.nodeType,
      named: cursor.nodeIsNamed,
      field: cursor.currentFieldName,
      start: cursor.startIndex,
      end: cursor.endIndex,
      startRow: sp.row,
      startCol: sp.column,
      endRow: ep.row,
      endCol: ep.column,
      missing: cursor.nodeIsMissing,
      children: [],
      parent,
    };
    if (node.type === 'ERROR' || node.missing) errors.push(node);
    return node;
  };
  const root = make(null);
  // Iterative walk: deeply nested macro soup must not overflow the JS stack.
  let current = root;
  if (cursor.gotoFirstChild()) {
    for (;;) {
      const node = make(current);
      current.children.push(node);
      if (cursor.gotoFirstChild()) {
        current = node;
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent() || current.parent === null) {
          cursor.delete();
          return { root, errors };
        }
        current = current.parent;
      }
    }
  }
  cursor.delete();
  return { root, errors };
}
