// Following one socket (or server) through the code: the variables and `this.x` fields that hold
// it, what is called on it, the helpers it is handed to, and — when a factory returns it or
// resolves a promise with it — what its callers do with it, across files of the project.
import ts from 'typescript';
import type { TsFile } from './parse.js';
import type { TsProject } from './project.js';
import { destructuredFrom, importOf, netValues, requiredSpecifier } from './imports.js';
import { isFunctionScope, skipParens, type Binding } from './scope.js';

export type KaKind = 'direct' | 'option' | 'wrapper' | 'conditional';

export interface KaEvidence {
  kind: KaKind;
  file: TsFile;
  node: ts.Node;
  why: string;
}

export interface Located<T extends ts.Node> {
  file: TsFile;
  node: T;
}

export interface Facts {
  evidence: KaEvidence[];
  /** setKeepAlive(false) / setKeepAlive() calls: not evidence, worth a note. */
  disabled: Located<ts.Node>[];
  /** `.connect(...)` calls on the socket (for `new net.Socket`). */
  connects: Located<ts.CallExpression>[];
  /** `.listen(...)` calls on the server; a forwarded listen (`listen.apply`) has node undefined. */
  listens: Array<{ file: TsFile; node: ts.CallExpression | undefined }>;
  /** 'connection' / 'secureConnection' handlers of a server. */
  connectionListeners: Located<ts.Expression>[];
  /** Where the socket goes that the analysis could not follow. */
  escapes: string[];
  /** Read, written, piped or handed on: used for more than a reachability probe. */
  talks: boolean;
  /** destroy()/end() called on it. */
  terminates: boolean;
  /** Expressions that hold it, in the order found (the first names the site). */
  handles: string[];
  notes: string[];
}

export function emptyFacts(): Facts {
  return { evidence: [], disabled: [], connects: [], listens: [], connectionListeners: [], escapes: [], talks: false, terminates: false, handles: [], notes: [] };
}

export interface TrackContext {
  project: TsProject;
  helpers: Set<string>;
  /** Facts about a function's parameter, per function node and parameter index. */
  paramMemo: WeakMap<ts.Node, Map<number, Facts | 'busy'>>;
  /** Property-access index per file: name → accesses. */
  accessIndex: WeakMap<TsFile, Map<string, ts.PropertyAccessExpression[]>>;
}

export function newContext(project: TsProject, helpers: string[]): TrackContext {
  return { project, helpers: new Set([...helpers, ...project.helpers]), paramMemo: new WeakMap(), accessIndex: new WeakMap() };
}

/** Methods of net.Socket / net.Server that return `this`, so a chain keeps the socket. */
const CHAINABLE = new Set([
  'on', 'once', 'addListener', 'prependListener', 'prependOnceListener', 'removeListener', 'removeAllListeners', 'off',
  'setKeepAlive', 'setNoDelay', 'setTimeout', 'setEncoding', 'connect', 'listen', 'ref', 'unref', 'pause', 'resume', 'setMaxListeners',
]);
const LISTEN_METHODS = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener']);
const TALK_METHODS = new Set(['write', 'pipe', 'read', 'cork', 'setEncoding', 'unshift', 'wrap']);
const END_METHODS = new Set(['destroy', 'end', 'destroySoon', 'resetAndDestroy']);
const CONNECTION_EVENTS = new Set(['connection', 'secureConnection']);
const MAX_DEPTH = 4;

type Port = { kind: 'return'; promise: boolean } | { kind: 'callback'; paramIndex: number; argIndex: number };

export class Tracker {
  readonly facts = emptyFacts();
  private readonly seenValues = new Set<ts.Node>();
  private readonly seenHandles = new Set<string>();

  constructor(
    private readonly ctx: TrackContext,
    private readonly role: 'socket' | 'server',
    private readonly depth = 0,
  ) {}

  // ---- values and where they flow ------------------------------------------------------------

  /** The callback passed to connect(): in a `function () {}` there, `this` is the socket. */
  connectCallback(file: TsFile, cb: ts.Expression): void {
    this.thisKeepalive(file, cb);
  }

