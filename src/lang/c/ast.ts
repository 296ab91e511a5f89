// Small, pure helpers over the CNode mirror. Everything here is syntax only.
import type { CNode } from './parse.js';

export function child(node: CNode, field: string): CNode | undefined {
  for (let c = node.firstChild; c; c = c.next) if (c.field === field) return c;
  return undefined;
}

export function namedChildren(node: CNode): CNode[] {
  const out: CNode[] = [];
  for (let c = node.firstChild; c; c = c.next) if (c.named && c.type !== 'comment') out.push(c);
  return out;
}

export function textOf(src: string, node: CNode): string {
  return src.slice(node.start, node.end);
}

/** Depth-first, document order. `enter` returning false skips the subtree. */
export function walk(node: CNode, enter: (n: CNode) => boolean | void): void {
  if (enter(node) === false) return;
  // The next siblings still to visit, of the nodes descended into.
  const after: CNode[] = [];
  let n = node.firstChild;
  while (n) {
    const first = enter(n) === false ? null : n.firstChild;
    if (first) {
      if (n.next) after.push(n.next);
      n = first;
    } else n = n.next ?? after.pop() ?? null;
  }
}

export function descendants(node: CNode, type: string | Set<string>): CNode[] {
  const out: CNode[] = [];
  const match = typeof type === 'string' ? (t: string) => t === type : (t: string) => type.has(t);
  walk(node, (n) => {
    if (match(n.type)) out.push(n);
  });
  return out;
}

/** A function body not mirrored yet: callers skip it unless its text can matter. */
export function isFunctionBody(n: CNode): boolean {
  return n.type === 'compound_statement' && n.field === 'body' && n.parent?.type === 'function_definition';
}

/** Whether `re` matches the source text of `n` (a cheap test before looking inside). */
export function textMatches(src: string, n: CNode, re: RegExp): boolean {
  re.lastIndex = 0;
  return re.test(src.slice(n.start, n.end));
}

export function ancestors(node: CNode): CNode[] {
  const out: CNode[] = [];
  for (let p = node.parent; p; p = p.parent) out.push(p);
  return out;
}

export function isWithin(node: CNode, outer: CNode): boolean {
  return node.start >= outer.start && node.end <= outer.end;
}

/** Strips parentheses and casts: `((struct sockaddr *)&sa)` → `&sa`. */
export function unwrap(node: CNode): CNode {
  let n = node;
  for (;;) {
    if (n.type === 'parenthesized_expression') {
      const inner = namedChildren(n)[0];
      if (!inner) return n;
      n = inner;
    } else if (n.type === 'cast_expression') {
      const value = child(n, 'value');
      if (!value) return n;
      n = value;
    } else {
      return n;
    }
  }
}

/**
 * The outermost expression that hands on `node`'s value unchanged: through parentheses, casts and
 * the arms of `?:` (`int fd = v6 ? socket(AF_INET6, …) : socket(AF_INET, …);`).
 */
export function valueCarrier(node: CNode): CNode {
  let n = node;
  for (let p = n.parent; p; p = n.parent) {
    if (p.type === 'parenthesized_expression' || p.type === 'cast_expression' || (p.type === 'conditional_expression' && n.field !== 'condition')) n = p;
    else break;
  }
  return n;
}

/** `&x` → x; anything else unchanged. */
export function addressee(node: CNode): CNode | undefined {
  const n = unwrap(node);
  if (n.type === 'pointer_expression' && n.firstChild?.type === '&') return child(n, 'argument');
  return undefined;
}

/** Normalized text of an lvalue-ish expression, used as the key of a tracked socket. */
export function keyOf(src: string, node: CNode): string {
  const memo = (node.memo ??= {});
  if (memo.key !== undefined) return memo.key;
  const text = textOf(src, unwrap(node));
  return (memo.key = (/\s/.test(text) ? text.replace(/\s+/g, '') : text).replace(/^\((.*)\)$/, '$1'));
}

export function callName(src: string, call: CNode): string {
  const memo = (call.memo ??= {});
  if (memo.name !== undefined) return memo.name;
  const fn = child(call, 'function');
  const t = fn ? textOf(src, unwrap(fn)) : '';
  return (memo.name = /\s/.test(t) ? t.replace(/\s+/g, '') : t);
}

