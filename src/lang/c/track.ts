// Follows one socket value through one function body, in document order, and records what
// happens to it (Effects). Calls to other project functions become edges, resolved later
// against project facts, so the same tracker serves pass 1 (summaries) and pass 2 (sites).
import { addressee, callArgs, callName, child, keyOf, namedChildren, textOf, unwrap, valueCarrier, walk } from './ast.js';
import { cCatalog } from './catalog.js';
import type { ArgInfo, Edge, Effects, KaEvidence, TaggedEffects } from './effects.js';
import { betterKa } from './effects.js';
import type { CNode } from './parse.js';
import type { FnScope } from './scope.js';
import { atomsOf, baseIdentifier, familyWrites, hasNonZero, isZeroOnly, pointerAliases, UNKNOWN, type ValueEnv } from './values.js';

/** Keepalive helpers known by name: `macro` ones expand to setsockopt() in place. */
export type HelperNames = ReadonlyMap<string, 'macro' | 'function'>;

export interface TrackStart {
  env: ValueEnv;
  /** Expressions that hold the value → tag ('' = the fd itself). */
  holders: Map<string, string>;
  /** Local struct variables → the field that holds the value ('*' = any field: a tag per field). */
  containers: Map<string, string>;
  /** Events that start before this offset are ignored (the value does not exist yet). */
  from: number;
  /** Nested tracking of call results is allowed this many more levels. */
  resultDepth: number;
  /** Extra keepalive helper names from the project configuration (fd is their first argument). */
  extraHelpers?: HelperNames;
}

/** Atoms that name no constant at all: an option read from a table or a variable. */
function isTableDriven(atoms: Set<string>): boolean {
  return [...atoms].every((a) => a === UNKNOWN);
}

/** Calls that move data over the socket: a socket used this way is a real connection. */
const IO_FUNCTIONS = /^(read|write|readv|writev|send|recv|sendto|recvfrom|sendmsg|recvmsg|sendfile|splice|SSL_set_fd|SSL_set_rfd|SSL_set_wfd|fdopen)$/;

const SOCKET_APIS = new Set(['connect', 'bind', 'listen', 'accept', 'accept4', 'setsockopt', 'socket']);

interface FnIndex {
  events: CNode[];
  /**
   * Event indices by the base identifiers they mention (args, assignment sides, return values):
   * `mentions[at]` is how many, and they follow it, where `at` is `byBase.get(base)`. One flat
   * array, not a list per base: grown by push, each list cost ~370 bytes, ~8 KB a caller's
   * function in a fan-in of small callers (heap snapshot).
   */
  byBase: Map<string, number>;
  mentions: Int32Array;
  deadRanges: Array<[number, number]>;
  /** Every return statement, in order: an unconditional one ends the tracking. */
  returns: CNode[];
  /**
   * Per return, the start of the innermost branch around it (see `branchStart`), as a tree of
   * minimums over `returns` (leaves from `returnBranches.length / 2`): the first return that
   * runs on every path after a start is found in O(log n), not by trying each return after it.
   * A function with 6,000 sites and as many `if (fd < 0) return;` spent nearly half its time
   * there (CPU profile).
   */
  returnBranches: Int32Array;
}

const indexCache = new WeakMap<CNode, FnIndex>();

/** What a connect()/bind() address is: loopback-only, and of which family when its type says. */
interface Address {
  loopback: boolean;
  family?: 'inet' | 'unix';
}

const UNIX_FAMILIES = new Set(['AF_UNIX', 'PF_UNIX', 'AF_LOCAL', 'PF_LOCAL']);

/** Calls that take an address buffer to use it, not to fill it from their other arguments. */
const ADDRESS_USERS = /^(connect|bind|accept4?|sendto|sendmsg|recvfrom|getsockname|getpeername|mem\w+|bzero|str\w+|\w*(debug|log|print|trace|dump)\w*)$/i;

/**
 * `write` (an expression) runs before `use` on every path to it, as far as blocks tell: its
 * statement sits in a block that also holds `use`, before it. (A `goto` or an early `return`
 * between them is not looked at.)
 */
function onEveryPathTo(write: CNode, use: CNode): boolean {
  let stmt: CNode | null = write;
  while (stmt && stmt.type !== 'expression_statement') stmt = stmt.parent;
  const block = stmt?.parent;
  return !!stmt && block?.type === 'compound_statement' && stmt.end <= use.start && use.end <= block.end;
}

/** Per function node: addresses by base name (`track`'s addressOf). */
const addressMemo = new WeakMap<CNode, Map<string, Address>>();