  /** Starts from an expression that already holds the socket (a variable, `this.x`). */
  holder(file: TsFile, e: ts.Expression): void {
    const x = skipParens(e);
    if (ts.isIdentifier(x)) {
      const b = file.scopes.bindingOf(x);
      if (b) this.binding(file, b, x.text);
    } else if (ts.isPropertyAccessExpression(x)) {
      const path = pathOf(file, x);
      if (path) this.path(file, path, x.getText(file.sf));
    }
  }

  /** An expression that evaluates to the socket (or, with `promise`, to a promise of it). */
  value(file: TsFile, expr: ts.Expression, promise = false): void {
    if (this.seenValues.has(expr)) return;
    this.seenValues.add(expr);
    let cur: ts.Expression = expr;
    for (;;) {
      const p: ts.Node = cur.parent;
      if (!p) return;
      if (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isNonNullExpression(p) || ts.isTypeAssertionExpression(p) || ts.isSatisfiesExpression(p)) {
        cur = p;
        continue;
      }
      if (ts.isConditionalExpression(p) && p.condition !== cur) {
        cur = p;
        continue;
      }
      if (ts.isAwaitExpression(p)) {
        promise = false;
        cur = p;
        continue;
      }
      if (ts.isBinaryExpression(p)) {
        const op = p.operatorToken.kind;
        if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken || ((op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.CommaToken) && p.right === cur)) {
          cur = p;
          continue;
        }
        if (op === ts.SyntaxKind.EqualsToken && p.right === cur) {
          this.target(file, p.left);
          cur = p;
          continue;
        }
        return;
      }
      if (ts.isVariableDeclaration(p) && p.initializer === cur) {
        this.target(file, p.name);
        return;
      }
      if (ts.isPropertyAccessExpression(p) && p.expression === cur) {
        const call = p.parent;
        if (ts.isCallExpression(call) && call.expression === p) {
          const name = p.name.text;
          if (promise) {
            if (name === 'then' && call.arguments[0]) this.callbackParam(file, call.arguments[0], 0);
            if (name === 'then' || name === 'catch' || name === 'finally') {
              cur = call;
              continue;
            }
            return;
          }
          this.method(file, name, call, cur);
          if (CHAINABLE.has(name)) {
            cur = call;
            continue;
          }
          return;
        }
        // server.listen.apply(server, arguments): a listen whose arguments are not visible.
        if (p.name.text === 'listen' && ts.isPropertyAccessExpression(p.parent) && /^(apply|call)$/.test(p.parent.name.text)) {
          this.facts.listens.push({ file, node: undefined });
        }
        return;
      }
      if (ts.isReturnStatement(p) || (ts.isArrowFunction(p) && p.body === cur)) {
        const fn = ts.isArrowFunction(p) ? p : enclosingFunction(p);
        // What an inline callback returns (an event handler, a promise executor) goes nowhere.
        if (fn && isCallbackArgument(fn)) return;
        if (fn) this.escapeThrough(file, fn, { kind: 'return', promise });
        else this.escape('returned');
        return;
      }
      if ((ts.isCallExpression(p) || ts.isNewExpression(p)) && p.arguments?.includes(cur)) {
        this.passed(file, p, p.arguments.indexOf(cur), promise);
        return;
      }
      if (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) {
        this.facts.talks = true;
        // tls.connect({ socket }): the TLS socket runs over this one; its setKeepAlive reaches it.
        const wrapper = tlsWrapperOf(file, p);
        if (wrapper) {
          this.facts.notes.push(`wrapped by tls.connect() at ${file.where(wrapper)}`);
          this.value(file, wrapper);
          return;
        }
        this.escape(`stored in an object (${file.where(p)})`);
        return;
      }
      if (ts.isArrayLiteralExpression(p) || ts.isSpreadElement(p) || ts.isYieldExpression(p) || ts.isExportAssignment(p)) {
        this.facts.talks = true;
        this.escape(`handed on at ${file.where(p)}`);
        return;
      }
      return; // an expression statement (discarded) or a use that does not keep it
    }
  }

  /** Something the socket is assigned to: a variable, a destructuring, or a property path. */
  private target(file: TsFile, t: ts.Node): void {
    if (ts.isIdentifier(t)) {
      const b = file.scopes.bindingOf(t);
      if (b) this.binding(file, b, t.text);
      return;
    }
    if (ts.isPropertyAccessExpression(t) || ts.isParenthesizedExpression(t)) {
      const path = pathOf(file, t as ts.Expression);
      if (path) this.path(file, path, t.getText(file.sf));
      else {
        this.facts.talks = true;
        this.escape(`stored in ${t.getText(file.sf)}`);
      }
      return;
    }
    if (ts.isElementAccessExpression(t)) {
      this.facts.talks = true;
      this.escape(`stored in ${t.getText(file.sf)}`);
    }
  }

  binding(file: TsFile, b: Binding, text: string): void {
    const key = `${file.file}\0b${b.id.pos}`;
    if (this.seenHandles.has(key)) return;
    this.seenHandles.add(key);
    this.facts.handles.push(text);
    if (isExported(b)) this.escape(`exported as ${b.name}`);
    for (const r of b.refs) this.ref(file, r);
  }

  private path(file: TsFile, path: PathKey, text: string): void {
    const key = `${file.file}\0p${path.root}\0${path.props.join('.')}`;
    if (this.seenHandles.has(key)) return;
    this.seenHandles.add(key);
    this.facts.handles.push(text);
    const last = path.props[path.props.length - 1]!;
    for (const pa of accessesNamed(this.ctx, file, last)) {
      const other = pathOf(file, pa);
      if (other && other.root === path.root && other.props.join('.') === path.props.join('.')) this.ref(file, pa);
    }
  }

  /** A reference to a handle: everything but being assigned to is a use of the socket. */
  private ref(file: TsFile, r: ts.Expression): void {
    if (isAssignmentTarget(r)) return;
    this.value(file, r);
  }

  /** The parameter of a callback that receives the socket (`.then(sock => …)`, `(err, sock) => …`). */
  private callbackParam(file: TsFile, fnExpr: ts.Expression, index: number): void {
    const fn = functionOf(file, fnExpr);
    if (!fn) return;
    const p = paramAt(fn.fn, index);
    if (p && ts.isIdentifier(p.name)) {
      const b = fn.file.scopes.bindingOfDecl(p);
      if (b) this.binding(fn.file, b, p.name.text);
    }
  }

  // ---- uses -------------------------------------------------------------------------------

  private method(file: TsFile, name: string, call: ts.CallExpression, recv: ts.Expression): void {
    if (name === 'setKeepAlive') {
      this.setKeepAlive(file, call);
      return;
    }
    if (LISTEN_METHODS.has(name)) {
      const ev = call.arguments[0];
      const handler = call.arguments[1];
      if (!ev || !handler || !ts.isStringLiteralLike(ev)) return;
      if (this.role === 'socket') this.thisKeepalive(file, handler);
      if (ev.text === 'data' || ev.text === 'readable') this.facts.talks = true;
      if (this.role === 'server' && CONNECTION_EVENTS.has(ev.text)) this.facts.connectionListeners.push({ file, node: handler });
      return;
    }
    if (name === 'connect') {
      this.facts.connects.push({ file, node: call });
      const cb = call.arguments[call.arguments.length - 1];
      if (cb) this.thisKeepalive(file, cb);
      return;
    }
    if (name === 'listen') {
      this.facts.listens.push({ file, node: call });
      return;
    }
    if (TALK_METHODS.has(name)) this.facts.talks = true;
    if (END_METHODS.has(name)) this.facts.terminates = true;
    if (this.ctx.helpers.has(name)) this.evidence('wrapper', file, call, `${recv.getText(file.sf)}.${name}() is a configured keepalive helper`);
  }

  private setKeepAlive(file: TsFile, call: ts.CallExpression): void {
    const arg = call.arguments[0];
    const v = arg ? truthOf(file, arg) : false;
    if (v === false) {
      this.facts.disabled.push({ file, node: call });
      return;
    }
    const guard = keepaliveGuard(file, call);
    if (v === 'dynamic' || guard) {
      const why = guard ? `under \`${guard}\`` : `with a run-time value (${arg!.getText(file.sf)})`;
      this.evidence('conditional', file, call, `setKeepAlive() at ${file.where(call)} ${why}`);
      return;
    }
    this.evidence('direct', file, call, `setKeepAlive(true) at ${file.where(call)}`);
  }

  /** In a `function` listener of the socket (not an arrow), `this` is the socket. */
  private thisKeepalive(file: TsFile, handler: ts.Expression): void {
    const f = functionOf(file, handler);
    if (!f || ts.isArrowFunction(f.fn) || f.file !== file) return;
    const fn = f.fn;
    const body = (fn as ts.FunctionLikeDeclaration).body;
    if (!body || this.seenValues.has(fn)) return;
    this.seenValues.add(fn);
    const visit = (n: ts.Node): void => {
      if (n.kind === ts.SyntaxKind.ThisKeyword && thisFunction(n) === fn) this.value(file, n as ts.Expression);
      ts.forEachChild(n, visit);
    };
    visit(body);
  }

  private passed(file: TsFile, call: ts.CallExpression | ts.NewExpression, index: number, promise: boolean): void {
    const callee = skipParens(call.expression);
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
    if (promise) {
      // asCallback(promise, (err, sock) => …): the callback gets the socket.
      const fnArg = call.arguments?.find((a, i) => i !== index && isFunctionExpr(a));
      if (fnArg) this.callbackParam(file, fnArg, (skipParens(fnArg) as ts.FunctionLikeDeclaration).parameters.length >= 2 ? 1 : 0);
      return;
    }
    // x.apply(sock, args) / x.call(sock): the socket is only the receiver.
    if (index === 0 && ts.isPropertyAccessExpression(callee) && /^(apply|call|bind)$/.test(name)) return;
    if (ts.isNewExpression(call) && index === 0 && netValues(file, callee).some((v) => v.kind === 'member' && v.member === 'TLSSocket')) {
      this.facts.talks = true;
      this.facts.notes.push(`wrapped by new tls.TLSSocket() at ${file.where(call)}`);
      this.value(file, call);
      return;
    }
    if (name && this.ctx.helpers.has(name)) {
      this.evidence('wrapper', file, call, `handed to ${name}() at ${file.where(call)}, a configured keepalive helper`);
      return;
    }
    if (name === 'resolve') {
      this.resolved(file, call, callee);
      return;
    }
    if (ts.isIdentifier(callee)) {
      const b = file.scopes.bindingOf(callee);
      if (b && ts.isParameter(b.decl) && ts.isFunctionLike(b.decl.parent)) {
        const fn = b.decl.parent as ts.SignatureDeclaration;
        this.escapeThrough(file, fn, { kind: 'callback', paramIndex: fn.parameters.indexOf(b.decl), argIndex: index });
        return;
      }
    }
    const targets = this.depth < MAX_DEPTH ? calleeFunctions(this.ctx, file, call) : [];
    if (targets.length === 0) {
      this.facts.talks = true;
      this.escape(`passed to ${name || callee.getText(file.sf)}() at ${file.where(call)}`);
      return;
    }
    for (const t of targets) {
      const f = paramFacts(this.ctx, t.file, t.fn, index, this.role, this.depth + 1);
      this.merge(f, `${name || 'a helper'}()`);
    }
  }

  /** `resolve(sock)`: the promise it settles carries the socket on. */
  private resolved(file: TsFile, call: ts.CallExpression | ts.NewExpression, callee: ts.Expression): void {
    this.facts.talks = true;
    if (ts.isIdentifier(callee)) {
      // new Promise((resolve) => …): the promise is that expression.
      const b = file.scopes.bindingOf(callee);
      const executor = b && ts.isParameter(b.decl) ? b.decl.parent : undefined;
      let cur: ts.Node | undefined = executor;
      while (cur && ts.isParenthesizedExpression(cur.parent)) cur = cur.parent;
      const ctor = cur?.parent;
      if (ctor && ts.isNewExpression(ctor) && ctor.arguments?.[0] === cur && /\bPromise$/.test(ctor.expression.getText(file.sf))) {
        this.value(file, ctor, true);
        return;
      }
    }
    if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(skipParens(callee.expression))) {
      // const d = deferred(); …; d.resolve(sock); return d
      const b = file.scopes.bindingOf(skipParens(callee.expression) as ts.Identifier);
      if (b) {
        for (const r of b.refs) {
          const p = r.parent;
          if (ts.isPropertyAccessExpression(p) && p.expression === r) continue;
          if (!isAssignmentTarget(r)) this.value(file, r, true);
        }
        return;
      }
    }
    const fn = namedEnclosingFunction(call);
    if (fn) this.escapeThrough(file, fn, { kind: 'return', promise: true });
    else this.escape(`resolved at ${file.where(call)}`);
  }

  /** Facts learned inside a helper the socket was handed to. */
  private merge(f: Facts, via: string): void {
    for (const e of f.evidence) {
      const kind: KaKind = e.kind === 'conditional' ? 'conditional' : 'wrapper';
      this.facts.evidence.push({ ...e, kind, why: `handed to ${via}: ${e.why}` });
    }
    this.facts.disabled.push(...f.disabled);
    this.facts.connects.push(...f.connects);
    this.facts.listens.push(...f.listens);
    this.facts.connectionListeners.push(...f.connectionListeners);
    this.facts.escapes.push(...f.escapes);
    this.facts.talks ||= f.talks;
    this.facts.terminates ||= f.terminates;
  }

  /** The socket leaves a function (returned, resolved, or handed to its callback): follow its callers. */
  private escapeThrough(file: TsFile, fn: ts.SignatureDeclaration, port: Port): void {
    this.facts.talks = true;
    // An async function returns a promise of what it returns.
    if (port.kind === 'return' && !port.promise && ts.getModifiers(fn as ts.FunctionLikeDeclaration)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) port = { kind: 'return', promise: true };
    const name = functionName(fn);
    const what = port.kind === 'callback' ? `handed to the callback of ${name ?? 'a function'}()` : port.promise ? `resolved by ${name ?? 'a function'}()` : `returned from ${name ?? 'a function'}()`;
    if (this.depth >= MAX_DEPTH || !name) {
      this.escape(what);
      return;
    }
    const calls = callersOf(this.ctx, file, fn, name);
    if (calls.length === 0) {
      this.escape(`${what}, whose callers were not found`);
      return;
    }
    const note = `${what}; followed to ${calls.length} caller(s): ${[...new Set(calls.map((c) => c.file.where(c.node)))].slice(0, 4).join(', ')}`;
    if (!this.facts.notes.includes(note)) this.facts.notes.push(note);
    for (const c of calls) {
      if (port.kind === 'return') this.value(c.file, c.node, port.promise);
      else {
        const arg = c.node.arguments?.[port.paramIndex];
        if (arg) this.callbackParam(c.file, arg, port.argIndex);
      }
    }
  }

  private escape(what: string): void {
    if (!this.facts.escapes.includes(what)) this.facts.escapes.push(what);
  }

  private evidence(kind: KaKind, file: TsFile, node: ts.Node, why: string): void {
    this.facts.evidence.push({ kind, file, node, why });
  }
}

