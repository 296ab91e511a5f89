// What an expression is in terms of the `net`/`tls` modules: the module itself, or one of its
// socket-making members, however it was imported (require, node: prefix, default, namespace,
// named or aliased import, destructuring, `require('net').Socket`, `.bind`, a conditional alias).
import ts from './tsc.cjs';
import type { TsFile } from './parse.js';
import type { Binding } from './scope.js';
import { skipParens } from './scope.js';

export type Mod = 'net' | 'tls';

export type NetValue =
  | { kind: 'module'; mod: Mod }
  | {
      kind: 'member';
      mod: Mod;
      member: string;
      /** Where the member was named when that is an alias other than an import form (the site's anchor). */
      via?: ts.Expression;
    };

/** The members that make sockets, and the API name each site is reported under. */
export const SITE_MEMBERS: Record<Mod, Record<string, { api: string; kind: SiteKind }>> = {
  net: {
    connect: { api: 'net.connect', kind: 'connect' },
    createConnection: { api: 'net.createConnection', kind: 'connect' },
    Socket: { api: 'new net.Socket', kind: 'socket' },
    Stream: { api: 'new net.Stream', kind: 'socket' },
    createServer: { api: 'net.createServer', kind: 'server' },
    Server: { api: 'new net.Server', kind: 'server' },
  },
  tls: {
    connect: { api: 'tls.connect', kind: 'connect' },
    TLSSocket: { api: 'new tls.TLSSocket', kind: 'tlssocket' },
    createServer: { api: 'tls.createServer', kind: 'server' },
    Server: { api: 'new tls.Server', kind: 'server' },
  },
};

export type SiteKind = 'connect' | 'socket' | 'tlssocket' | 'server';

export function moduleOfSpecifier(spec: string): Mod | undefined {
  const m = /^(?:node:)?(net|tls)$/.exec(spec);
  return m ? (m[1] as Mod) : undefined;
}

/** `require('x')` (with `require` global or made by createRequire): the specifier. */
export function requiredSpecifier(file: TsFile, e: ts.Expression): string | undefined {
  e = skipParens(e);
  if (!ts.isCallExpression(e) || e.arguments.length < 1) return undefined;
  const arg = e.arguments[0]!;
  if (!ts.isStringLiteralLike(arg)) return undefined;
  const callee = skipParens(e.expression);
  if (callee.kind === ts.SyntaxKind.ImportKeyword) return arg.text; // import('net')
  if (!ts.isIdentifier(callee) || callee.text !== 'require') return undefined;
  const b = file.scopes.bindingOf(callee);
  if (!b) return arg.text;
  // const require = createRequire(import.meta.url)
  const init = ts.isVariableDeclaration(b.decl) ? b.decl.initializer : undefined;
  return init && ts.isCallExpression(init) && /createRequire$/.test(init.expression.getText(file.sf)) ? arg.text : undefined;
}

/** The module specifier an import binding comes from, and the imported name ('*' for the namespace). */
export function importOf(b: Binding): { spec: string; name: string } | undefined {
  const d = b.decl;
  if (ts.isImportClause(d) && ts.isStringLiteral(d.parent.moduleSpecifier)) return { spec: d.parent.moduleSpecifier.text, name: 'default' };
  if (ts.isNamespaceImport(d) && ts.isStringLiteral(d.parent.parent.moduleSpecifier)) return { spec: d.parent.parent.moduleSpecifier.text, name: '*' };
  if (ts.isImportSpecifier(d) && ts.isStringLiteral(d.parent.parent.parent.moduleSpecifier)) {
    return { spec: d.parent.parent.parent.moduleSpecifier.text, name: (d.propertyName ?? d.name).text };
  }
  if (ts.isImportEqualsDeclaration(d) && ts.isExternalModuleReference(d.moduleReference) && ts.isStringLiteral(d.moduleReference.expression)) {
    return { spec: d.moduleReference.expression.text, name: '*' };
  }
  return undefined;
}

