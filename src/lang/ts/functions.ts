// Resolving functions without a type checker: what a callee, a listener or a helper refers to
// (inline, local, `this.method`, `.bind`, imported from a project module, ES5 prototype
// methods), what a module exports, and where a function is called from across the project.
import ts from './tsc.cjs';
import { destructuredFrom, importOf, requiredSpecifier } from './imports.js';
import type { TsFile } from './parse.js';
import { isFunctionScope, skipParens, type Binding } from './scope.js';
import { thisClassOf } from './syntax.js';
import type { TrackContext } from './track.js';
import { forEachDescendant } from './walk.js';

/** The parameter that receives argument `index` (a TypeScript `this` parameter takes no argument). */
export function paramAt(fn: ts.SignatureDeclaration, index: number): ts.ParameterDeclaration | undefined {
  const first = fn.parameters[0];
  const skip = first && ts.isIdentifier(first.name) && first.name.text === 'this' ? 1 : 0;
  return fn.parameters[index + skip];
}

export interface FunctionRef {
  file: TsFile;
  fn: ts.SignatureDeclaration;
}

export function isFunctionExpr(e: ts.Expression): boolean {
  const x = skipParens(e);
  return ts.isFunctionExpression(x) || ts.isArrowFunction(x);
}

/** A function value: inline, a local function, `this.method`, `x.bind(this)`, or an import. */
export function functionOf(file: TsFile, e: ts.Expression, ctx?: TrackContext, depth = 0): FunctionRef | undefined {
  const x = skipParens(e);
  if (depth > 4) return undefined;
  if (ts.isFunctionExpression(x) || ts.isArrowFunction(x)) return { file, fn: x };
  if (ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression) && x.expression.name.text === 'bind') {
    return functionOf(file, x.expression.expression, ctx, depth + 1);
  }
  if (ts.isIdentifier(x)) {
    const b = file.scopes.bindingOf(x);
    if (!b) return undefined;
    if (ts.isFunctionDeclaration(b.decl) && b.decl.body) return { file, fn: b.decl };
    if (ts.isVariableDeclaration(b.decl) && b.decl.initializer && b.writes.length === 0) return functionOf(file, b.decl.initializer, ctx, depth + 1);
    if (ctx) return importedFunction(ctx, file, b);
    return undefined;
  }
  if (ts.isPropertyAccessExpression(x)) {
    const base = skipParens(x.expression);
    const cls = thisClassOf(file, base);
    if (cls) {
      const m = memberFunction(cls, x.name.text);
      if (m) return { file, fn: m };
    }
    if (ctx && ts.isIdentifier(base)) {
      const b = file.scopes.bindingOf(base);
      const mod = b && moduleFileOf(ctx, file, b);
      if (mod) return exportedFunction(ctx, mod, x.name.text);
    }
  }
  return undefined;
}

/** The functions a call may run, for handing the socket to it. */
export function calleeFunctions(ctx: TrackContext, file: TsFile, call: ts.CallExpression | ts.NewExpression): FunctionRef[] {
  const callee = skipParens(call.expression);
  if (ts.isNewExpression(call)) {
    const cls = classOf(ctx, file, callee);
    if (!cls) return [];
    const ctor = cls.node.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body);
    return ctor ? [{ file: cls.file, fn: ctor }] : [];
  }
  const f = functionOf(file, callee, ctx);
  return f && (f.fn as ts.FunctionLikeDeclaration).body ? [f] : [];
}

function classOf(ctx: TrackContext, file: TsFile, e: ts.Expression): { file: TsFile; node: ts.ClassLikeDeclaration } | undefined {
  if (!ts.isIdentifier(e)) return undefined;
  const b = file.scopes.bindingOf(e);
  if (!b) return undefined;
  if (ts.isClassDeclaration(b.decl)) return { file, node: b.decl };
  if (ts.isVariableDeclaration(b.decl) && b.decl.initializer && ts.isClassExpression(skipParens(b.decl.initializer))) {
    return { file, node: skipParens(b.decl.initializer) as ts.ClassExpression };
  }
  const imp = importedDecl(ctx, file, b);
  if (imp && ts.isClassLike(imp.node)) return { file: imp.file, node: imp.node };
  return undefined;
}

function memberFunction(cls: ts.Node, name: string): ts.SignatureDeclaration | undefined {
  if (ts.isClassLike(cls)) {
    for (const m of cls.members) {
      if (!m.name || !ts.isIdentifier(m.name) || m.name.text !== name) continue;
      if (ts.isMethodDeclaration(m) && m.body) return m;
      if (ts.isPropertyDeclaration(m) && m.initializer && isFunctionExpr(m.initializer)) return skipParens(m.initializer) as ts.ArrowFunction;
    }
    return undefined;
  }
  if (ts.isSourceFile(cls)) {
    // ES5 classes: Foo.prototype.name = function () {}.
    let found: ts.SignatureDeclaration | undefined;
    forEachDescendant(cls, (n) => {
      if (found) return false;
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left) && n.left.name.text === name && /\.prototype$/.test(n.left.expression.getText(cls)) && isFunctionExpr(n.right)) {
        found = skipParens(n.right) as ts.FunctionExpression;
      }
    });
    return found;
  }
  return undefined;
}


