// Small syntax questions the tracker asks: enclosing functions, what `this` refers to, property
// paths (`this.a.b`) as handles, assignment targets.
import ts from './tsc.cjs';
import { netValues } from './imports.js';
import type { TsFile } from './parse.js';
import { isFunctionScope, skipParens, type Binding } from './scope.js';
import type { TrackContext } from './track.js';
import { forEachDescendant } from './walk.js';

export function enclosingFunction(n: ts.Node): ts.SignatureDeclaration | undefined {
  for (let p = n.parent; p; p = p.parent) if (isFunctionScope(p)) return p;
  return undefined;
}

/** A function written inline as an argument of a call (a callback or promise executor). */
export function isCallbackArgument(fn: ts.Node): boolean {
  let cur = fn;
  while (ts.isParenthesizedExpression(cur.parent)) cur = cur.parent;
  const p = cur.parent;
  return (ts.isCallExpression(p) || ts.isNewExpression(p)) && !!p.arguments?.includes(cur as ts.Expression);
}

/** For `{ socket: x }` passed to tls.connect(): that call. */
export function tlsWrapperOf(file: TsFile, prop: ts.PropertyAssignment | ts.ShorthandPropertyAssignment): ts.CallExpression | undefined {
  if (prop.name.getText(file.sf) !== 'socket') return undefined;
  let obj: ts.Node = prop.parent;
  while (ts.isParenthesizedExpression(obj.parent)) obj = obj.parent;
  const call = obj.parent;
  if (!ts.isCallExpression(call) || !call.arguments.includes(obj as ts.Expression)) return undefined;
  return netValues(file, call.expression).some((v) => v.kind === 'member' && v.mod === 'tls' && v.member === 'connect') ? call : undefined;
}

/** The function a `resolve(x)` belongs to: skips promise executors and other inline callbacks. */
export function namedEnclosingFunction(n: ts.Node): ts.SignatureDeclaration | undefined {
  for (let p = n.parent; p; p = p.parent) {
    if (!isFunctionScope(p)) continue;
    const parent = p.parent;
    const isCallback = (ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(p as unknown as ts.Expression);
    if (!isCallback) return p;
  }
  return undefined;
}

/** What `this` means at a node: the class, an object literal, or (ES5 code) the whole file. */
export function thisContainer(n: ts.Node): ts.Node {
  for (let p = n.parent; p; p = p.parent) {
    if (ts.isArrowFunction(p)) continue;
    if (ts.isClassLike(p)) return p;
    if (isFunctionScope(p)) {
      if (ts.isClassLike(p.parent) || ts.isObjectLiteralExpression(p.parent)) return p.parent;
      if (ts.isFunctionExpression(p) && (ts.isCallExpression(p.parent) || ts.isNewExpression(p.parent))) return p; // a callback: its own `this`
      return n.getSourceFile();
    }
    if (ts.isPropertyDeclaration(p) && ts.isClassLike(p.parent)) return p.parent;
  }
  return n.getSourceFile();
}

/** The nearest non-arrow function around a `this` (whose receiver it is). */
export function thisFunction(n: ts.Node): ts.Node | undefined {
  for (let p = n.parent; p; p = p.parent) if (isFunctionScope(p) && !ts.isArrowFunction(p)) return p;
  return undefined;
}

export interface PathKey {
  root: string;
  props: string[];
}

/** `this.a.b` → (the class of `this`, [a, b]); `obj.sock` → (obj's binding, [sock]). */
export function pathOf(file: TsFile, e: ts.Expression): PathKey | undefined {
  const props: string[] = [];
  let cur = skipParens(e);
  while (ts.isPropertyAccessExpression(cur)) {
    props.unshift(cur.name.text);
    cur = skipParens(cur.expression);
  }
  if (props.length === 0) return undefined;
  const cls = thisClassOf(file, cur);
  if (cls) return { root: `this@${cls.pos}`, props };
  if (ts.isIdentifier(cur)) {
    const b = file.scopes.bindingOf(cur);
    return { root: b ? `b@${b.id.pos}` : `g@${cur.text}`, props };
  }
  return undefined;
}

/**
 * The property accesses with the same path as `path` (`this.sock` in the same class, `c.sock` on
 * the same binding), in document order. Grouped once per file and last name: comparing every
 * `.sock` access with each socket stored in one took 18 s on a file of 2,000 such classes.
 */
export function accessesAtPath(ctx: TrackContext, file: TsFile, path: PathKey): ts.PropertyAccessExpression[] {
  const keyOf = (p: PathKey) => `${p.root}\0${p.props.join('.')}`;
  const last = path.props[path.props.length - 1]!;
  let byName = ctx.pathIndex.get(file);
  if (!byName) ctx.pathIndex.set(file, (byName = new Map()));
  let groups = byName.get(last);
  if (!groups) {
    groups = new Map();
    for (const pa of accessesNamed(ctx, file, last)) {
      const p = pathOf(file, pa);
      if (!p) continue;
      const k = keyOf(p);
      const list = groups.get(k);
      if (list) list.push(pa);
      else groups.set(k, [pa]);
    }
    byName.set(last, groups);
  }
  return groups.get(keyOf(path)) ?? [];
}

function accessesNamed(ctx: TrackContext, file: TsFile, name: string): ts.PropertyAccessExpression[] {
  let idx = ctx.accessIndex.get(file);
  if (!idx) {
    const m = new Map<string, ts.PropertyAccessExpression[]>();
    forEachDescendant(file.sf, (n) => {
      if (ts.isPropertyAccessExpression(n)) {
        const k = n.name.text;
        const list = m.get(k);
        if (list) list.push(n);
        else m.set(k, [n]);
      }
    });
    ctx.accessIndex.set(file, (idx = m));
  }
  return idx.get(name) ?? [];
}

export function isAssignmentTarget(e: ts.Expression): boolean {
  let cur: ts.Node = e;
  while (ts.isParenthesizedExpression(cur.parent)) cur = cur.parent;
  const p = cur.parent;
  return ts.isBinaryExpression(p) && p.left === cur && p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && p.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
}

export function isExported(b: Binding): boolean {
  const st = b.decl.parent?.parent;
  return !!st && ts.isVariableStatement(st) && !!ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

/** true / false / 'dynamic' for a keepalive switch value. */
/** For `this.x` / `self.x`: the class (or, for ES5 code, the file) that `this` belongs to. */
export function thisClassOf(file: TsFile, base: ts.Expression): ts.Node | undefined {
  if (base.kind === ts.SyntaxKind.ThisKeyword) return thisContainer(base);
  if (ts.isIdentifier(base)) {
    const b = file.scopes.bindingOf(base);
    const init = b && ts.isVariableDeclaration(b.decl) ? b.decl.initializer : undefined;
    if (init && init.kind === ts.SyntaxKind.ThisKeyword) return thisContainer(init);
  }
  return undefined;
}