export function callArgs(call: CNode): CNode[] {
  const memo = (call.memo ??= {});
  if (memo.args) return memo.args;
  const list = child(call, 'arguments');
  return (memo.args = list ? namedChildren(list) : []);
}

export function enclosing(node: CNode, types: Set<string> | string): CNode | undefined {
  const match = typeof types === 'string' ? (t: string) => t === types : (t: string) => types.has(t);
  for (let p = node.parent; p; p = p.parent) if (match(p.type)) return p;
  return undefined;
}

/** The function_definition's name, through pointer/parenthesized declarators. */
export function functionName(src: string, fn: CNode): string {
  const params = functionDeclarator(fn);
  const decl = params && child(params, 'declarator');
  return decl ? textOf(src, decl).replace(/\s+/g, '') : '';
}

export function functionDeclarator(fn: CNode): CNode | undefined {
  let d = child(fn, 'declarator');
  while (d && d.type !== 'function_declarator') d = child(d, 'declarator');
  return d;
}

/** Parameter names in order ('' for unnamed or `...`). */
export function parameterNames(src: string, fn: CNode): string[] {
  const fd = functionDeclarator(fn);
  const list = fd && child(fd, 'parameters');
  if (!list) return [];
  return namedChildren(list)
    .filter((p) => p.type === 'parameter_declaration' || p.type === 'variadic_parameter')
    .map((p) => (p.type === 'parameter_declaration' ? declaredName(src, p) : ''));
}

/** The identifier a declarator chain finally names: `*const *p[3]` → p. */
export function declaredName(src: string, node: CNode): string {
  let d: CNode | undefined = child(node, 'declarator') ?? node;
  while (d && d.type !== 'identifier' && d.type !== 'field_identifier') {
    const next: CNode | undefined = child(d, 'declarator') ?? namedChildren(d).find((c) => c.type.endsWith('declarator') || c.type === 'identifier');
    if (!next || next === d) break;
    d = next;
  }
  return d && (d.type === 'identifier' || d.type === 'field_identifier') ? textOf(src, d) : '';
}

/** The statement (direct child of a block) that contains `node`. */
export function statementOf(node: CNode): CNode | undefined {
  for (let n: CNode | null = node; n; n = n.parent) {
    const p = n.parent;
    if (!p) return undefined;
    if (isBlockLike(p)) return n;
  }
  return undefined;
}

export function isBlockLike(node: CNode): boolean {
  return (
    node.type === 'compound_statement' ||
    node.type === 'translation_unit' ||
    node.type === 'preproc_if' ||
    node.type === 'preproc_ifdef' ||
    node.type === 'preproc_else' ||
    node.type === 'preproc_elif' ||
    node.type === 'case_statement'
  );
}

/** True when the node sits under `#if 0` (dead code), directly or in its #else-less branch. */
export function isUnderIfZero(src: string, node: CNode): boolean {
  for (let n: CNode | null = node; n && n.parent; n = n.parent) {
    const p = n.parent;
    if (p.type === 'preproc_if' && n.field !== 'alternative' && n.field !== 'condition') {
      const cond = child(p, 'condition');
      if (cond && /^\s*0\s*$/.test(textOf(src, cond))) return true;
    }
  }
  return false;
}

/** The preprocessor conditions that guard `node`, outermost first (`defined(SO_KEEPALIVE)`, `!_WIN32`…). */
export function preprocGuards(src: string, node: CNode): string[] {
  const out: string[] = [];
  for (let n: CNode | null = node; n && n.parent; n = n.parent) {
    const p = n.parent;
    if (n.field === 'condition' || n.field === 'name') continue;
    if (p.type === 'preproc_ifdef') {
      const name = child(p, 'name');
      const neg = textOf(src, p).startsWith('#ifndef');
      const inElse = n.field === 'alternative';
      if (name) out.unshift(`${neg !== inElse ? '!' : ''}${textOf(src, name)}`);
    } else if (p.type === 'preproc_if' || p.type === 'preproc_elif') {
      const cond = child(p, 'condition');
      if (cond) out.unshift(n.field === 'alternative' ? `!(${textOf(src, cond)})` : textOf(src, cond));
    }
  }
  return out;
}

export function lineCol(node: CNode): { line: number; column: number; endLine: number; endColumn: number } {
  return { line: node.startRow + 1, column: node.startCol + 1, endLine: node.endRow + 1, endColumn: node.endCol + 1 };
}