// ---- parameters of helpers ----------------------------------------------------------------

/** What a function does with its parameter `index` (memoised; recursion-safe). */
export function paramFacts(ctx: TrackContext, file: TsFile, fn: ts.SignatureDeclaration, index: number, role: 'socket' | 'server', depth: number): Facts {
  let byIndex = ctx.paramMemo.get(fn);
  if (!byIndex) ctx.paramMemo.set(fn, (byIndex = new Map()));
  const hit = byIndex.get(index);
  if (hit === 'busy') return emptyFacts();
  if (hit) return hit;
  byIndex.set(index, 'busy');
  const t = new Tracker(ctx, role, depth);
  const p = paramAt(fn, index);
  if (p && ts.isIdentifier(p.name) && !p.dotDotDotToken) {
    const b = file.scopes.bindingOfDecl(p);
    if (b) t.binding(file, b, p.name.text);
  }
  byIndex.set(index, t.facts);
  return t.facts;
}

// ---- resolving functions ------------------------------------------------------------------

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

function isFunctionExpr(e: ts.Expression): boolean {
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
function calleeFunctions(ctx: TrackContext, file: TsFile, call: ts.CallExpression | ts.NewExpression): FunctionRef[] {
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
    const visit = (n: ts.Node): void => {
      if (found) return;
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left) && n.left.name.text === name && /\.prototype$/.test(n.left.expression.getText(cls)) && isFunctionExpr(n.right)) {
        found = skipParens(n.right) as ts.FunctionExpression;
      }
      ts.forEachChild(n, visit);
    };
    visit(cls);
    return found;
  }
  return undefined;
}