/** The project file a binding imports as a whole module (`import * as x`, `const x = require('./x')`). */
function moduleFileOf(ctx: TrackContext, file: TsFile, b: Binding): string | undefined {
  const imp = importOf(b);
  if (imp && (imp.name === '*' || imp.name === 'default')) return ctx.project.resolve(file.file, imp.spec);
  if (ts.isVariableDeclaration(b.decl) && b.decl.initializer) {
    const spec = requiredSpecifier(file, b.decl.initializer);
    if (spec) return ctx.project.resolve(file.file, spec);
  }
  return undefined;
}

/** The declaration an imported (or destructured-required) binding names in another project file. */
function importedDecl(ctx: TrackContext, file: TsFile, b: Binding): { file: TsFile; node: ts.Node } | undefined {
  let spec: string | undefined;
  let name: string | undefined;
  const imp = importOf(b);
  if (imp) {
    spec = imp.spec;
    name = imp.name;
  } else if (ts.isBindingElement(b.decl)) {
    const src = destructuredFrom(b.decl);
    if (src && src.path.length === 1) {
      spec = requiredSpecifier(file, src.init);
      if (!spec && ts.isIdentifier(skipParens(src.init))) {
        // const stream = require('./stream'); const { getStream } = stream
        const ob = file.scopes.bindingOf(skipParens(src.init) as ts.Identifier);
        const init = ob && ts.isVariableDeclaration(ob.decl) ? ob.decl.initializer : undefined;
        spec = init ? requiredSpecifier(file, init) : undefined;
      }
      name = src.path[0];
    }
  } else if (ts.isVariableDeclaration(b.decl) && b.decl.initializer) {
    // const helper = require('./helper') (module.exports = function …)
    spec = requiredSpecifier(file, b.decl.initializer);
    name = 'default';
  }
  if (!spec || !name || name === '*') return undefined;
  const target = ctx.project.resolve(file.file, spec);
  if (!target) return undefined;
  const tf = ctx.project.file(target);
  if (!tf) return undefined;
  const node = exportedDecl(tf, name);
  return node ? { file: tf, node } : undefined;
}

function importedFunction(ctx: TrackContext, file: TsFile, b: Binding): FunctionRef | undefined {
  const d = importedDecl(ctx, file, b);
  if (!d) return undefined;
  return asFunction(d.file, d.node);
}

function exportedFunction(ctx: TrackContext, target: string, name: string): FunctionRef | undefined {
  const tf = ctx.project.file(target);
  const node = tf && exportedDecl(tf, name);
  return tf && node ? asFunction(tf, node) : undefined;
}

function asFunction(file: TsFile, node: ts.Node): FunctionRef | undefined {
  if (isFunctionScope(node) && (node as ts.FunctionLikeDeclaration).body) return { file, fn: node };
  if (ts.isVariableDeclaration(node) && node.initializer) return functionOf(file, node.initializer);
  if (ts.isIdentifier(node)) {
    const b = file.scopes.bindingOf(node);
    return b ? asFunction(file, b.decl) : undefined;
  }
  if (ts.isExpression(node) && isFunctionExpr(node)) return { file, fn: skipParens(node) as ts.FunctionExpression };
  return undefined;
}

/**
 * The declaration a module exports under `name` ('default' for the default / module.exports):
 * ESM exports, `exports.x =`, `module.exports.x =`, `module.exports = { x }`, `module.exports = x`.
 */
export function exportedDecl(file: TsFile, name: string): ts.Node | undefined {
  for (const st of file.sf.statements) {
    const exported = ts.canHaveModifiers(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    const isDefault = ts.canHaveModifiers(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
    if (exported && (ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st))) {
      if ((isDefault && name === 'default') || st.name?.text === name) return st;
    }
    if (exported && ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === name) return d;
    }
    if (ts.isExportAssignment(st) && name === 'default') return localDecl(file, st.expression);
    if (ts.isExportDeclaration(st) && !st.moduleSpecifier && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const s of st.exportClause.elements) if (s.name.text === name) return localDecl(file, s.propertyName ?? s.name);
    }
    if (ts.isExpressionStatement(st) && ts.isBinaryExpression(st.expression) && st.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = st.expression.left.getText(file.sf);
      const right = st.expression.right;
      if (left === `exports.${name}` || left === `module.exports.${name}`) return localDecl(file, right);
      if (left === 'module.exports') {
        const r = skipParens(right);
        if (name === 'default') return localDecl(file, r);
        if (ts.isObjectLiteralExpression(r)) {
          for (const p of r.properties) {
            if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) return localDecl(file, p.name);
            if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === name) return localDecl(file, p.initializer);
            if (ts.isMethodDeclaration(p) && ts.isIdentifier(p.name) && p.name.text === name) return p;
          }
        }
      }
    }
  }
  return undefined;
}

