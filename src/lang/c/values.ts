// Constant resolution for socket() arguments and setsockopt values: an expression becomes a
// set of "atoms" (macro names or decimal numbers). UNKNOWN marks what cannot be decided.
import type { Tcp } from '../../engine/types.js';
import { callArgs, callName, child, descendants, keyOf, namedChildren, textOf, unwrap } from './ast.js';
import { cCatalog } from './catalog.js';
import type { CNode } from './parse.js';
import type { FnScope } from './scope.js';

export const UNKNOWN = '?';
/** A family read from a generic sockaddr at run time (`sa->sa_family`). */
export const DYNAMIC_FAMILY = '?family';

export interface ValueEnv {
  scope: FnScope;
  /** Constant values callers pass for a parameter, across the project (undefined: no caller known). */
  paramAtoms?: (fn: string, file: string, index: number) => Set<string> | undefined;
  /** The arguments callers pass for a parameter, in their own scopes (for hints passed down). */
  callerArgs?: (fn: string, file: string, index: number) => Array<{ arg: CNode; scope: FnScope }>;
  /** Project-wide object-like #defines (file-local ones win). */
  projectDefines?: Map<string, string>;
}

const MAX_DEPTH = 6;

export function atomsOf(expr: CNode | undefined, env: ValueEnv, depth = 0): Set<string> {
  if (!expr) return new Set([UNKNOWN]);
  if (depth > MAX_DEPTH) return new Set([UNKNOWN]);
  const src = env.scope.file.src;
  const n = unwrap(expr);
  switch (n.type) {
    case 'number_literal':
      return new Set([normalizeNumber(textOf(src, n))]);
    case 'true':
      return new Set(['1']);
    case 'false':
    case 'null':
      return new Set(['0']);
    case 'binary_expression': {
      const op = n.children.find((c) => c.field === 'operator')?.type;
      if (op === '|' || op === '+') return union(atomsOf(child(n, 'left'), env, depth + 1), atomsOf(child(n, 'right'), env, depth + 1));
      // `type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)`: masking flags off keeps the base type.
      if (op === '&') {
        const right = child(n, 'right');
        const r = right ? unwrap(right) : undefined;
        const rtext = r ? textOf(env.scope.file.src, r).trim() : '';
        const macro = r?.type === 'identifier' ? (env.scope.file.defines.get(rtext) ?? env.projectDefines?.get(rtext) ?? '') : '';
        if (rtext.startsWith('~') || /^\(*\s*~/.test(macro)) return atomsOf(child(n, 'left'), env, depth + 1);
      }
      return new Set([UNKNOWN]);
    }
    case 'conditional_expression':
      return union(atomsOf(child(n, 'consequence'), env, depth + 1), atomsOf(child(n, 'alternative'), env, depth + 1));
    case 'identifier':
      return identifierAtoms(textOf(src, n), n, env, depth);
    case 'field_expression':
      return fieldAtoms(n, env, depth);
    case 'compound_literal_expression': {
      const init = child(n, 'value');
      const first = init && namedChildren(init)[0];
      return first ? atomsOf(first, env, depth + 1) : new Set([UNKNOWN]);
    }
    default:
      return new Set([UNKNOWN]);
  }
}

const identifierMemo = new WeakMap<FnScope, Map<string, Set<string>>>();
const identifierMemoWithParams = new WeakMap<FnScope, Map<string, Set<string>>>();
const IN_PROGRESS = new Set([UNKNOWN]);

/** Memoized per function (and per "callers known" mode): locals assigned in loops must not explode. */
function identifierAtoms(name: string, at: CNode, env: ValueEnv, depth: number): Set<string> {
  const memos = env.paramAtoms ? identifierMemoWithParams : identifierMemo;
  let memo = memos.get(env.scope);
  if (!memo) {
    memo = new Map();
    memos.set(env.scope, memo);
  }
  const hit = memo.get(name);
  if (hit) return hit;
  memo.set(name, IN_PROGRESS);
  const out = identifierAtomsUncached(name, at, env, depth);
  memo.set(name, out);
  return out;
}

function identifierAtomsUncached(name: string, at: CNode, env: ValueEnv, depth: number): Set<string> {
  const cat = cCatalog();
  const { scope } = env;
  const local = scope.locals.get(name);
  if (local) {
    const pi = scope.params.indexOf(name);
    const values = assignedValues(scope, name);
    const out = new Set<string>();
    if (pi >= 0) {
      const fromCallers = env.paramAtoms?.(scope.name, scope.file.file, pi);
      for (const a of fromCallers ?? [UNKNOWN]) out.add(a);
    }
    for (const v of values) for (const a of atomsOf(v, env, depth + 1)) out.add(a);
    if (out.size === 0) out.add(UNKNOWN);
    return out;
  }
  if (isKnownConstant(name, cat)) return new Set([name]);
  const define = scope.file.defines.get(name) ?? env.projectDefines?.get(name);
  if (define !== undefined) return defineAtoms(define, env, depth);
  const global = scope.file.globals.get(name);
  if (global?.init) return atomsOf(global.init, env, depth + 1);
  // An ALL_CAPS name we cannot see is almost always a system macro: keep its name.
  return new Set([/^[A-Z][A-Z0-9_]*$/.test(name) ? name : UNKNOWN]);
}

function isKnownConstant(name: string, cat = cCatalog()): boolean {
  return (
    cat.inetDomains.has(name) ||
    cat.notInetDomains.has(name) ||
    cat.streamTypes.has(name) ||
    cat.notStreamTypes.has(name) ||
    cat.typeFlags.has(name) ||
    cat.tcpProtocols.has(name) ||
    cat.notTcpProtocols.has(name) ||
    name === 'AF_UNSPEC' ||
    name === 'PF_UNSPEC'
  );
}

/** `#define T (SOCK_STREAM | SOCK_CLOEXEC)` → its tokens, each resolved. */
function defineAtoms(text: string, env: ValueEnv, depth: number): Set<string> {
  const body = text.replace(/\/\*.*?\*\//g, '').trim();
  if (!body) return new Set([UNKNOWN]);
  const parts = body.replace(/[()]/g, ' ').split(/[|+]/).map((s) => s.trim()).filter(Boolean);
  const out = new Set<string>();
  for (const p of parts) {
    if (/^(0x[0-9a-f]+|\d+)[uUlL]*$/i.test(p)) out.add(normalizeNumber(p));
    else if (/^[A-Za-z_]\w*$/.test(p)) {
      if (depth > MAX_DEPTH) out.add(UNKNOWN);
      else {
        const d = env.scope.file.defines.get(p) ?? env.projectDefines?.get(p);
        if (d !== undefined && !isKnownConstant(p)) for (const a of defineAtoms(d, env, depth + 1)) out.add(a);
        else out.add(p);
      }
    } else out.add(UNKNOWN);
  }
  return out;
}

function fieldAtoms(n: CNode, env: ValueEnv, depth: number): Set<string> {
  const src = env.scope.file.src;
  const field = child(n, 'field');
  const fname = field ? textOf(src, field) : '';
  switch (fname) {
    case 'sin_family':
      return new Set(['AF_INET']);
    case 'sin6_family':
      return new Set(['AF_INET6']);
    case 'sun_family':
      return new Set(['AF_UNIX']);
    case 'sa_family':
    case 'ss_family':
      return familyFromSockaddrType(n, env);
    case 'ai_family':
    case 'ai_socktype':
    case 'ai_protocol':
      return addrinfoAtoms(fname, env, depth);
    default: {
      // A struct field assigned constants in this function (`cfg.type = SOCK_STREAM`).
      const key = keyOf(src, n);
      const values = assignedValuesByKey(env.scope, key);
      if (values.length === 0) return new Set([UNKNOWN]);
      const out = new Set<string>();
      for (const v of values) for (const a of atomsOf(v, env, depth + 1)) out.add(a);
      return out;
    }
  }
}

/** `sa->sa_family` where sa is declared `struct sockaddr_in` is AF_INET; otherwise decided at run time. */
function familyFromSockaddrType(n: CNode, env: ValueEnv): Set<string> {
  const base = baseIdentifier(env.scope.file.src, n);
  const d = base ? env.scope.locals.get(base) ?? env.scope.file.globals.get(base) : undefined;
  if (d?.type === 'sockaddr_in') return new Set(['AF_INET']);
  if (d?.type === 'sockaddr_in6') return new Set(['AF_INET6']);
  if (d?.type === 'sockaddr_un') return new Set(['AF_UNIX']);
  return (base && familiesAssigned(base, env)) || new Set([DYNAMIC_FAMILY]);
}

/**
 * The families written into `base`'s family field in this function, when all are known: a
 * sockaddr_storage filled here (`ss.ss_family = AF_INET`, or `sin->sin_family = …` through
 * `struct sockaddr_in *sin = (struct sockaddr_in *)&ss`).
 */
export function familiesAssigned(base: string, env: ValueEnv): Set<string> | undefined {
  const out = new Set<string>();
  for (const w of familyWrites(base, env)) for (const a of w.atoms) out.add(a);
  return out.size && !out.has(UNKNOWN) ? out : undefined;
}

/** Each write into `base`'s family field here (see familiesAssigned): its value node and atoms. */
export function familyWrites(base: string, env: ValueEnv): Array<{ value: CNode; atoms: Set<string> }> {
  const names = pointerAliases(env.scope, base);
  const out: Array<{ value: CNode; atoms: Set<string> }> = [];
  for (const [k, rights] of assignmentIndex(env.scope)) {
    const m = /^\(?\*?([A-Za-z_]\w*)\)?(?:\.|->)(?:[A-Za-z_]\w*(?:\.|->))*(sa|ss|sin|sin6|sun)_family$/.exec(k);
    if (!m || !names.has(m[1]!)) continue;
    for (const r of rights) out.push({ value: r, atoms: atomsOf(r, env, MAX_DEPTH) });
  }
  return out;
}

/** `base` and the local pointers that point at it (`p = (struct sockaddr_in *)&base`). */
export function pointerAliases(scope: FnScope, base: string): Set<string> {
  const src = scope.file.src;
  const out = new Set([base]);
  const pointsAtBase = (v: CNode | undefined) => {
    if (!v) return false;
    const u = unwrap(v);
    if (u.type !== 'pointer_expression' || u.firstChild?.type !== '&') return false;
    const arg = child(u, 'argument');
    return !!arg && keyOf(src, arg) === base;
  };
  for (const d of scope.locals.values()) if (pointsAtBase(d.init)) out.add(d.name);
  for (const [k, rights] of assignmentIndex(scope)) if (/^[A-Za-z_]\w*$/.test(k) && rights.some(pointsAtBase)) out.add(k);
  return out;
}

export function baseIdentifier(src: string, n: CNode): string {
  let cur: CNode | undefined = unwrap(n);
  while (cur && cur.type !== 'identifier') {
    if (cur.type === 'field_expression') cur = child(cur, 'argument');
    else if (cur.type === 'subscript_expression') cur = child(cur, 'argument');
    else if (cur.type === 'pointer_expression') cur = child(cur, 'argument');
    else if (cur.type === 'parenthesized_expression' || cur.type === 'cast_expression') cur = unwrap(cur) === cur ? undefined : unwrap(cur);
    else cur = undefined;
    if (cur) cur = unwrap(cur);
  }
  return cur ? textOf(src, cur) : '';
}

/**
 * Values of getaddrinfo() results follow the hints: family is always an inet family
 * (getaddrinfo never yields AF_UNIX), socktype/protocol are what the hints asked for.
 */
function addrinfoAtoms(field: 'ai_family' | 'ai_socktype' | 'ai_protocol', env: ValueEnv, depth: number): Set<string> {
  if (field === 'ai_family') return new Set(['AF_INET', 'AF_INET6']);
  const hintsList = hintsIn(env.scope.node, env);
  const scopes = hintsList.length ? hintsList : [];
  if (scopes.length === 0) return new Set([UNKNOWN]);
  const out = new Set<string>();
  for (const h of scopes) {
    const v = h.fields.get(field);
    if (v) for (const a of atomsOf(v.node, { ...env, scope: v.scope }, depth + 1)) out.add(a);
    else if (field === 'ai_protocol') out.add('0');
    else {
      const proto = h.fields.get('ai_protocol');
      const protoAtoms = proto ? atomsOf(proto.node, { ...env, scope: proto.scope }, depth + 1) : new Set<string>();
      out.add(protoAtoms.has('IPPROTO_TCP') || protoAtoms.has('6') ? 'SOCK_STREAM' : UNKNOWN);
    }
  }
  return out;
}

interface Hints {
  fields: Map<string, { node: CNode; scope: FnScope }>;
}

/** The hints of every getaddrinfo-like call in the function (or, failing that, in the file). */
function hintsIn(fn: CNode, env: ValueEnv): Hints[] {
  const src = env.scope.file.src;
  const calls = descendants(fn, 'call_expression').filter((c) => /getaddrinfo\w*$/i.test(callName(src, c)));
  if (calls.length === 0 && fn.type === 'function_definition') {
    // The addrinfo came from elsewhere in this file: use the file's getaddrinfo hints.
    const others: Hints[] = [];
    for (const f of env.scope.file.functions) {
      if (f === fn) continue;
      const has = /getaddrinfo/.test(src.slice(f.start, f.end)) && descendants(f, 'call_expression').some((c) => /getaddrinfo\w*$/i.test(callName(src, c)));
      if (has) others.push(...hintsIn(f, { ...env, scope: { ...env.scope, node: f, locals: localsFor(env, f) } }));
    }
    return others;
  }
  const out: Hints[] = [];
  for (const call of calls) {
    const args = callArgs(call);
    const h = args[2];
    if (!h) continue;
    const hn = unwrap(h);
    const name =
      hn.type === 'pointer_expression' ? keyOf(src, child(hn, 'argument') ?? hn) : hn.type === 'identifier' ? keyOf(src, hn) : '';
    if (!name || name === 'NULL' || name === '0') continue;
    const fields = hintFields(env.scope, name);
    const pi = env.scope.params.indexOf(name);
    if (pi >= 0 && env.callerArgs && !fields.has('ai_socktype')) {
      // `local_listen(host, port, hints)`: the callers filled the hints in; fields set here win.
      for (const c of env.callerArgs(env.scope.name, env.scope.file.file, pi)) {
        const a = unwrap(c.arg);
        const key = keyOf(src, a.type === 'pointer_expression' ? (child(a, 'argument') ?? a) : a);
        out.push({ fields: new Map([...hintFields(c.scope, key), ...fields]) });
      }
      continue;
    }
    out.push({ fields });
  }
  return out;
}

function localsFor(env: ValueEnv, fn: CNode): FnScope['locals'] {
  // Lazily import to avoid a cycle: scope.ts does not depend on values.ts.
  const m = new Map(env.scope.locals);
  for (const d of descendants(fn, 'declaration')) {
    for (const c of d.children.filter((x) => x.field === 'declarator')) {
      if (c.type === 'init_declarator') {
        const nm = child(c, 'declarator');
        if (nm) m.set(textOf(env.scope.file.src, nm).replace(/[\s*]/g, ''), { name: '', type: '', pointer: false, array: false, node: d, init: child(c, 'value') });
      }
    }
  }
  return m;
}

function hintFields(scope: FnScope, name: string): Map<string, { node: CNode; scope: FnScope }> {
  const src = scope.file.src;
  const fields = new Map<string, { node: CNode; scope: FnScope }>();
  // Designated or positional initializer: `struct addrinfo hints = { .ai_socktype = SOCK_STREAM }`.
  const decl = scope.locals.get(name);
  if (decl?.init && decl.init.type === 'initializer_list') {
    const items = namedChildren(decl.init);
    const positional = ['ai_flags', 'ai_family', 'ai_socktype', 'ai_protocol'];
    items.forEach((item, i) => {
      if (item.type === 'initializer_pair') {
        const designator = child(item, 'designator');
        const value = child(item, 'value');
        const fname = designator ? textOf(src, designator).replace(/^\./, '') : '';
        if (value && fname) fields.set(fname, { node: value, scope });
      } else if (positional[i]) fields.set(positional[i]!, { node: item, scope });
    });
  }
  // Assignments `hints.ai_socktype = X` / `hints->ai_socktype = X` (after memset or not).
  for (const [k, rights] of assignmentIndex(scope)) {
    const m = /^(.*?)(?:\.|->)(ai_\w+)$/.exec(k);
    if (!m || (m[1] !== name && m[1] !== `*${name}` && m[1] !== `(*${name})`)) continue;
    const last = rights[rights.length - 1];
    if (last) fields.set(m[2]!, { node: last, scope });
  }
  return fields;
}

/** Right-hand sides assigned to a plain local name in the function (declaration initializer included). */
export function assignedValues(scope: FnScope, name: string): CNode[] {
  const out: CNode[] = [];
  const d = scope.locals.get(name);
  if (d?.init && d.init.type !== 'initializer_list') out.push(d.init);
  out.push(...assignedValuesByKey(scope, name));
  return out;
}

function assignedValuesByKey(scope: FnScope, key: string): CNode[] {
  return assignmentIndex(scope).get(key) ?? [];
}

const assignmentCache = new WeakMap<CNode, Map<string, CNode[]>>();

/** `key → right-hand sides` of every plain (`=`, `|=`) assignment in the function, built once. */
function assignmentIndex(scope: FnScope): Map<string, CNode[]> {
  const cached = assignmentCache.get(scope.node);
  if (cached) return cached;
  const src = scope.file.src;
  const index = new Map<string, CNode[]>();
  for (const a of descendants(scope.node, 'assignment_expression')) {
    const left = child(a, 'left');
    const right = child(a, 'right');
    const op = a.children.find((c) => !c.named && c.field === 'operator')?.type ?? '=';
    if (!left || !right || (op !== '=' && op !== '|=')) continue;
    const k = keyOf(src, left);
    const list = index.get(k);
    if (list) list.push(right);
    else index.set(k, [right]);
  }
  assignmentCache.set(scope.node, index);
  return index;
}

/**
 * The atoms of a site's API argument `k`: of its expression, of the constant a macro alias
 * passes there, or of both when the macro or's its argument with constants.
 */
export function siteArgAtoms(site: { args: (CNode | undefined)[]; fixed?: Array<string | undefined> }, k: number, env: ValueEnv): Set<string> {
  const text = site.fixed?.[k];
  if (text === undefined) return atomsOf(site.args[k], env);
  const arg = site.args[k];
  return arg ? union(atomsOf(arg, env), fixedAtoms(text)) : fixedAtoms(text);
}

/** `AF_INET`, `SOCK_STREAM | SOCK_CLOEXEC`, `0`, `IPPROTO_TCP`: the forms macros pass. */
export function fixedAtoms(text: string): Set<string> {
  return new Set(
    text.split('|').map((part) => {
      const t = part.trim().replace(/^\((.*)\)$/, '$1').trim();
      if (/^[A-Za-z_]\w*$/.test(t)) return t;
      if (/^(0[xX][0-9a-fA-F]+|\d+)[uUlL]*$/.test(t)) return normalizeNumber(t);
      return UNKNOWN;
    }),
  );
}

export function normalizeNumber(text: string): string {
  const t = text.replace(/[uUlL]+$/, '');
  const v = /^0x/i.test(t) ? parseInt(t, 16) : /^0[0-7]+$/.test(t) ? parseInt(t, 8) : Number(t);
  return Number.isFinite(v) ? String(v) : t;
}

export function union<T>(a: Set<T>, b: Set<T>): Set<T> {
  const out = new Set(a);
  for (const x of b) out.add(x);
  return out;
}

export type Verdict = 'yes' | 'no' | 'unknown';

export interface TcpVerdict {
  tcp: Tcp;
  domain: Verdict | 'dynamic';
  type: Verdict;
  protocol: Verdict;
  notes: string[];
}

/** Decides TCP from the three socket() argument atom sets. */
export function tcpVerdict(domain: Set<string>, type: Set<string>, protocol: Set<string>): TcpVerdict {
  const cat = cCatalog();
  const notes: string[] = [];
  const d = classifyAtoms(domain, cat.inetDomains, cat.notInetDomains);
  const dom: TcpVerdict['domain'] = d === 'unknown' && domain.has(DYNAMIC_FAMILY) && ![...domain].some((a) => a !== DYNAMIC_FAMILY && a !== UNKNOWN) ? 'dynamic' : d;
  const typeAtoms = new Set([...type].filter((a) => !cat.typeFlags.has(a)));
  const t = classifyAtoms(typeAtoms, cat.streamTypes, cat.notStreamTypes);
  let p = classifyAtoms(protocol, cat.tcpProtocols, cat.notTcpProtocols);
  // Protocol 0 is "the default for the type": only stream+inet makes it TCP, which the others decide.
  if (p === 'unknown' && t === 'yes') {
    p = 'yes';
    notes.push('protocol not constant; SOCK_STREAM defaults to TCP');
  }
  notes.push(`domain ${describe(domain)}, type ${describe(type)}, protocol ${describe(protocol)}`);
  let tcp: Tcp;
  if (dom === 'no' || t === 'no' || p === 'no') tcp = 'no';
  else if (dom === 'yes' && t === 'yes' && p === 'yes') tcp = 'yes';
  else tcp = 'unknown';
  return { tcp, domain: dom, type: t, protocol: p, notes };
}

function classifyAtoms(atoms: Set<string>, yes: Set<string>, no: Set<string>): Verdict {
  if ([...atoms].some((a) => yes.has(a))) return 'yes';
  if (atoms.size > 0 && [...atoms].every((a) => no.has(a))) return 'no';
  return 'unknown';
}

function describe(atoms: Set<string>): string {
  return [...atoms].map((a) => (a === UNKNOWN ? 'unknown' : a === DYNAMIC_FAMILY ? 'run-time family' : a)).join('|');
}

export function isZeroOnly(atoms: Set<string>): boolean {
  return atoms.size > 0 && [...atoms].every((a) => a === '0');
}

export function hasNonZero(atoms: Set<string>): boolean {
  return [...atoms].some((a) => a !== '0' && a !== UNKNOWN && a !== DYNAMIC_FAMILY);
}