/** For `this.x` / `self.x`: the class (or, for ES5 code, the file) that `this` belongs to. */
function thisClassOf(file: TsFile, base: ts.Expression): ts.Node | undefined {
  if (base.kind === ts.SyntaxKind.ThisKeyword) return thisContainer(base);
  if (ts.isIdentifier(base)) {
    const b = file.scopes.bindingOf(base);
    const init = b && ts.isVariableDeclaration(b.decl) ? b.decl.initializer : undefined;
    if (init && init.kind === ts.SyntaxKind.ThisKeyword) return thisContainer(init);
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
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isFunctionDeclaration(n) && n.name?.text === name && n.body) found = n;
    else ts.forEachChild(n, visit);
  };
  visit(file.sf);
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

/** Calls of a function in its file and in project files that import it (through re-exports too). */
export function callersOf(ctx: TrackContext, file: TsFile, fn: ts.SignatureDeclaration, name: string): Array<{ file: TsFile; node: ts.CallExpression }> {
  const out: Array<{ file: TsFile; node: ts.CallExpression }> = [];
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
    const visit = (n: ts.Node): void => {
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
      ts.forEachChild(n, visit);
    };
    visit(f.sf);
  };
  scan(file, true);
  if (exported || methodLike) {
    for (const other of ctx.project.importersOf(file.file)) {
      if (!ctx.project.scans.get(other)?.names.includes(name)) continue;
      const f = ctx.project.file(other);
      if (f) scan(f, false);
    }
  }
  return out;
}

