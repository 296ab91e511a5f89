// What the arguments of a socket call say: TCP or IPC (a path), the host (loopback or not),
// an existing socket being wrapped, and the keepAlive option.
import ts from './tsc.cjs';
import type { Tcp } from '../../engine/types.js';
import type { TsFile } from './parse.js';
import { skipParens } from './scope.js';
import { truthOf } from './evidence.js';

/** The properties an options argument is known to have. */
export interface OptionsInfo {
  props: Map<string, ts.Expression[]>;
  /** `...spread` or Object.assign/extend: may carry anything. */
  open: boolean;
  /** A parameter or other value whose contents are not visible at all. */
  unknown: boolean;
  /** The object literal written directly in the call, when it is one. */
  literal?: ts.ObjectLiteralExpression;
  /** The declared type of the options variable (`IpcNetConnectOpts`), when written. */
  typeName?: string;
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|localhost|::1|\[::1\]|::ffff:127(\.\d{1,3}){3}|0:0:0:0:0:0:0:1)$/i;

export function isLoopbackHost(s: string): boolean {
  return LOOPBACK.test(s);
}

/** A string a simple expression certainly has (literals and consts of literals). */
export function constString(file: TsFile, e: ts.Expression, depth = 0): string | undefined {
  const x = skipParens(e);
  if (ts.isStringLiteralLike(x)) return x.text;
  if (ts.isIdentifier(x) && depth < 3) {
    const b = file.scopes.bindingOf(x);
    if (b && b.kind === 'const' && ts.isVariableDeclaration(b.decl) && b.decl.initializer) return constString(file, b.decl.initializer, depth + 1);
  }
  return undefined;
}

export function optionsOf(file: TsFile, e: ts.Expression, depth = 0): OptionsInfo {
  const info: OptionsInfo = { props: new Map(), open: false, unknown: false };
  const x = skipParens(e);
  const add = (k: string, v: ts.Expression) => info.props.set(k, [...(info.props.get(k) ?? []), v]);
  const mergeIn = (o: OptionsInfo) => {
    for (const [k, vs] of o.props) for (const v of vs) add(k, v);
    info.open ||= o.open;
    info.unknown ||= o.unknown;
  };
  if (depth > 4) {
    info.unknown = true;
    return info;
  }
  if (ts.isObjectLiteralExpression(x)) {
    if (x === skipParens(e) && depth === 0) info.literal = x;
    for (const p of x.properties) {
      if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) add(p.name.text, p.initializer);
      else if (ts.isShorthandPropertyAssignment(p)) add(p.name.text, p.name);
      else if (ts.isSpreadAssignment(p)) {
        const inner = optionsOf(file, p.expression, depth + 1);
        mergeIn(inner);
        if (inner.unknown) info.open = true;
        info.unknown = false;
      }
    }
    return info;
  }
  // Object.assign({}, defaults, { socket }) and the like: the literal parts are known.
  if (ts.isCallExpression(x) && /(^|\.)(assign|extend|merge|defaults)$/.test(x.expression.getText(file.sf)) && x.arguments.length) {
    for (const a of x.arguments) {
      const o = optionsOf(file, a, depth + 1);
      mergeIn(o);
      if (o.unknown) info.open = true;
    }
    info.unknown = false;
    return info;
  }
  if (ts.isConditionalExpression(x)) {
    mergeIn(optionsOf(file, x.whenTrue, depth + 1));
    mergeIn(optionsOf(file, x.whenFalse, depth + 1));
    return info;
  }
  if (ts.isIdentifier(x)) {
    const b = file.scopes.bindingOf(x);
    if (!b) {
      info.unknown = true;
      return info;
    }
    const declared = (ts.isVariableDeclaration(b.decl) || ts.isParameter(b.decl)) && b.decl.type ? b.decl.type.getText(file.sf) : undefined;
    if (declared) info.typeName = declared;
    let sawObject = false;
    const inits = [...(ts.isVariableDeclaration(b.decl) && b.decl.initializer ? [b.decl.initializer] : []), ...b.writes];
    for (const init of inits) {
      const o = optionsOf(file, init, depth + 1);
      if (!o.unknown) sawObject = true;
      mergeIn(o);
    }
    if (!sawObject) info.unknown = true;
    // opts.path = …; opts.socket = …; Object.assign(opts, …)
    for (const r of b.refs) {
      const p = r.parent;
      if (ts.isPropertyAccessExpression(p) && p.expression === r && ts.isBinaryExpression(p.parent) && p.parent.left === p && p.parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        add(p.name.text, p.parent.right);
      }
      if (ts.isCallExpression(p) && p.arguments[0] === r && /\b(assign|extend|merge|defaults)$/.test(p.expression.getText(file.sf))) info.open = true;
    }
    return info;
  }
  info.unknown = true;
  return info;
}