function localDecl(file: TsFile, e: ts.Expression): ts.Node {
  const x = skipParens(e);
  if (ts.isIdentifier(x)) {
    const b = file.scopes.bindingOf(x);
    if (b) {
      if (ts.isVariableDeclaration(b.decl) && b.decl.initializer) return skipParens(b.decl.initializer);
      if (ts.isBindingElement(b.decl)) {
        // const { getStream } = makeFuncs(): the function of that name in the file.
        const fn = findFunctionNamed(file, b.name);
        if (fn) return fn;
      }
      return b.decl;
    }
  }
  return x;
}

function findFunctionNamed(file: TsFile, name: string): ts.Node | undefined {
  let found: ts.Node | undefined;
  forEachDescendant(file.sf, (n) => {
    if (found) return false;
    if (ts.isFunctionDeclaration(n) && n.name?.text === name && n.body) {
      found = n;
      return false;
    }
  });
  return found;
}

// ---- callers of a function ----------------------------------------------------------------

/** The name callers use for a function: its own, its variable's, its property's or method's. */
export function functionName(fn: ts.SignatureDeclaration): string | undefined {
  if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn) || ts.isFunctionExpression(fn)) && fn.name && ts.isIdentifier(fn.name)) return fn.name.text;
  const p = fn.parent;
  if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p)) && ts.isIdentifier(p.name)) return p.name.text;
  if (ts.isBinaryExpression(p) && ts.isPropertyAccessExpression(p.left)) return p.left.name.text;
  return undefined;
}

function isMethodLike(fn: ts.SignatureDeclaration): boolean {
  const p = fn.parent;
  return ts.isMethodDeclaration(fn) || ts.isPropertyDeclaration(p) || ts.isPropertyAssignment(p) || (ts.isBinaryExpression(p) && ts.isPropertyAccessExpression(p.left));
}

type CallerCandidate = ts.CallExpression | ts.ImportSpecifier;

const candidatesByFile = new WeakMap<TsFile, Map<string, CallerCandidate[]>>();

/**
 * The nodes of a file that callersOf may match for `name`, in document order: calls whose callee
 * is `name(…)`, `x.name(…)`, or a local name bound to an import of `name`, and the import
 * specifiers of `name`. Indexed in one walk per file: walking the whole file again for every
 * socket factory took 54 s on a file with 3,000 of them.
 */
function callerCandidates(f: TsFile, name: string): readonly CallerCandidate[] {
  let index = candidatesByFile.get(f);
  if (!index) {
    const byName = new Map<string, CallerCandidate[]>();
    const add = (key: string, n: CallerCandidate) => {
      const list = byName.get(key);
      if (!list) byName.set(key, [n]);
      else if (list[list.length - 1] !== n) list.push(n);
    };
    forEachDescendant(f.sf, (n) => {
      if (ts.isImportSpecifier(n)) add((n.propertyName ?? n.name).text, n);
      else if (ts.isCallExpression(n)) {
        const c = skipParens(n.expression);
        if (ts.isIdentifier(c)) {
          add(c.text, n);
          const b = f.scopes.bindingOf(c);
          const imp = b && importOf(b);
          if (imp) add(imp.name, n);
        } else if (ts.isPropertyAccessExpression(c)) add(c.name.text, n);
      }
    });
    candidatesByFile.set(f, (index = byName));
  }
  return index.get(name) ?? [];
}

/**
 * Calls of a function in its file and in project files that import it (through re-exports too),
 * handed to `visit` file by file, in the order of the files and of the calls in each; `visit`
 * returns false to stop. Returns how many were visited. A file's calls are visited before the
 * next file is parsed, so that the analysis holds one caller's tree at a time, not all of them:
 * listed first, the 2,000 callers of a factory held 2,000 trees at once (a worker ran out of
 * memory on 20 such factories).
 */
