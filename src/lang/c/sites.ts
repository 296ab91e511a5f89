// Finding socket()/accept()/accept4() calls, directly or through a project macro that
// aliases one of them, and naming the variable that receives the descriptor.
import { siteCallHint } from './hints.js';
import { callArgs, callName, child, isFunctionBody, keyOf, textMatches, unwrap, valueCarrier, walk } from './ast.js';
import { cCatalog } from './catalog.js';
import type { CNode } from './parse.js';

export interface SocketAlias {
  api: 'socket' | 'accept' | 'accept4';
  /**
   * For a function-like macro: which macro argument feeds each API argument (null: same order),
   * the constant the macro passes there (`#define TCP_SOCKET() socket(AF_INET, SOCK_STREAM, 0)`),
   * or both, or'ed (MixedArg).
   */
  argMap: Array<number | string | MixedArg> | null;
}

/** `#define sock_cloexec(d, t, p) socket(d, (t) | SOCK_CLOEXEC, p)`: macro argument `param`, or'ed with the constant `extra`. */
export interface MixedArg {
  param: number;
  extra: string;
}

export type TargetKind = 'declaration' | 'assignment' | 'condition' | 'return' | 'argument' | 'discarded' | 'expression';

export interface RawSite {
  call: CNode;
  api: 'socket' | 'accept' | 'accept4';
  /** The name used in the source (`socket`, `ngx_socket`, `CURL_SOCKET`). */
  callee: string;
  /** The API's arguments, after macro argument mapping (undefined where the macro passes a constant alone). */
  args: (CNode | undefined)[];
  /** The constants a macro alias passes, by API argument, alone or or'ed onto `args` (see `siteArgAtoms` in values.ts). */
  fixed?: Array<string | undefined>;
  target: { kind: TargetKind; node?: CNode; key: string };
  /** The statement that creates the descriptor (declaration / expression statement / if …). */
  statement?: CNode;
}

/** Recognises `#define ngx_socket socket` and `#define CURL_SOCKET(a,b,c) socket(a,b,c)`. */
export function socketAliasOf(params: string[] | null, body: string): SocketAlias | undefined {
  // Both forms name the API: most #defines are rejected here without cutting strings.
  if (!body.includes('socket') && !body.includes('accept')) return undefined;
  const b = body.trim().replace(/^\((.*)\)$/s, '$1').trim();
  if (params === null) {
    if (b === 'socket' || b === 'accept' || b === 'accept4') return { api: b, argMap: null };
    return undefined;
  }
  const m = /^(socket|accept4?)\s*\((.*)\)$/s.exec(b);
  const inner = m && topLevelArgs(m[2]!)?.map(unparenthesized);
  if (!m || !inner) return undefined;
  // A macro argument, a constant that uses none of them, or one of them or'ed with constants.
  const argMap = inner.map((a) => (params.includes(a) ? params.indexOf(a) : a === '' ? -1 : !usesParam(a, params) ? a : (mixedArg(a, params) ?? -1)));
  if (argMap.some((i) => i === -1)) return undefined;
  return { api: m[1] as SocketAlias['api'], argMap };
}

/** `a, (b) | C, f(x, y)` split at its top-level commas, trimmed; undefined when its parentheses do not balance. */
function topLevelArgs(text: string): string[] | undefined {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return undefined;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(from, i).trim());
      from = i + 1;
    }
  }
  if (depth !== 0) return undefined;
  out.push(text.slice(from).trim());
  return out;
}

/** `((x))` → `x`, but `(a) | (b)` as it is: only parentheses that enclose the whole text go. */
function unparenthesized(text: string): string {
  let t = text.trim();
  while (t.startsWith('(') && t.endsWith(')') && topLevelArgs(t.slice(1, -1)) !== undefined) t = t.slice(1, -1).trim();
  return t;
}

function usesParam(text: string, params: string[]): boolean {
  return (text.match(/[A-Za-z_]\w*/g) ?? []).some((w) => params.includes(w));
}