/** Whether a value present for `path` can hold a path (not `undefined`/`null`). */
function presentValues(vs: ts.Expression[] | undefined): ts.Expression[] {
  return (vs ?? []).filter((v) => {
    const x = skipParens(v);
    return !(x.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(x) && x.text === 'undefined') || ts.isVoidExpression(x));
  });
}

export interface AddressVerdict {
  tcp: Tcp;
  loopback: boolean;
  notes: string[];
  /** `{ socket }` / TLSSocket over an existing socket: the expression wrapped. */
  wraps?: ts.Expression;
  /** The file `wraps` is in, when not the site's (found through a caller). */
  wrapsFile?: TsFile;
  /** Wrapping decided only on some paths (an `if` sets options.socket). */
  mayWrap?: boolean;
  options?: OptionsInfo;
}

/** The address an options object (or positional port/host/path arguments) names. */
export function addressOf(file: TsFile, args: readonly ts.Expression[], withSocket: boolean): AddressVerdict {
  const notes: string[] = [];
  const a0 = args[0];
  if (!a0) return { tcp: 'unknown', loopback: false, notes: ['no arguments'] };
  const form = argForm(file, a0, args[1]);
  if (form === 'path') {
    notes.push(`connects to a path (${short(file, a0)}): IPC, not TCP`);
    return { tcp: 'no', loopback: false, notes };
  }
  if (form === 'port') {
    const host = args[1] && !isFunctionLike(file, args[1]) ? args[1] : undefined;
    const optsArg = args.slice(1).find((a) => optionsShaped(file, a));
    const options = optsArg ? optionsOf(file, optsArg) : undefined;
    const v: AddressVerdict = { tcp: 'yes', loopback: false, notes, ...(options ? { options } : {}) };
    if (!host || (host && optionsShaped(file, host))) {
      v.loopback = true;
      notes.push('port only: Node connects to localhost');
    } else {
      const h = constString(file, host);
      v.loopback = h !== undefined && isLoopbackHost(h);
      notes.push(h !== undefined ? `host '${h}'${v.loopback ? ': loopback' : ''}` : `host ${short(file, host)} (decided at run time)`);
    }
    if (withSocket && options) wrapOf(file, options, v, optsArg!);
    return v;
  }
  const options = optionsOf(file, a0);
  const v: AddressVerdict = { tcp: 'yes', loopback: false, notes, options };
  if (options.typeName && /\bIpc(Net|Socket)ConnectOpts\b/.test(options.typeName) && !/\bTcp/.test(options.typeName)) {
    notes.push(`options are declared ${options.typeName}: IPC, not TCP`);
    return { ...v, tcp: 'no' };
  }
  const paths = presentValues(options.props.get('path'));
  const hasHostPort = options.props.has('host') || options.props.has('port') || options.props.has('hostname');
  if (paths.length && !hasHostPort && !options.open && !options.unknown) {
    notes.push(`options have only a path (${short(file, paths[0]!)}): IPC, not TCP`);
    return { ...v, tcp: 'no' };
  }
  if (paths.length) notes.push('options may carry a path or a host/port: serves TCP too');
  const hosts = [...(options.props.get('host') ?? []), ...(options.props.get('hostname') ?? [])];
  if (hosts.length) {
    const hs = hosts.map((h) => constString(file, h));
    v.loopback = hs.every((h) => h !== undefined && isLoopbackHost(h));
    notes.push(hs.every((h) => h !== undefined) ? `host ${hs.map((h) => `'${h}'`).join(' / ')}${v.loopback ? ': loopback' : ''}` : 'host decided at run time');
  } else if (!options.open && !options.unknown && options.props.has('port')) {
    v.loopback = true;
    notes.push('options name a port and no host: Node connects to localhost');
  } else if (options.unknown) {
    notes.push(`options ${short(file, a0)} are not visible here: assumed TCP`);
  }
  if (withSocket) wrapOf(file, options, v, a0);
  return v;
}

