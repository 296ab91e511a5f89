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
   * or the constant the macro passes there (`#define TCP_SOCKET() socket(AF_INET, SOCK_STREAM, 0)`).
   */
  argMap: Array<number | string> | null;
}

export type TargetKind = 'declaration' | 'assignment' | 'condition' | 'return' | 'argument' | 'discarded' | 'expression';

export interface RawSite {
  call: CNode;
  api: 'socket' | 'accept' | 'accept4';
  /** The name used in the source (`socket`, `ngx_socket`, `CURL_SOCKET`). */
  callee: string;
  /** The API's arguments, after macro argument mapping (undefined where the macro passes a constant). */
  args: (CNode | undefined)[];
  /** The constants a macro alias passes, by API argument (see `siteArgAtoms` in values.ts). */
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
  const m = /^(socket|accept4?)\s*\(([^()]*)\)$/.exec(b);
  if (!m) return undefined;
  const inner = m[2]!.split(',').map((s) => s.trim().replace(/^\((.*)\)$/, '$1'));
  // A macro argument, or a constant that uses none of them (`fam | SOCK_CLOEXEC` is neither).
  const words = (a: string) => a.match(/[A-Za-z_]\w*/g) ?? [];
  const argMap = inner.map((a) => (params.includes(a) ? params.indexOf(a) : words(a).some((w) => params.includes(w)) || a === '' ? -1 : a));
  if (argMap.some((i) => i === -1)) return undefined;
  return { api: m[1] as SocketAlias['api'], argMap };
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
    let argMap: Array<number | string> | null = null;
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
    const args = argMap ? argMap.map((i) => (typeof i === 'number' ? callArgsList[i] : undefined)) : callArgsList;
    const fixed = argMap?.some((i) => typeof i === 'string') ? argMap.map((i) => (typeof i === 'string' ? i : undefined)) : undefined;
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