/** `(type) | SOCK_CLOEXEC`: flags or'ed onto one macro argument, the form portability layers use; anything else is refused. */
export function mixedArg(text: string, params: string[]): MixedArg | undefined {
  const parts = text.split('|').map(unparenthesized);
  const own = parts.filter((p) => params.includes(p));
  const rest = parts.filter((p) => !params.includes(p));
  if (own.length !== 1 || rest.length === 0 || rest.some((p) => p === '' || usesParam(p, params))) return undefined;
  return { param: params.indexOf(own[0]!), extra: rest.join(' | ') };
}

/** The names a site is called by: the socket APIs and the project's aliases of them. */
export function siteNames(aliases: Map<string, SocketAlias>): string[] {
  return [...Object.keys(cCatalog().sites), ...aliases.keys()];
}

export function findSites(src: string, root: CNode, aliases: Map<string, SocketAlias>): RawSite[] {
  const sites: RawSite[] = [];
  const cat = cCatalog();
  const mayHold = siteCallHint(siteNames(aliases));
  walk(root, (n) => {
    if (isFunctionBody(n) && !textMatches(src, n, mayHold)) return false;
    if (n.type !== 'call_expression') return true;
    const fn = child(n, 'function');
    if (!fn || unwrap(fn).type !== 'identifier') return true;
    const name = callName(src, n);
    let api: RawSite['api'] | undefined;
    let argMap: SocketAlias['argMap'] = null;
    if (cat.sites[name]) api = name as RawSite['api'];
    else {
      const alias = aliases.get(name);
      if (alias) {
        api = alias.api;
        argMap = alias.argMap;
      }
    }
    if (!api) return true;
    const callArgsList = callArgs(n);
    const args = argMap ? argMap.map((i) => (typeof i === 'number' ? callArgsList[i] : typeof i === 'object' ? callArgsList[i.param] : undefined)) : callArgsList;
    const fixed = argMap?.some((i) => typeof i !== 'number') ? argMap.map((i) => (typeof i === 'string' ? i : typeof i === 'object' ? i.extra : undefined)) : undefined;
    sites.push({ call: n, api, callee: name, args, ...(fixed ? { fixed } : {}), target: targetOf(src, n), ...stmt(n) });
    return true;
  });
  return sites;
}

function stmt(call: CNode): { statement?: CNode } {
  for (let n: CNode | null = call; n; n = n.parent) {
    const p = n.parent;
    if (p && (p.type === 'compound_statement' || p.type === 'case_statement' || p.type.startsWith('preproc_') || p.type === 'translation_unit')) {
      return { statement: n };
    }
  }
  return {};
}

/** Where the descriptor goes: `int fd = socket()`, `c->fd = socket()`, `if ((fd = socket()) < 0)`. */
export function targetOf(src: string, call: CNode): RawSite['target'] {
  const n = valueCarrier(call);
  const p = n.parent;
  if (!p) return { kind: 'expression', key: '' };
  if (p.type === 'init_declarator' && n.field === 'value') {
    const d = child(p, 'declarator');
    return { kind: 'declaration', ...(d ? { node: d } : {}), key: d ? keyOf(src, d).replace(/^\*+/, '') : '' };
  }
  if (p.type === 'assignment_expression' && n.field === 'right') {
    const left = child(p, 'left');
    const key = left ? keyOf(src, left) : '';
    // `if ((fd = socket(...)) < 0)` / `while ((c = accept(...)) != -1)`: assignment inside a condition.
    let q: CNode | null = p;
    while (q.parent && (q.parent.type === 'parenthesized_expression' || q.parent.type === 'binary_expression' || q.parent.type === 'unary_expression')) q = q.parent;
    const inCondition = q !== p && q.field === 'condition';
    return { kind: inCondition ? 'condition' : 'assignment', ...(left ? { node: left } : {}), key };
  }
  if (p.type === 'return_statement') return { kind: 'return', key: '' };
  if (p.type === 'argument_list') return { kind: 'argument', key: '' };
  if (p.type === 'expression_statement') return { kind: 'discarded', key: '' };
  return { kind: 'expression', key: '' };
}