function wrapOf(file: TsFile, options: OptionsInfo, v: AddressVerdict, arg: ts.Expression): void {
  const socks = presentValues(options.props.get('socket'));
  if (socks.length === 0) return;
  // `opts.socket = x` inside an `if` only on some paths: the call may open its own connection.
  const conditional = socks.every((s) => isUnderIfRelativeTo(s, arg));
  if (conditional) {
    v.mayWrap = true;
    v.notes.push(`options.socket is set only on some paths (${file.where(socks[0]!)}): may open its own connection`);
    return;
  }
  v.wraps = socks[0]!;
  v.tcp = 'yes';
  v.loopback = false;
  v.notes.push(`wraps the existing socket ${short(file, socks[0]!)}`);
}

function isUnderIfRelativeTo(value: ts.Node, use: ts.Node): boolean {
  // The assignment statement of `opts.socket = x` sits inside an if that does not contain the use.
  for (let p = value.parent; p && !ts.isSourceFile(p); p = p.parent) {
    if (ts.isIfStatement(p)) return !isAncestor(p, use);
    if (ts.isFunctionLike(p)) return false;
  }
  return false;
}

function isAncestor(a: ts.Node, n: ts.Node): boolean {
  for (let p: ts.Node | undefined = n; p; p = p.parent) if (p === a) return true;
  return false;
}

type ArgForm = 'options' | 'port' | 'path';

const PATHISH = /(^|[^a-z])(path|pipe|ipc)|sock(et)?(file|path|name)|Path$|Pipe$|^sock$/i;
const PORTISH = /port/i;

/** Which overload of connect/listen the first argument selects. */
export function argForm(file: TsFile, a0: ts.Expression, a1: ts.Expression | undefined): ArgForm {
  const x = skipParens(a0);
  if (ts.isNumericLiteral(x)) return 'port';
  if (ts.isStringLiteralLike(x)) return /^\d+$/.test(x.text) ? 'port' : 'path';
  if (ts.isTemplateExpression(x)) return /[/\\]/.test(x.getText(file.sf)) ? 'path' : 'options';
  if (ts.isObjectLiteralExpression(x)) return 'options';
  if (ts.isCallExpression(x) && /^(Number|parseInt|parseFloat)$/.test(x.expression.getText(file.sf))) return 'port';
  if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.PlusToken) return 'port';
  const s = constString(file, x);
  if (s !== undefined) return /^\d+$/.test(s) ? 'port' : 'path';
  const name = ts.isIdentifier(x) ? x.text : ts.isPropertyAccessExpression(x) ? x.name.text : ts.isElementAccessExpression(x) && ts.isStringLiteralLike(x.argumentExpression) ? x.argumentExpression.text : '';
  const annotated = typeAnnotationOf(file, x);
  if (annotated === 'number') return 'port';
  if (annotated === 'string' && name && PATHISH.test(name)) return 'path';
  if (name && PORTISH.test(name)) return 'port';
  if (name && PATHISH.test(name)) return 'path';
  // connect(port, host): a second non-function argument means the port form.
  if (a1 && !isFunctionLike(file, a1) && !optionsShaped(file, a1)) return 'port';
  if (ts.isIdentifier(x) && !optionsShaped(file, x) && a1 === undefined) {
    const b = file.scopes.bindingOf(x);
    if (b && ts.isVariableDeclaration(b.decl) && b.decl.initializer && ts.isNumericLiteral(skipParens(b.decl.initializer))) return 'port';
  }
  return 'options';
}

function typeAnnotationOf(file: TsFile, x: ts.Expression): 'number' | 'string' | undefined {
  if (!ts.isIdentifier(x)) return undefined;
  const b = file.scopes.bindingOf(x);
  const t = b && (ts.isParameter(b.decl) || ts.isVariableDeclaration(b.decl)) ? b.decl.type : undefined;
  if (!t) return undefined;
  if (t.kind === ts.SyntaxKind.NumberKeyword) return 'number';
  if (t.kind === ts.SyntaxKind.StringKeyword) return 'string';
  return undefined;
}