/** For a destructured binding: the root initializer and the property path (`{ a: { b } } = x` → x, [a, b]). */
export function destructuredFrom(el: ts.BindingElement): { init: ts.Expression; path: string[] } | undefined {
  const path: string[] = [];
  let cur: ts.Node = el;
  while (ts.isBindingElement(cur)) {
    const pattern: ts.Node = cur.parent;
    if (!ts.isObjectBindingPattern(pattern)) return undefined;
    const key = cur.propertyName ?? cur.name;
    if (ts.isIdentifier(key) || ts.isStringLiteral(key)) path.unshift(key.text);
    else return undefined;
    cur = pattern.parent;
  }
  if (ts.isVariableDeclaration(cur) && cur.initializer) return { init: cur.initializer, path };
  return undefined;
}

const INTEROP = /^(__importDefault|__importStar|_interopRequireDefault|_interopRequireWildcard|__toESM)$/;

/** What `expr` is in terms of net/tls; [] when it is neither (or cannot be known). */
export function netValues(file: TsFile, expr: ts.Expression, depth = 0): NetValue[] {
  if (depth > 8) return [];
  const e = skipParens(expr);
  const spec = requiredSpecifier(file, e);
  if (spec !== undefined) {
    const mod = moduleOfSpecifier(spec);
    return mod ? [{ kind: 'module', mod }] : [];
  }
  if (ts.isAwaitExpression(e)) return netValues(file, e.expression, depth + 1);
  if (ts.isIdentifier(e)) return identifierValues(file, e, depth);
  if (ts.isPropertyAccessExpression(e) || (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression))) {
    const name = ts.isPropertyAccessExpression(e) ? e.name.text : (e.argumentExpression as ts.StringLiteralLike).text;
    const out: NetValue[] = [];
    for (const v of netValues(file, e.expression, depth + 1)) {
      if (v.kind !== 'module') continue;
      if (name === 'default') out.push(v);
      else if (SITE_MEMBERS[v.mod][name]) out.push({ kind: 'member', mod: v.mod, member: name, via: e });
    }
    return out;
  }
  if (ts.isConditionalExpression(e)) return [...netValues(file, e.whenTrue, depth + 1), ...netValues(file, e.whenFalse, depth + 1)];
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) {
      return [...netValues(file, e.left, depth + 1), ...netValues(file, e.right, depth + 1)];
    }
    if (op === ts.SyntaxKind.AmpersandAmpersandToken) return netValues(file, e.right, depth + 1);
    return [];
  }
  if (ts.isCallExpression(e)) {
    const callee = skipParens(e.expression);
    // tls.connect.bind(tls): the same function.
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'bind') {
      return netValues(file, callee.expression, depth + 1).filter((v) => v.kind === 'member');
    }
    // Compiled TypeScript/Babel: __importDefault(require('net')).
    if (ts.isIdentifier(callee) && INTEROP.test(callee.text) && e.arguments[0]) return netValues(file, e.arguments[0], depth + 1);
  }
  return [];
}

function identifierValues(file: TsFile, id: ts.Identifier, depth: number): NetValue[] {
  const b = file.scopes.bindingOf(id);
  if (!b) return [];
  const imp = importOf(b);
  if (imp) {
    const mod = moduleOfSpecifier(imp.spec);
    if (!mod) return [];
    if (imp.name === '*' || imp.name === 'default') return [{ kind: 'module', mod }];
    return SITE_MEMBERS[mod][imp.name] ? [{ kind: 'member', mod, member: imp.name }] : [];
  }
  const d = b.decl;
  const out: NetValue[] = [];
  if (ts.isVariableDeclaration(d) && ts.isIdentifier(d.name)) {
    if (d.initializer) {
      const init = skipParens(d.initializer);
      const vals = netValues(file, init, depth + 1);
      // `const Socket = require('net').Socket` is an import form: the site is where it is called.
      // A conditional or bound alias (`secure ? tls.connect : net.connect`) is anchored where it names the API.
      const importForm = b.writes.length === 0;
      for (const v of vals) out.push(v.kind === 'member' && importForm && v.via === init ? { kind: 'member', mod: v.mod, member: v.member } : v);
    }
  } else if (ts.isBindingElement(d)) {
    const src = destructuredFrom(d);
    if (src && src.path.length === 1) {
      for (const v of netValues(file, src.init, depth + 1)) {
        if (v.kind === 'module' && SITE_MEMBERS[v.mod][src.path[0]!]) out.push({ kind: 'member', mod: v.mod, member: src.path[0]! });
        if (v.kind === 'module' && src.path[0] === 'default') out.push(v);
      }
    }
  }
  for (const w of b.writes) out.push(...netValues(file, w, depth + 1));
  return out;
}
