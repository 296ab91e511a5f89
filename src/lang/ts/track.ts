// Following one socket (or server) through the code: the variables and `this.x` fields that hold
// it, what is called on it, the helpers it is handed to, and — when a factory returns it or
// resolves a promise with it — what its callers do with it, across files of the project.
import ts from './tsc.cjs';
import type { TsFile } from './parse.js';
import type { TsProject } from './project.js';
import { keepaliveGuard, truthOf } from './evidence.js';
import { addressOf, keepAliveOption, listenAddress } from './classify.js';
import { detach, detachDeep } from '../../engine/strings.js';
import type { Tcp } from '../../engine/types.js';
import { calleeFunctions, forEachCaller, functionName, functionOf, isFunctionExpr, paramAt, type FunctionRef } from './functions.js';
import { netValues } from './imports.js';
import { skipParens, type Binding } from './scope.js';
import { accessesAtPath, enclosingFunction, isAssignmentTarget, isCallbackArgument, isExported, namedEnclosingFunction, pathOf, thisFunction, tlsWrapperOf, type PathKey } from './syntax.js';
import { forEachDescendant } from './walk.js';

export type KaKind = 'direct' | 'option' | 'wrapper' | 'conditional';

export interface KaEvidence {
  kind: KaKind;
  file: TsFile;
  node: ts.Node;
  why: string;
}