function optionsShaped(file: TsFile, e: ts.Expression): boolean {
  const x = skipParens(e);
  if (ts.isObjectLiteralExpression(x)) return true;
  if (ts.isIdentifier(x)) {
    const b = file.scopes.bindingOf(x);
    if (b && ts.isVariableDeclaration(b.decl) && b.decl.initializer && ts.isObjectLiteralExpression(skipParens(b.decl.initializer))) return true;
    return /opt|conf|cfg|settings/i.test(x.text);
  }
  if (ts.isPropertyAccessExpression(x)) return /opt|conf|cfg|settings/i.test(x.name.text);
  return false;
}

/** A callback argument: inline, bound, a local function, or named like one. */
export function isFunctionLike(file: TsFile, e: ts.Expression): boolean {
  const x = skipParens(e);
  if (ts.isFunctionExpression(x) || ts.isArrowFunction(x)) return true;
  if (ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression) && x.expression.name.text === 'bind') return true;
  if (ts.isIdentifier(x)) {
    const b = file.scopes.bindingOf(x);
    if (b && ts.isFunctionDeclaration(b.decl)) return true;
    const init = b && ts.isVariableDeclaration(b.decl) ? b.decl.initializer : undefined;
    if (init && (ts.isFunctionExpression(skipParens(init)) || ts.isArrowFunction(skipParens(init)))) return true;
  }
  return /(^|\.)(cb|callback|done|next|onConnect\w*|on[A-Z]\w*|handle\w*|listener)$/.test(x.getText(file.sf));
}

function short(file: TsFile, e: ts.Node): string {
  const t = e.getText(file.sf).replace(/\s+/g, ' ');
  return t.length > 40 ? `${t.slice(0, 37)}...` : t;
}

/** The keepAlive option of an options object: on, off, or decided at run time. */
export function keepAliveOption(file: TsFile, o: OptionsInfo | undefined): { value: boolean | 'dynamic'; node: ts.Expression } | undefined {
  const vs = o?.props.get('keepAlive');
  if (!vs?.length) return undefined;
  const last = vs[vs.length - 1]!;
  return { value: truthOf(file, last), node: last };
}

/** The address of a server's listen() call. */
export function listenAddress(file: TsFile, call: ts.CallExpression): { tcp: Tcp; loopback: boolean; note: string } {
  const a0 = call.arguments[0];
  if (!a0 || isFunctionLike(file, a0)) return { tcp: 'yes', loopback: false, note: `listen() on a random port of every interface (${file.where(call)})` };
  const form = argForm(file, a0, call.arguments[1]);
  if (form === 'path') return { tcp: 'no', loopback: false, note: `listen(${short(file, a0)}) on a path: IPC (${file.where(call)})` };
  if (form === 'port') {
    const host = call.arguments[1];
    const h = host && !isFunctionLike(file, host) ? constString(file, host) : undefined;
    if (h !== undefined && isLoopbackHost(h)) return { tcp: 'yes', loopback: true, note: `listen() on '${h}': loopback (${file.where(call)})` };
    return { tcp: 'yes', loopback: false, note: `listen() on ${h !== undefined ? `'${h}'` : host && !isFunctionLike(file, host) ? short(file, host) : 'every interface'} (${file.where(call)})` };
  }
  const o = optionsOf(file, a0);
  const paths = presentValues(o.props.get('path'));
  if (paths.length && !o.props.has('port') && !o.open && !o.unknown) return { tcp: 'no', loopback: false, note: `listen({ path }): IPC (${file.where(call)})` };
  const hosts = o.props.get('host') ?? [];
  const hs = hosts.map((h) => constString(file, h));
  const loop = hosts.length > 0 && hs.every((h) => h !== undefined && isLoopbackHost(h));
  return { tcp: 'yes', loopback: loop, note: `listen() on ${hosts.length ? hs.map((h) => (h === undefined ? 'a run-time host' : `'${h}'`)).join(' / ') : 'every interface'}${loop ? ': loopback' : ''} (${file.where(call)})` };
}