export function forEachCaller(ctx: TrackContext, file: TsFile, fn: ts.SignatureDeclaration, name: string, visit: (file: TsFile, node: ts.CallExpression) => boolean | void): number {
  let count = 0;
  let stopped = false;
  // One file's calls, visited once the file is scanned.
  const out: Array<{ file: TsFile; node: ts.CallExpression }> = [];
  const flush = () => {
    for (const c of out) {
      if (stopped) break;
      count++;
      if (visit(c.file, c.node) === false) stopped = true;
    }
    out.length = 0;
  };
  const methodLike = isMethodLike(fn);
  const own = ts.isFunctionDeclaration(fn) && fn.name ? file.scopes.bindingOfDecl(fn) : ts.isVariableDeclaration(fn.parent) ? file.scopes.bindingOfDecl(fn.parent) : undefined;
  const exported = isExportedFunction(file, fn, name);
  const scan = (f: TsFile, sameFile: boolean) => {
    // const connect = custom || (parallel ? connectInParallel : connectInSequence); connect(…)
    const viaAlias = (id: ts.Identifier): void => {
      const b = sameFile ? own : f.scopes.bindingOf(id);
      if (!b || (!sameFile && !(importOf(b) || ts.isBindingElement(b.decl)))) return;
      for (const r of b.refs) {
        let cur: ts.Node = r;
        while (ts.isParenthesizedExpression(cur.parent) || (ts.isConditionalExpression(cur.parent) && cur.parent.condition !== cur) || (ts.isBinaryExpression(cur.parent) && /^(\|\||\?\?)$/.test(cur.parent.operatorToken.getText(f.sf)))) cur = cur.parent;
        if (cur === r || !ts.isVariableDeclaration(cur.parent) || !ts.isIdentifier(cur.parent.name)) continue;
        const alias = f.scopes.bindingOfDecl(cur.parent);
        for (const ar of alias?.refs ?? []) {
          const call = ar.parent;
          if (ts.isCallExpression(call) && skipParens(call.expression) === ar) out.push({ file: f, node: call });
        }
      }
    };
    if (sameFile && own) viaAlias(own.id);
    for (const n of callerCandidates(f, name)) {
      if (!sameFile && ts.isImportSpecifier(n) && (n.propertyName ?? n.name).text === name) viaAlias(n.name);
      if (ts.isCallExpression(n) && !isInside(n, fn)) {
        const c = skipParens(n.expression);
        if (ts.isIdentifier(c) && c.text === name) {
          const b = f.scopes.bindingOf(c);
          if (sameFile ? b && b === own : b && (importOf(b) || ts.isBindingElement(b.decl) || (ts.isVariableDeclaration(b.decl) && b.decl.initializer && requiredSpecifier(f, b.decl.initializer)))) out.push({ file: f, node: n });
        } else if (ts.isIdentifier(c) && !sameFile) {
          const b = f.scopes.bindingOf(c);
          const imp = b && importOf(b);
          if (imp && imp.name === name) out.push({ file: f, node: n });
        } else if (ts.isPropertyAccessExpression(c) && c.name.text === name && (methodLike || exported || !sameFile)) {
          out.push({ file: f, node: n });
        }
      }
    }
  };
  scan(file, true);
  flush();
  if (exported || methodLike) {
    for (const other of ctx.project.importersOf(file.file)) {
      if (stopped) break;
      if (!ctx.project.scans.get(other)?.names.includes(name)) continue;
      const f = ctx.project.file(other);
      if (f) scan(f, false);
      flush();
    }
  }
  return count;
}

function isExportedFunction(file: TsFile, fn: ts.SignatureDeclaration, name: string): boolean {
  if (ts.canHaveModifiers(fn) && ts.getModifiers(fn)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return true;
  const st = fn.parent?.parent?.parent;
  if (st && ts.isVariableStatement(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return true;
  return exportedByName(file.text, name);
}

/**
 * Whether the text exports `name` by name somewhere (export { f }, module.exports = { f },
 * exports.f = f): a cheap textual test. It is what
 * /\bexports\b[\s\S]*(?<![\w$])NAME(?![\w$])|export\s*\{[^}]*(?<![\w$])NAME(?![\w$])|export\s+default\s+NAME(?![\w$])/
 * matches, with the first branch searched once, from the first `exports`. As one regex it read
 * on to the end of the text from every `exports`: a CommonJS file with 20,000 `exports.x = x`
 * and the name only before them took 23 s (test/ts-sites.test.ts compares the two on random
 * texts).
 */
export function exportedByName(text: string, name: string): boolean {
  const n = name.replace(/\$/g, '\\$');
  // The name anywhere after the first `exports`: from a later one it could only be found later.
  const first = /\bexports\b/.exec(text);
  if (first) {
    const after = new RegExp(`(?<![\\w$])${n}(?![\\w$])`, 'g');
    after.lastIndex = first.index + 'exports'.length;
    if (after.test(text)) return true;
  }
  return new RegExp(`export\\s*\\{[^}]*(?<![\\w$])${n}(?![\\w$])|export\\s+default\\s+${n}(?![\\w$])`).test(text);
}

function isInside(n: ts.Node, outer: ts.Node): boolean {
  for (let p: ts.Node | undefined = n; p; p = p.parent) if (p === outer) return true;
  return false;
}