export interface Facts {
  evidence: KaEvidence[];
  /** setKeepAlive(false) / setKeepAlive() calls: not evidence, worth a note. */
  disabled: DisabledFact[];
  /** `.connect(...)` calls on the socket (for `new net.Socket`), read as they are found. */
  connects: ConnectFact[];
  /** `.listen(...)` calls on the server, read as they are found (as `connects`). */
  listens: ListenFact[];
  /** 'connection' / 'secureConnection' handlers of a server, followed as they are found. */
  connectionListeners: ListenerSummary;
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

/**
 * A `.connect()` on the socket, as plain data: a node keeps its whole tree alive, and a factory's
 * tracker holds what it finds in every caller until the site is judged. 20 factories returning
 * `new net.Socket()`, each connected by 2,000 callers, ran the whole process out of memory (4.3 GB).
 */
export interface ConnectFact {
  /** `file:line` of the call. */
  where: string;
  tcp: Tcp;
  loopback: boolean;
  notes: string[];
  /** Where a `keepAlive` in its options (which Node ignores there) is. */
  ignoredOptionAt?: string;
}

function connectFact(file: TsFile, call: ts.CallExpression): ConnectFact {
  const v = addressOf(file, call.arguments, false);
  const opt = keepAliveOption(file, v.options);
  // Copies: a note cut from the caller's text would keep that text alive as the node did the tree.
  return detachDeep({ where: file.where(call), tcp: v.tcp, loopback: v.loopback, notes: v.notes, ...(opt && opt.value !== false ? { ignoredOptionAt: file.where(opt.node) } : {}) });
}

/** A `.listen()` on the server, as plain data (see ConnectFact). */
export interface ListenFact {
  tcp: Tcp;
  loopback: boolean;
  note: string;
}

function listenFact(file: TsFile, call: ts.CallExpression | undefined): ListenFact {
  // Undefined: listen() forwarded with its arguments (`listen.apply`).
  const v = call ? listenAddress(file, call) : { tcp: 'yes' as Tcp, loopback: false, note: `listen() is forwarded with its arguments (${file.file})` };
  return detachDeep({ tcp: v.tcp, loopback: v.loopback, note: v.note });
}

/**
 * A `setKeepAlive(false)` or `setKeepAlive()` call, as plain data (see ConnectFact): where it is,
 * and the span of its arguments, which the fix replaces to turn keepalive on there.
 */
export interface DisabledFact {
  /** `file:line` of the call. */
  where: string;
  /** The file's path (a file can be parsed again in one run: its path, not its object, names it). */
  file: string;
  line: number;
  argsStart: number;
  argsEnd: number;
}

function disabledFact(file: TsFile, call: ts.CallExpression): DisabledFact {
  const args = call.arguments;
  const span = args.length ? { argsStart: args[0]!.getStart(file.sf), argsEnd: args[args.length - 1]!.getEnd() } : { argsStart: args.pos, argsEnd: args.pos };
  return { where: file.where(call), file: file.file, line: file.line(call.getStart(file.sf)), ...span };
}

/**
 * A server's connection listeners, each followed when it is found rather than kept as its node
 * until the site is judged: 10 server factories whose 400 callers each add a 'connection'
 * handler held 4,000 callers' trees and ran a 96 MB worker out of its heap.
 */
export interface ListenerSummary {
  /** How many were found, followed or not. */
  count: number;
  /** Per listener, in the order found: what it receives each connection as (or why it was not followed), and its setKeepAlive(false) calls. */
  notes: string[];
  /** What they do with each connection: the first evidence of each kind (see Tracker.evidence). */
  evidence: KaEvidence[];
}

export function emptyListeners(): ListenerSummary {
  return { count: 0, notes: [], evidence: [] };
}

/** Follows one connection listener of a server into `into`; its function when it could be followed. */
export function followListener(ctx: TrackContext, file: TsFile, handler: ts.Expression, into: ListenerSummary): FunctionRef | undefined {
  into.count++;
  const fn = functionOf(file, handler, ctx);
  if (!fn) {
    into.notes.push(detach(`connection listener ${handler.getText(file.sf).slice(0, 40)} could not be followed`));
    return undefined;
  }
  const pf = paramFacts(ctx, fn.file, fn.fn, 0, 'socket', 1);
  const param = fn.fn.parameters[0]?.name.getText(fn.file.sf) ?? '(none)';
  into.notes.push(detach(`connection listener at ${fn.file.where(fn.fn)} receives each connection as ${param}`));
  for (const e of pf.evidence) firstOfKind(into.evidence, { ...e, why: `on each connection: ${e.why}` });
  for (const d of pf.disabled) into.notes.push(disabledNote(d));
  return fn;
}

function mergeListeners(into: ListenerSummary, from: ListenerSummary): void {
  into.count += from.count;
  into.notes.push(...from.notes);
  for (const e of from.evidence) firstOfKind(into.evidence, e);
}

export function disabledNote(d: DisabledFact): string {
  return `setKeepAlive(false) or setKeepAlive() at ${d.where} does not turn it on`;
}

/** Keeps `e` only when `list` has no evidence of its kind yet (see Tracker.evidence). */
function firstOfKind(list: KaEvidence[], e: KaEvidence): void {
  if (!list.some((x) => x.kind === e.kind)) list.push(e);
}

export function emptyFacts(): Facts {
  return { evidence: [], disabled: [], connects: [], listens: [], connectionListeners: emptyListeners(), escapes: [], talks: false, terminates: false, handles: [], notes: [] };
}

export interface TrackContext {
  project: TsProject;
  helpers: Set<string>;
  /** Facts about a function's parameter, per function node and parameter index. */
  paramMemo: WeakMap<ts.Node, Map<number, Facts | 'busy'>>;
  /** Property-access index per file: name → accesses. */
  accessIndex: WeakMap<TsFile, Map<string, ts.PropertyAccessExpression[]>>;
  /** The same accesses grouped by their whole path, per file and last name (see accessesAtPath). */
  pathIndex: WeakMap<TsFile, Map<string, Map<string, ts.PropertyAccessExpression[]>>>;
}

export function newContext(project: TsProject, helpers: string[]): TrackContext {
  return { project, helpers: new Set([...helpers, ...project.helpers]), paramMemo: new WeakMap(), accessIndex: new WeakMap(), pathIndex: new WeakMap() };
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
const MAX_HOPS = 16;

type Port = { kind: 'return'; promise: boolean } | { kind: 'callback'; paramIndex: number; argIndex: number };

export class Tracker {
  readonly facts = emptyFacts();
  /**
   * Weak: a factory's tracker visits every caller's call, and a node keeps its whole tree (its
   * parents): as a Set, the 2,000 callers of 20 factories ran a worker out of its heap.
   */
  private readonly seenValues = new WeakSet<ts.Node>();
  private readonly seenHandles = new Set<string>();
  /** Functions the socket was followed out of (returned, resolved, called back): bounded. */
  private hops = 0;

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
          this.facts.listens.push(listenFact(file, undefined));
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
    for (const pa of accessesAtPath(this.ctx, file, path)) this.ref(file, pa);
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
      if (this.role === 'server' && CONNECTION_EVENTS.has(ev.text)) followListener(this.ctx, file, handler, this.facts.connectionListeners);
      return;
    }
    if (name === 'connect') {
      this.facts.connects.push(connectFact(file, call));
      const cb = call.arguments[call.arguments.length - 1];
      if (cb) this.thisKeepalive(file, cb);
      return;
    }
    if (name === 'listen') {
      this.facts.listens.push(listenFact(file, call));
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
      this.facts.disabled.push(disabledFact(file, call));
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
    forEachDescendant(body, (n) => {
      if (n.kind === ts.SyntaxKind.ThisKeyword && thisFunction(n) === fn) this.value(file, n as ts.Expression);
    });
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
      this.evidence(kind, e.file, e.node, `handed to ${via}: ${e.why}`);
    }
    this.facts.disabled.push(...f.disabled);
    this.facts.connects.push(...f.connects);
    this.facts.listens.push(...f.listens);
    mergeListeners(this.facts.connectionListeners, f.connectionListeners);
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
    if (this.depth >= MAX_DEPTH || !name || ++this.hops > MAX_HOPS) {
      this.escape(what);
      return;
    }
    // The note on the callers comes before what following them finds, but their number is
    // known only once they are all followed (forEachCaller): its place is kept until then.
    const notes = this.facts.notes;
    const slot = notes.length;
    notes.push('');
    const where = new Set<string>();
    const count = forEachCaller(this.ctx, file, fn, name, (f, call) => {
      if (where.size < 4) where.add(f.where(call));
      if (port.kind === 'return') this.value(f, call, port.promise);
      else {
        const arg = call.arguments?.[port.paramIndex];
        if (arg) this.callbackParam(f, arg, port.argIndex);
      }
    });
    const note = `${what}; followed to ${count} caller(s): ${[...where].join(', ')}`;
    // As if it had been added first, when not already there: a copy added since goes.
    const later = notes.indexOf(note, slot + 1);
    if (later > 0) notes.splice(later, 1);
    if (count === 0 || notes.indexOf(note) !== -1) notes.splice(slot, 1);
    else notes[slot] = note;
    if (count === 0) this.escape(`${what}, whose callers were not found`);
  }

  private escape(what: string): void {
    if (!this.facts.escapes.includes(what)) this.facts.escapes.push(what);
  }

  /**
   * Only the first evidence of each kind is kept: a site's keepalive is its strongest evidence,
   * the first found of the strongest kind, and each one holds its file's whole tree. A factory
   * whose 2,000 callers each set keepalive held 2,000 trees per site, and ran the worker out of
   * memory on a tree of 20 such factories.
   */
  private evidence(kind: KaKind, file: TsFile, node: ts.Node, why: string): void {
    firstOfKind(this.facts.evidence, { kind, file, node, why });
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