/** Per function node and buffer: the writes of its family field, and the family they agree on. */
const familyMemo = new WeakMap<CNode, Map<string, { writes: CNode[]; family: Address['family'] }>>();

/** First identifier of a key: `c->fd` → c, `*out` → out, `socks[i]` → socks. */
export function baseOfKey(key: string): string {
  const m = /^[*&(]*([A-Za-z_]\w*)/.exec(key);
  return m ? m[1]! : '';
}

/** The nodes a tracker looks at, in document order, computed once per function. */
function indexOf(scope: FnScope): FnIndex {
  const cached = indexCache.get(scope.node);
  if (cached) return cached;
  const src = scope.file.src;
  const events: CNode[] = [];
  const lists = new Map<string, number[]>();
  const deadRanges: Array<[number, number]> = [];
  const returns: CNode[] = [];
  const mention = (n: CNode | undefined, i: number) => {
    if (!n) return;
    const b = baseOfKey(keyOf(src, n));
    if (!b) return;
    const list = lists.get(b);
    if (!list) lists.set(b, [i]);
    else if (list[list.length - 1] !== i) list.push(i);
  };
  walk(scope.node, (n) => {
    if (n.type === 'preproc_if') {
      const cond = child(n, 'condition');
      if (cond && /^\s*0\s*$/.test(textOf(src, cond))) {
        const alt = child(n, 'alternative');
        deadRanges.push([n.start, alt ? alt.start : n.end]);
      }
    }
    const i = events.length;
    if (n.type === 'call_expression') {
      events.push(n);
      for (const a of callArgs(n)) mention(a, i);
    } else if (n.type === 'assignment_expression') {
      events.push(n);
      mention(child(n, 'left'), i);
      mention(child(n, 'right'), i);
    } else if (n.type === 'init_declarator') {
      events.push(n);
      mention(child(n, 'value'), i);
      mention(child(n, 'declarator'), i);
    } else if (n.type === 'return_statement') {
      events.push(n);
      returns.push(n);
      mention(namedChildren(n)[0], i);
    }
  });
  let size = 0;
  for (const list of lists.values()) size += 1 + list.length;
  const mentions = new Int32Array(size);
  const byBase = new Map<string, number>();
  let at = 0;
  for (const [b, list] of lists) {
    byBase.set(b, at);
    mentions[at++] = list.length;
    mentions.set(list, at);
    at += list.length;
  }
  const index = { events, byBase, mentions, deadRanges, returns, returnBranches: minTree(returns.map((r) => branchStart(r, scope.node))) };
  indexCache.set(scope.node, index);
  return index;
}

/**
 * Where the innermost branch around `node` opens (-1: none), below `fnNode`: a branch or loop
 * body, the non-condition part of `?:`, a case label or a preprocessor branch. `node` runs on
 * every path from a point in the function when that point is after this (`branchedAfter`).
 */
function branchStart(node: CNode, fnNode: CNode): number {
  let at = -1;
  for (let n: CNode | null = node; n && n.parent && n !== fnNode; n = n.parent) {
    const p = n.parent;
    const branch =
      (p.type === 'if_statement' && (n.field === 'consequence' || n.field === 'alternative')) ||
      (p.type === 'conditional_expression' && n.field !== 'condition') ||
      ((p.type === 'while_statement' || p.type === 'for_statement' || p.type === 'do_statement' || p.type === 'switch_statement') && n.field === 'body');
    if (branch) at = Math.max(at, n.start);
    const block = p.type === 'case_statement' || p.type === 'preproc_if' || p.type === 'preproc_ifdef' || p.type === 'preproc_else' || p.type === 'preproc_elif';
    if (block) at = Math.max(at, p.start);
  }
  return at;
}

/** A perfect binary tree of minimums over `values` (leaves from the middle; the rest padded with the largest int). */
export function minTree(values: number[]): Int32Array {
  let size = 1;
  while (size < values.length) size <<= 1;
  const tree = new Int32Array(2 * size).fill(0x7fffffff);
  values.forEach((v, i) => (tree[size + i] = v));
  for (let i = size - 1; i > 0; i--) tree[i] = Math.min(tree[2 * i]!, tree[2 * i + 1]!);
  return tree;
}

/** The first index from `lo` on whose value in `tree` (minTree) is below `limit`, or -1. */
export function firstBelow(tree: Int32Array, lo: number, limit: number): number {
  const go = (node: number, from: number, to: number): number => {
    if (to <= lo || tree[node]! >= limit) return -1;
    if (to - from === 1) return from;
    const mid = (from + to) >> 1;
    const left = go(2 * node, from, mid);
    return left >= 0 ? left : go(2 * node + 1, mid, to);
  };
  return go(1, 0, tree.length >> 1);
}

/** The first node of `nodes` (in document order) that starts at or after `at`. */
function lowerBound(nodes: CNode[], at: number): number {
  let lo = 0;
  let hi = nodes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (nodes[mid]!.start < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function track(start: TrackStart): TaggedEffects {
  const { env } = start;
  const scope = env.scope;
  const src = scope.file.src;
  const cat = cCatalog();
  const holders = new Map(start.holders);
  const containers = new Map(start.containers);
  const out: TaggedEffects = {};
  const eff = (tag: string): Effects => (out[tag] ??= {});
  const { events, byBase, mentions, deadRanges, returns, returnBranches } = indexOf(scope);
  const dead = (n: CNode) => deadRanges.some(([s, e]) => n.start >= s && n.end <= e);
  const line = (n: CNode) => n.startRow + 1;

  /** How an argument carries the value: as the fd ('' path) or inside a struct. */
  const carried = (arg: CNode): { tag: string; path: string } | undefined => {
    const a = unwrap(arg);
    const k = keyOf(src, a);
    const h = holders.get(k);
    if (h !== undefined) return { tag: h, path: '' };
    const inner = addressee(a);
    if (inner) {
      const ik = keyOf(src, inner);
      const ih = holders.get(ik);
      // `f(&fd)`: the callee reaches the descriptor as `*p` (path '&').
      if (ih !== undefined) return { tag: ih, path: ih === '' ? '&' : '' };
      const ic = containers.get(ik);
      if (ic !== undefined) return ic === '*' ? { tag: '*', path: '?' } : { tag: '', path: ic };
    }
    const c = containers.get(k);
    if (c !== undefined) return c === '*' ? { tag: '*', path: '?' } : { tag: '', path: c };
    // `p->f` where p is a wildcard container: the value is field f of p.
    if (a.type === 'field_expression') {
      const base = child(a, 'argument');
      const f = child(a, 'field');
      if (base && f && containers.get(keyOf(src, base)) === '*') return { tag: textOf(src, f), path: '' };
    }
    return undefined;
  };

  const isHolderExpr = (n: CNode | undefined): { tag: string } | undefined => {
    if (!n) return undefined;
    const c = carried(n);
    return c && c.path === '' ? { tag: c.tag } : undefined;
  };

  // Visit only events that mention a base identifier of a holder or container, in order.
  const bases = new Set<string>();
  const queue: number[] = [];
  let cursor = -1;
  const addBases = () => {
    let added = false;
    for (const k of [...holders.keys(), ...containers.keys()]) {
      const b = baseOfKey(k);
      if (!b || bases.has(b)) continue;
      bases.add(b);
      added = true;
      const at = byBase.get(b);
      if (at === undefined) continue;
      for (let k = at + 1; k <= at + mentions[at]!; k++) {
        const i = mentions[k]!;
        if (i > cursor && events[i]!.start >= start.from) queue.push(i);
      }
    }
    if (added) {
      queue.sort((a, b) => a - b);
      for (let j = queue.length - 1; j > 0; j--) if (queue[j] === queue[j - 1]) queue.splice(j, 1);
    }
  };
  addBases();
  // The first return reached on every path from the start ends the function for this value.
  const endAt = returns[firstBelow(returnBranches, lowerBound(returns, start.from), start.from)]?.end ?? Infinity;
  while (queue.length) {
    cursor = queue.shift()!;
    const ev = events[cursor]!;
    if (ev.start > endAt) break;
    if (holders.size === 0 && containers.size === 0) break;
    if (dead(ev)) continue;
    const before = holders.size + containers.size;
    visitEvent(ev);
    if (holders.size + containers.size !== before) addBases();
  }
  return out;

  function visitEvent(ev: CNode): void {
    switch (ev.type) {
      case 'assignment_expression':
      case 'init_declarator': {
        const left = ev.type === 'init_declarator' ? child(ev, 'declarator') : child(ev, 'left');
        const right = child(ev, ev.type === 'init_declarator' ? 'value' : 'right');
        if (!left || !right) break;
        const op = ev.type === 'assignment_expression' ? (ev.children.find((c) => c.field === 'operator')?.type ?? '=') : '=';
        if (op !== '=') break;
        const lkey = keyOf(src, left).replace(/^\*+/, ev.type === 'init_declarator' ? '' : '*');
        const held = isHolderExpr(right);
        if (held) {
          storeInto(left, lkey, held.tag, ev);
        } else if (holders.has(lkey) && !isResetConstant(right) && !branchedAfter(ev)) {
          // `fd = socket(...)` again, or `fd = other`, on every path: this name now holds another
          // value. `fd = -1`, or a reassignment in one branch, is not: other paths still hold it.
          holders.delete(lkey);
        }
        break;
      }
      case 'return_statement': {
        const value = namedChildren(ev)[0];
        if (!value) break;
        const c = carried(value);
        if (c) {
          const e = eff(c.tag);
          e.returned = [...new Set([...(e.returned ?? []), c.path])];
          e.escape ??= 'returned';
        }
        break;
      }
      case 'call_expression':
        visitCall(ev);
        break;
    }
  }

  /** True when `node` runs only on some paths that start after tracking began (a branch, a loop body). */
  function branchedAfter(node: CNode): boolean {
    // A branch or loop body entered after the start (`if ((fd = socket()) < 0) return -1;` has
    // its start in the condition: the return is on one path only), or a case label or a
    // preprocessor branch (alternative configurations) opened after it.
    return branchStart(node, scope.node) >= start.from;
  }

  /** True when a loop encloses both `node` and the point where tracking began. */
  function loopAroundStart(node: CNode): boolean {
    for (let p = node.parent; p && p !== scope.node; p = p.parent) {
      if ((p.type === 'while_statement' || p.type === 'for_statement' || p.type === 'do_statement') && p.start < start.from) return true;
    }
    return false;
  }

  function isResetConstant(n: CNode): boolean {
    const u = unwrap(n);
    if (u.type === 'number_literal' || u.type === 'null') return true;
    if (u.type === 'unary_expression') return unwrap(namedChildren(u)[0] ?? u).type === 'number_literal';
    return u.type === 'identifier' && /^[A-Z][A-Z0-9_]*$/.test(textOf(src, u));
  }

  function storeInto(left: CNode, lkey: string, tag: string, at: CNode): void {
    const l = unwrap(left);
    if (l.type === 'identifier') {
      const name = textOf(src, l);
      if (scope.locals.has(name) || at.type === 'init_declarator') {
        holders.set(name, tag);
      } else {
        const e = eff(tag);
        e.stored = [...new Set([...(e.stored ?? []), `::${name}`])];
        e.escape ??= `stored in global ${name}`;
        holders.set(name, tag);
      }
      return;
    }
    holders.set(lkey, tag);
    if (l.type === 'field_expression' || l.type === 'subscript_expression') {
      const field = fieldNameOf(l);
      const base = baseIdentifier(src, l);
      const decl = base ? scope.locals.get(base) : undefined;
      const isParam = base ? scope.params.includes(base) : false;
      const key = fieldKey(scope, l);
      const e = eff(tag);
      if (key) e.stored = [...new Set([...(e.stored ?? []), key])];
      if (decl && field && l.type === 'field_expression' && !containers.has(base)) containers.set(base, field);
      if (!decl || isParam) e.escape ??= `stored in ${keyOf(src, l)}`;
      return;
    }
    const e = eff(tag);
    e.escape ??= `stored through ${keyOf(src, l)}`;
  }

  function fieldNameOf(n: CNode): string {
    let cur: CNode | undefined = n;
    while (cur && cur.type === 'subscript_expression') cur = child(cur, 'argument');
    if (cur && cur.type === 'field_expression') {
      const f = child(cur, 'field');
      return f ? textOf(src, f) : '';
    }
    return '';
  }

  function visitCall(call: CNode): void {
    const name = callName(src, call);
    const args = callArgs(call);
    const matched: Array<{ i: number; tag: string; path: string }> = [];
    args.forEach((a, i) => {
      const c = carried(a);
      if (c) matched.push({ i, ...c });
    });
    if (matched.length === 0) return;
    const ln = line(call);
    for (const m of matched) {
      const e = eff(m.tag);
      if (m.path === '' && SOCKET_APIS.has(name)) {
        systemCall(name, m.i, args, call, e);
        continue;
      }
      if (m.path === '' && m.i === 0 && (cat.closeFunctions.has(name) || /close/i.test(name))) {
        e.close ??= ln;
        // Closed on every path from here: later uses of the name are another socket.
        // (Not in a retry loop around the creation: `if (connect(...) == 0) break; close(fd);`.)
        if (!branchedAfter(call) && !loopAroundStart(call)) holders.delete(keyOf(src, args[0]!));
        continue;
      }
      if (m.path === '' && IO_FUNCTIONS.test(name)) {
        e.io ??= ln;
        continue;
      }
      if (m.path === '' && cat.neutralFunctions.has(name)) continue;
      const helper = cat.keepaliveHelpers.get(name);
      if (helper && m.path === '' && helper.socketArg === m.i) {
        if (helper.whenArg && !atomsOf(args[helper.whenArg.index], env).has(helper.whenArg.equals)) continue;
        const enable = helper.enableArg !== undefined ? args[helper.enableArg] : undefined;
        keepaliveEvent(e, call, enable, 'wrapper', `${name}()${helper.library ? ` (${helper.library})` : ''}`);
        continue;
      }
      const known = m.path === '' ? start.extraHelpers?.get(name) : undefined;
      if (known) {
        keepaliveEvent(e, call, undefined, known === 'macro' ? 'direct' : 'wrapper', known === 'macro' ? `${name}() → setsockopt(SO_KEEPALIVE)` : `${name}() (configured helper)`);
        continue;
      }
      if (m.path === '' && name !== 'getsockopt') {
        // Keepalive chosen by name from an option table: set_options(fd, "SO_KEEPALIVE").
        const byName = args.findIndex((a) => /\bSO_KEEPALIVE\b/.test(textOf(src, a)));
        if (byName >= 0 && byName !== m.i) {
          keepaliveEvent(e, call, args[byName + 1], 'wrapper', `${name}(…SO_KEEPALIVE…)`);
          continue;
        }
      }
      const fn = child(call, 'function');
      const fnNode = fn ? unwrap(fn) : undefined;
      if (fnNode && fnNode.type === 'field_expression') {
        const f = child(fnNode, 'field');
        if (f && /keep_?alive/i.test(textOf(src, f))) {
          const enable = args.find((a, j) => j !== m.i && unwrap(a).type === 'number_literal');
          keepaliveEvent(e, call, enable, 'wrapper', `${name}() (method table)`);
          continue;
        }
      }
      const edge: Edge = {
        callee: name,
        arg: m.i,
        path: m.path,
        args: args.map((a) => argInfo(a)),
        line: ln,
        file: scope.file.file,
      };
      const cond = conditionalContext(call);
      if (cond.conditional) edge.conditional = true;
      if (start.resultDepth > 0 && /^[A-Za-z_]\w*$/.test(name)) {
        const result = resultUse(call);
        if (result) edge.result = result;
      }
      (e.edges ??= []).push(edge);
    }
  }

  function systemCall(name: string, i: number, args: CNode[], call: CNode, e: Effects): void {
    const ln = line(call);
    switch (name) {
      case 'connect':
      case 'bind': {
        if (i !== 0) return;
        const addr = addressOf(args[1]);
        const prev = name === 'connect' ? e.connect : e.bind;
        const next = prev
          ? { line: prev.line, loopback: prev.loopback && addr.loopback, family: prev.family === addr.family ? prev.family : undefined }
          : { line: ln, loopback: addr.loopback, family: addr.family };
        const clean = next.family ? next : { line: next.line, loopback: next.loopback };
        if (name === 'connect') e.connect = clean;
        else e.bind = clean;
        return;
      }
      case 'listen':
        if (i === 0) e.listen ??= ln;
        return;
      case 'accept':
      case 'accept4':
        if (i === 0) e.acceptFrom ??= ln;
        return;
      case 'setsockopt': {
        if (i !== 0) return;
        const level = atomsOf(args[1], env);
        const opt = atomsOf(args[2], env);
        if (opt.has('SO_KEEPALIVE') && (level.has('SOL_SOCKET') || level.has(UNKNOWN))) {
          keepaliveEvent(e, call, valueOfOptval(args[3]), 'direct', 'setsockopt(SO_KEEPALIVE)');
        } else if (isTableDriven(level) && isTableDriven(opt)) {
          // `setsockopt(fd, opt->level, opt->name, …)` in a loop over a configured option table:
          // whether SO_KEEPALIVE is among them is decided by the project (see CProject.resolve).
          e.optionTable ??= { line: ln, file: scope.file.file };
        } else if ([...level].some((l) => cat.tcpLevels.has(l))) {
          const o = [...opt].find((x) => cat.tcpOnlyOptions.has(x));
          if (o) {
            e.tcpOption ??= o;
            if (/^TCP_KEEP(IDLE|INTVL|CNT|ALIVE)$/.test(o)) e.tunedOnly ??= { line: ln, file: scope.file.file };
          }
        }
        return;
      }
    }
  }

  /** The node whose value is the option: `&on` → on, `&(int){1}` → the literal. */
  function valueOfOptval(n: CNode | undefined): CNode | undefined {
    if (!n) return undefined;
    const inner = addressee(n);
    return inner ?? n;
  }

  function keepaliveEvent(e: Effects, call: CNode, value: CNode | undefined, kind: KaEvidence['kind'], via: string): void {
    const ln = line(call);
    const ctx = conditionalContext(call);
    let ev: KaEvidence = { kind: ctx.conditional ? 'conditional' : kind, line: ln, file: scope.file.file, via };
    if (ctx.valueParam !== undefined) ev.valueParam = ctx.valueParam;
    if (value) {
      const vparam = paramBehind(value);
      if (vparam !== undefined) ev = { ...ev, valueParam: vparam };
      else {
        const atoms = atomsOf(value, env);
        if (isZeroOnly(atoms)) {
          e.disabled ??= { line: ln, file: scope.file.file };
          // Switched off again on every path after being switched on: the last word wins.
          if (!ctx.conditional && e.keepalive && e.keepalive.file === scope.file.file && e.keepalive.line <= ln) delete e.keepalive;
          return;
        }
        if (!hasNonZero(atoms) && ev.kind !== 'conditional') ev = { ...ev, kind: 'conditional', via: `${via} with a run-time value` };
      }
    }
    e.keepalive = betterKa(e.keepalive, ev);
  }

  /** A parameter of this function that decides the value (`on`, or a local set from it). */
  function paramBehind(n: CNode): number | undefined {
    const v = unwrap(n);
    if (v.type !== 'identifier') return undefined;
    const name = textOf(src, v);
    const direct = scope.params.indexOf(name);
    if (direct >= 0) return direct;
    const d = scope.locals.get(name);
    const init = d?.init ? unwrap(d.init) : undefined;
    if (init && init.type === 'identifier') {
      const p = scope.params.indexOf(textOf(src, init));
      if (p >= 0) return p;
    }
    return undefined;
  }

  /** Whether an event sits under an `if` unrelated to the socket (a run-time setting). */
  function conditionalContext(node: CNode): { conditional: boolean; valueParam?: number } {
    for (let n: CNode | null = node; n && n.parent && n !== scope.node; n = n.parent) {
      const p = n.parent;
      // `setting && enable_keepalive(fd)`: the right operand runs only when the left holds.
      if (p.type === 'binary_expression' && n.field === 'right') {
        const op = p.children.find((c) => c.field === 'operator')?.type;
        const left = child(p, 'left');
        if ((op === '&&' || op === '||') && left) {
          const text = textOf(src, left);
          if (![...holders.keys()].some((h) => text.includes(h))) return { conditional: true };
        }
      }
      if ((p.type === 'if_statement' && (n.field === 'consequence' || n.field === 'alternative')) || (p.type === 'conditional_expression' && n.field !== 'condition')) {
        const cond = child(p, 'condition');
        if (!cond) continue;
        const text = textOf(src, cond);
        if ([...holders.keys()].some((h) => text.includes(h))) continue;
        if (/\b(errno|rc|ret|rv|res|err|error|status|result|r|n)\b/.test(text) && !/\b(keep|ka|alive|opt|conf|cfg|setting|server)/i.test(text)) continue;
        const m = /^\(?\s*!?\s*\(?\s*([A-Za-z_]\w*)\s*\)?\s*(!=\s*0|>\s*0|==\s*1)?\s*\)?$/.exec(text.replace(/^\(|\)$/g, ''));
        const pi = m ? scope.params.indexOf(m[1]!) : -1;
        if (pi >= 0 && n.field === 'consequence' && !text.includes('!')) return { conditional: false, valueParam: pi };
        return { conditional: true };
      }
    }
    return { conditional: false };
  }

  function argInfo(a: CNode): ArgInfo {
    const u = unwrap(a);
    if (u.type === 'identifier') {
      const pi = scope.params.indexOf(textOf(src, u));
      if (pi >= 0) return { k: 'param', index: pi };
    }
    if (u.type === 'number_literal' || u.type === 'identifier' || u.type === 'true' || u.type === 'false' || u.type === 'null') {
      const atoms = atomsOf(u, env);
      if (!atoms.has(UNKNOWN) && atoms.size > 0) return { k: 'const', atoms: [...atoms] };
    }
    return { k: 'other', text: textOf(src, u).slice(0, 60) };
  }

  /** What the caller does with `call`'s result, when the callee may hand the value back. */
  function resultUse(call: CNode): TaggedEffects | undefined {
    const n = valueCarrier(call);
    const p = n.parent;
    if (!p) return undefined;
    if (p.type === 'return_statement') return { '': { returned: [''], escape: 'returned' }, '*': { returned: ['?'], escape: 'returned' } };
    let target: CNode | undefined;
    if (p.type === 'assignment_expression' && n.field === 'right') target = child(p, 'left');
    if (p.type === 'init_declarator' && n.field === 'value') target = child(p, 'declarator');
    if (target) {
      const t = unwrap(target);
      if (t.type !== 'identifier') return undefined;
      const name = textOf(src, t);
      return track({
        env,
        holders: new Map([[name, '']]),
        containers: new Map([[name, '*']]),
        from: call.end,
        resultDepth: start.resultDepth - 1,
        ...(start.extraHelpers ? { extraHelpers: start.extraHelpers } : {}),
      });
    }
    if (p.type === 'argument_list' && p.parent?.type === 'call_expression') {
      const outer = p.parent;
      const outerName = callName(src, outer);
      const idx = callArgs(outer).indexOf(n);
      if (idx < 0) return undefined;
      const edgeFor = (path: string): Edge => ({
        callee: outerName,
        arg: idx,
        path,
        args: callArgs(outer).map((a) => argInfo(a)),
        line: line(outer),
        file: scope.file.file,
      });
      return { '': { edges: [edgeFor('')] }, '*': { edges: [edgeFor('?')] } };
    }
    return undefined;
  }

  /** What a connect()/bind() address is: loopback-only, and of which family when its type says. */
  function addressOf(arg: CNode | undefined, depth = 0): Address {
    if (!arg) return { loopback: false };
    const a = unwrap(arg);
    const target = addressee(a) ?? a;
    // The answer depends on the function and the address's base name only, and each one walks
    // the whole function: asked once per connect(), a function with 3,000 of them took 29 s here.
    const gai = target.type === 'field_expression' && /ai_addr$/.test(keyOf(src, target));
    const base = gai ? '' : baseIdentifier(src, target);
    if (!gai && !base) return { loopback: false };
    let memo = addressMemo.get(scope.node);
    if (!memo) addressMemo.set(scope.node, (memo = new Map()));
    const memoKey = `${depth > 0 ? '>' : ''}${base}`;
    let found = memo.get(memoKey);
    if (!found) memo.set(memoKey, (found = gai ? gaiAddress() : addressOfBase(base, depth)));
    // Asked per call, not memoised with the rest: it depends on where the call is.
    const assigned = found.family || gai ? undefined : assignedFamily(base, a);
    return assigned ? { ...found, family: assigned } : found;
  }

  /** `ai->ai_addr`: loopback when every getaddrinfo here resolves a loopback literal. */
  function gaiAddress(): Address {
    const calls: CNode[] = [];
    walk(scope.node, (x) => {
      if (x.type === 'call_expression' && /getaddrinfo\w*$/i.test(callName(src, x))) calls.push(x);
    });
    return { loopback: calls.length > 0 && calls.every((c) => isLoopbackLiteral(callArgs(c)[0])), family: 'inet' };
  }

  function addressOfBase(base: string, depth: number): Address {
    const decl = scope.locals.get(base) ?? scope.file.globals.get(base);
    const family = decl?.type === 'sockaddr_un' ? 'unix' : /^sockaddr_in6?$/.test(decl?.type ?? '') ? 'inet' : undefined;
    // Every write of an address into the variable (any union member, or through a pointer to
    // it) must be a loopback one.
    const names = pointerAliases(scope, base);
    const writes: CNode[] = [];
    walk(scope.node, (x) => {
      if (x.type === 'assignment_expression') {
        const l = child(x, 'left');
        const lk = l ? keyOf(src, l) : '';
        if (names.has(baseIdentifier(src, l ?? x)) && /(sin6?_addr|s_addr|s6_addr)/.test(lk)) {
          const r = child(x, 'right');
          if (r) writes.push(r);
        }
      } else if (x.type === 'call_expression' && /^inet_(pton|aton|addr)$/.test(callName(src, x))) {
        const cargs = callArgs(x);
        if (cargs.some((c) => names.has(baseIdentifier(src, addressee(c) ?? c)) && /(sin6?_addr|s_addr|s6_addr)/.test(keyOf(src, c)))) writes.push(x);
      } else if (x.type === 'call_expression' && !ADDRESS_USERS.test(callName(src, x))) {
        // uv_ip4_addr("127.0.0.1", port, &addr): a helper handed the whole buffer and an address
        // literal fills it from that literal.
        const cargs = callArgs(x);
        const literal = cargs.find((c) => unwrap(c).type === 'string_literal');
        if (literal && cargs.some((c) => isWholeBuffer(c, names))) writes.push(literal);
      }
    });
    let loopback = writes.length > 0 && writes.every((w) => isLoopbackLiteral(w));
    if (writes.length === 0 && depth === 0) {
      // `getsockname(listener, &addr)` then `connect(fd, &addr)`: the address the listener was bound to.
      walk(scope.node, (x) => {
        if (x.type !== 'call_expression' || callName(src, x) !== 'getsockname') return;
        const [sock, out] = callArgs(x);
        if (!sock || !out || baseIdentifier(src, addressee(out) ?? out) !== base) return;
        const sk = keyOf(src, sock);
        walk(scope.node, (y) => {
          if (y.type === 'call_expression' && callName(src, y) === 'bind' && keyOf(src, callArgs(y)[0] ?? y) === sk) {
            writes.push(y);
            if (addressOf(callArgs(y)[1], depth + 1).loopback) loopback = writes.length === 1 || loopback;
            else loopback = false;
          }
        });
      });
    }
    return family ? { loopback, family } : { loopback };
  }

  /**
   * A generic buffer (`struct sockaddr_storage`) whose family field is set here, every time to a
   * unix family or every time to an inet one, once on every path to `use`: `addr.ss_family =
   * AF_UNIX; connect(fd, &addr, …)` is a unix socket, whatever family socket() was given at run
   * time. A write under an `if` says nothing of the other paths (unbound's control client sets
   * AF_LOCAL on one and fills the address through a helper on the others).
   */
  function assignedFamily(base: string, use: CNode): Address['family'] {
    // The writes and what they agree on, once per function and buffer (asked per connect(): a
    // function with 3,000 of them took 6.9 s instead of 3.0 without this).
    let memo = familyMemo.get(scope.node);
    if (!memo) familyMemo.set(scope.node, (memo = new Map()));
    let found = memo.get(base);
    if (!found) {
      const writes = familyWrites(base, env);
      const atoms = writes.flatMap((w) => [...w.atoms]);
      const family = atoms.length === 0 ? undefined : atoms.every((a) => UNIX_FAMILIES.has(a)) ? 'unix' : atoms.every((a) => cat.inetDomains.has(a)) ? 'inet' : undefined;
      memo.set(base, (found = { writes: family ? writes.map((w) => w.value) : [], family }));
    }
    return found.writes.some((w) => onEveryPathTo(w, use)) ? found.family : undefined;
  }

  /** `&addr` (or `&alias`): the whole buffer, not a field of it. */
  function isWholeBuffer(arg: CNode, names: Set<string>): boolean {
    const u = unwrap(arg);
    if (u.type !== 'pointer_expression' || u.firstChild?.type !== '&') return false;
    const operand = child(u, 'argument');
    return !!operand && operand.type === 'identifier' && names.has(textOf(src, operand));
  }

  function isLoopbackLiteral(n: CNode | undefined): boolean {
    if (!n) return false;
    const t = textOf(src, n);
    if (cat.loopback.some((l) => t.includes(l))) return true;
    // `inet_addr(IPADDR)` with `#define IPADDR "127.0.0.1"`.
    return [...t.matchAll(/\b[A-Z_][A-Z0-9_]*\b/g)].some((m) => {
      const d = scope.file.defines.get(m[0]);
      return d !== undefined && cat.loopback.some((l) => d.includes(l));
    });
  }
}

/**
 * The key under which facts about a struct field or global are shared across functions:
 * `<declared type>.<field>` when the base variable's type is known, `?.field` otherwise,
 * `::name` for a global.
 */
export function fieldKey(scope: FnScope, n: CNode): string {
  const src = scope.file.src;
  // Collect the field path from the outside in: `srv->ls[i].fd` → [ls, fd] on base `srv`.
  const path: string[] = [];
  let cur: CNode | undefined = unwrap(n);
  while (cur) {
    if (cur.type === 'subscript_expression') cur = child(cur, 'argument');
    else if (cur.type === 'field_expression') {
      const f = child(cur, 'field');
      if (f) path.unshift(textOf(src, f));
      cur = child(cur, 'argument');
    } else if (cur.type === 'pointer_expression' && cur.firstChild?.type === '*') cur = child(cur, 'argument');
    else break;
    if (cur) cur = unwrap(cur);
  }
  if (!cur || cur.type !== 'identifier') return path.length ? `?.${path.join('.')}` : '';
  const name = textOf(src, cur);
  if (path.length === 0) {
    // `socks[n] = fd` / `*out = fd` through a parameter: an out-parameter the caller reads.
    const pi = scope.params.indexOf(name);
    if (pi >= 0 && unwrap(n) !== cur) return `param:${scope.name}#${pi}`;
    return scope.locals.has(name) ? '' : `::${name}`;
  }
  const d = scope.locals.get(name) ?? scope.file.globals.get(name);
  return `${d && d.type ? d.type : '?'}.${path.join('.')}`;
}