function isExportedFunction(file: TsFile, fn: ts.SignatureDeclaration, name: string): boolean {
  if (ts.canHaveModifiers(fn) && ts.getModifiers(fn)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return true;
  const st = fn.parent?.parent?.parent;
  if (st && ts.isVariableStatement(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return true;
  // Exported by name somewhere (export { f }, module.exports = { f }, exports.f = f): a cheap textual test.
  return new RegExp(`\\bexports\\b[\\s\\S]*\\b${name}\\b|export\\s*\\{[^}]*\\b${name}\\b|export\\s+default\\s+${name}\\b`).test(file.text);
}

function isInside(n: ts.Node, outer: ts.Node): boolean {
  for (let p: ts.Node | undefined = n; p; p = p.parent) if (p === outer) return true;
  return false;
}

// ---- syntax helpers -----------------------------------------------------------------------

export function enclosingFunction(n: ts.Node): ts.SignatureDeclaration | undefined {
  for (let p = n.parent; p; p = p.parent) if (isFunctionScope(p)) return p;
  return undefined;
}

/** A function written inline as an argument of a call (a callback or promise executor). */
function isCallbackArgument(fn: ts.Node): boolean {
  let cur = fn;
  while (ts.isParenthesizedExpression(cur.parent)) cur = cur.parent;
  const p = cur.parent;
  return (ts.isCallExpression(p) || ts.isNewExpression(p)) && !!p.arguments?.includes(cur as ts.Expression);
}

/** For `{ socket: x }` passed to tls.connect(): that call. */
function tlsWrapperOf(file: TsFile, prop: ts.PropertyAssignment | ts.ShorthandPropertyAssignment): ts.CallExpression | undefined {
  if (prop.name.getText(file.sf) !== 'socket') return undefined;
  let obj: ts.Node = prop.parent;
  while (ts.isParenthesizedExpression(obj.parent)) obj = obj.parent;
  const call = obj.parent;
  if (!ts.isCallExpression(call) || !call.arguments.includes(obj as ts.Expression)) return undefined;
  return netValues(file, call.expression).some((v) => v.kind === 'member' && v.mod === 'tls' && v.member === 'connect') ? call : undefined;
}

/** The function a `resolve(x)` belongs to: skips promise executors and other inline callbacks. */
function namedEnclosingFunction(n: ts.Node): ts.SignatureDeclaration | undefined {
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
function thisFunction(n: ts.Node): ts.Node | undefined {
  for (let p = n.parent; p; p = p.parent) if (isFunctionScope(p) && !ts.isArrowFunction(p)) return p;
  return undefined;
}

interface PathKey {
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

function accessesNamed(ctx: TrackContext, file: TsFile, name: string): ts.PropertyAccessExpression[] {
  let idx = ctx.accessIndex.get(file);
  if (!idx) {
    const m = new Map<string, ts.PropertyAccessExpression[]>();
    const visit = (n: ts.Node): void => {
      if (ts.isPropertyAccessExpression(n)) {
        const k = n.name.text;
        const list = m.get(k);
        if (list) list.push(n);
        else m.set(k, [n]);
      }
      ts.forEachChild(n, visit);
    };
    visit(file.sf);
    ctx.accessIndex.set(file, (idx = m));
  }
  return idx.get(name) ?? [];
}

function isAssignmentTarget(e: ts.Expression): boolean {
  let cur: ts.Node = e;
  while (ts.isParenthesizedExpression(cur.parent)) cur = cur.parent;
  const p = cur.parent;
  return ts.isBinaryExpression(p) && p.left === cur && p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && p.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
}

function isExported(b: Binding): boolean {
  const st = b.decl.parent?.parent;
  return !!st && ts.isVariableStatement(st) && !!ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

/** true / false / 'dynamic' for a keepalive switch value. */
export function truthOf(file: TsFile, e: ts.Expression, depth = 0): boolean | 'dynamic' {
  const x = skipParens(e);
  if (x.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (x.kind === ts.SyntaxKind.FalseKeyword || x.kind === ts.SyntaxKind.NullKeyword) return false;
  if (ts.isNumericLiteral(x)) return Number(x.text) !== 0;
  if (ts.isStringLiteralLike(x)) return x.text !== '';
  if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken) {
    const v = truthOf(file, x.operand, depth + 1);
    return v === 'dynamic' ? 'dynamic' : !v;
  }
  if (ts.isIdentifier(x)) {
    if (x.text === 'undefined') return false;
    const b = file.scopes.bindingOf(x);
    if (b && b.kind === 'const' && ts.isVariableDeclaration(b.decl) && b.decl.initializer && depth < 3) return truthOf(file, b.decl.initializer, depth + 1);
  }
  if (ts.isVoidExpression(x)) return false;
  return 'dynamic';
}

/** A condition around a node that asks for keepalive (`if (opts.keepAlive)`), as text. */
export function keepaliveGuard(file: TsFile, n: ts.Node): string | undefined {
  const KA = /keep.?alive/i;
  let cur: ts.Node = n;
  for (let p = n.parent; p && !ts.isSourceFile(p); cur = p, p = p.parent) {
    let cond: ts.Expression | undefined;
    if (ts.isIfStatement(p) && p.expression !== cur) cond = p.expression;
    else if (ts.isConditionalExpression(p) && p.condition !== cur) cond = p.condition;
    else if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken && p.right === cur) cond = p.left;
    if (cond && KA.test(cond.getText(file.sf))) return cond.getText(file.sf).replace(/\s+/g, ' ');
  }
  return undefined;
}
