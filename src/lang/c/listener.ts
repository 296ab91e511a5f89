// accept() is TCP when its listener is, and inherits the listener's keepalive. The listener
// expression is followed wherever it leads: a socket() in the same function, a struct field or
// global set up elsewhere, a factory's return value, or the callers' arguments.
import { basename } from 'node:path';
import type { Tcp } from '../../engine/types.js';
import { callArgs, callName, child, keyOf, unwrap, walk } from './ast.js';
import type { KaEvidence } from './effects.js';
import { analyzeSite, socketFacts, type Ctx, type CSite } from './analyze.js';
import type { CFileModel } from './model.js';
import type { CNode } from './parse.js';
import type { CProject } from './project.js';
import type { FnScope } from './scope.js';
import { findSites, type RawSite } from './sites.js';
import { fieldKey, track } from './track.js';
import { baseIdentifier } from './values.js';

export interface ListenerInfo {
  tcp: Tcp;
  keepalive?: KaEvidence;
  loopback: boolean;
  site?: CSite;
  notes: string[];
}

const MAX_DEPTH = 4;

export function describeListener(ctx: Ctx, fs: FnScope, raw: RawSite): ListenerInfo {
  const larg = raw.args[0];
  if (!larg) return { tcp: 'unknown', loopback: false, notes: ['accept() without arguments'] };
  const found = describeExpr(ctx.project, ctx.model, fs, larg, raw.call.start, 0, new Set(), ctx);
  const info: ListenerInfo = found ?? { tcp: 'unknown', loopback: false, notes: [`listener ${keyOf(ctx.model.src, larg)} not visible`] };
  if (info.tcp !== 'unknown') return info;
  const byAddress = addressBufferTcp(ctx.model, fs, raw, info.notes);
  if (byAddress !== 'unknown') return { ...info, tcp: byAddress };
  const named = tcpByName(fs.name, ctx.model.file);
  if (named) {
    info.notes.push(`decided from the name ${fs.name}() in ${basename(ctx.model.file)}`);
    return { ...info, tcp: named };
  }
  return info;
}

/**
 * For an accept() wrapper whose listener is a parameter: does this caller's listener make the
 * accepted socket a real TCP connection? (Not when it is a unix or loopback-only listener, as in
 * a socketpair emulation sharing the wrapper.)
 */
export function listenerForCaller(project: CProject, fs: FnScope, raw: RawSite): ((u: { node: CNode; scope: FnScope; file: string }) => boolean) | undefined {
  const larg = raw.args[0] && unwrap(raw.args[0]);
  const pi = larg && larg.type === 'identifier' ? fs.params.indexOf(keyOf(fs.file.src, larg)) : -1;
  if (pi < 0) return undefined;
  return (u) => {
    const arg = callArgs(u.node)[pi];
    const m = project.model(u.file);
    if (!arg || !m) return true;
    const info = describeExpr(project, m, u.scope, arg, u.node.start, 1, new Set());
    return !info || (info.tcp !== 'no' && !info.loopback);
  };
}

/** Per function node: its socket() sites (every accept() of a listener there asked for them again, each a walk of the function). */
const socketSites = new WeakMap<CNode, RawSite[]>();

function socketSitesIn(fs: FnScope, project: CProject): RawSite[] {
  let sites = socketSites.get(fs.node);
  if (!sites) socketSites.set(fs.node, (sites = findSites(fs.file.src, fs.node, project.socketAliases).filter((r) => r.api === 'socket')));
  return sites;
}

/** What the socket held by `expr` (evaluated just before offset `before` in `fs`) is. */
function describeExpr(project: CProject, model: CFileModel, fs: FnScope, expr: CNode, before: number, depth: number, seen: Set<string>, ctx?: Ctx): ListenerInfo | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const src = model.src;
  const e = unwrap(expr);
  const key = keyOf(src, e);
  const visitKey = `${model.file}:${fs.node.start}:${key}`;
  if (seen.has(visitKey)) return undefined;
  seen.add(visitKey);
  if (e.type === 'call_expression') return describeCallResult(project, model, fs, e, depth, seen, ctx);

  // 1. A socket() in this function that this name holds (directly or as a copy).
  const local = socketSitesIn(fs, project).filter((r) => r.call.start < before);
  for (const r of local.reverse()) {
    if (r.target.key !== key && !copiesOf(src, fs, r).has(key)) continue;
    if (ctx && ctx.model === model) {
      if (ctx.inProgress.has(r)) continue;
      const s = analyzeSite(ctx, r);
      return { tcp: s.tcp, ...kaOf(s.effects.keepalive), loopback: s.loopback, site: s, notes: [`listener ${key} created at line ${s.span.line}`] };
    }
    const f = socketFacts(project, fs, r, project.helperNames);
    return {
      tcp: f.verdict.tcp === 'unknown' && f.effects.tcpOption ? 'yes' : f.verdict.tcp,
      ...kaOf(f.effects.keepalive),
      loopback: !!f.effects.bind?.loopback,
      notes: [`listener created in ${fs.name}() at ${model.file}:${r.call.startRow + 1}`],
    };
  }
  // Keepalive set on the listener name here, before the accept (e.g. on a parameter).
  const here = track({ env: { scope: fs }, holders: new Map([[key, '']]), containers: new Map(), from: fs.node.start, resultDepth: 0 })[''];
  const hereKa = here?.keepalive;

  // 2. A struct field or global that holds listeners (set up in another function or file).
  const isLocal = e.type === 'identifier' && fs.locals.has(key);
  if (!isLocal) {
    const fk = fieldKey(fs, e);
    let f = fk ? project.field(fk) : undefined;
    // An event loop often reaches the listening socket through a wrapper (`lc->fd` of the
    // connection made for it) while the listener struct itself is at hand (`ngx_listening_t *ls`):
    // use the listening-struct field of that name when this field says nothing about listening.
    if (fk && !(f && f.listener)) {
      const field = fk.slice(fk.lastIndexOf('.') + 1);
      for (const d of fs.locals.values()) {
        const other = d.type && d.type !== fk.slice(0, fk.indexOf('.')) ? project.field(`${d.type}.${field}`) : undefined;
        if (other && other.listener) {
          f = other;
          break;
        }
      }
    }
    if (f && (f.sites || f.uses.length)) {
      const tcps = [...f.tcp];
      let tcp: Tcp = tcps.includes('yes') ? 'yes' : tcps.length && tcps.every((t) => t === 'no') ? 'no' : 'unknown';
      const notes = [`listener ${key} is ${fk} (${f.sites} socket(s) stored there: ${tcps.join('/') || 'unknown'})`];
      // A field shared by TCP and non-TCP listeners: the accepting function's name decides.
      if (tcps.includes('yes') && tcps.includes('no')) {
        const named = tcpByName(fs.name, model.file);
        if (named) {
          tcp = named;
          notes.push(`mixed field; decided from the name ${fs.name}()`);
        }
      }
      const ka = hereKa ?? f.listenerKeepalive ?? (f.listener ? f.keepalive : undefined);
      return { tcp, ...kaOf(ka), loopback: f.loopback, notes };
    }
  }
  // 3. A local that received a factory's result: `lfd = make_listener(...)`.
  if (isLocal) {
    const source = lastCallAssigned(src, fs, key, before);
    if (source) {
      const r = describeCallResult(project, model, fs, source, depth, seen, ctx);
      // Bound here after the factory made it: `s = make_socket(); bind(s, loopback)`.
      if (r) return { ...r, ...(hereKa ? { keepalive: hereKa } : {}), loopback: r.loopback || !!here?.bind?.loopback };
    }
  }
  // 4. An array a helper filled with listeners: `n = open_listeners(socks, …); accept(socks[i])`.
  const base = e.type === 'subscript_expression' || (e.type === 'pointer_expression' && e.firstChild?.type === '*') ? baseIdentifier(src, e) : '';
  if (base && fs.locals.has(base) && !fs.params.includes(base)) {
    const keys = new Set<string>();
    walk(fs.node, (n) => {
      if (n.start >= before) return false;
      if (n.type !== 'call_expression') return;
      callArgs(n).forEach((a, j) => {
        if (baseIdentifier(src, a) === base && !/\[/.test(keyOf(src, a).replace(/^&/, '').replace(/\[0\]$/, ''))) {
          for (const k of outParamKeys(project, callName(src, n), j, model.file, 0)) keys.add(k);
        }
      });
    });
    const facts = [...keys].map((k) => project.field(k)).filter((f) => f !== undefined && f.sites > 0);
    if (facts.length) {
      const tcps = facts.flatMap((f) => [...f!.tcp]);
      const tcp: Tcp = tcps.includes('yes') ? 'yes' : tcps.every((t) => t === 'no') ? 'no' : 'unknown';
      const all = facts.every((f) => f!.listenerKeepalive ?? f!.keepalive);
      const ka = all ? (facts[0]!.listenerKeepalive ?? facts[0]!.keepalive) : undefined;
      return { tcp, ...kaOf(hereKa ?? ka), loopback: facts.every((f) => f!.loopback), notes: [`listeners filled into ${base} by ${[...keys].map((k) => k.replace(/^param:/, '').replace(/#\d+$/, '()')).join(', ')}`] };
    }
  }
  // 5. A parameter: what the callers pass.
  const pi = e.type === 'identifier' ? fs.params.indexOf(key) : -1;
  if (pi >= 0) {
    const infos: ListenerInfo[] = [];
    for (const { model: m, call } of project.callSites(fs.name, fs.file.file)) {
      const arg = callArgs(call.node)[pi];
      if (!arg) continue;
      const r = describeExpr(project, m, call.scope, arg, call.node.start, depth + 1, seen);
      if (r) infos.push({ ...r, notes: [`listener passed by ${call.scope.name}() at ${m.file}:${call.node.startRow + 1}`, ...r.notes.slice(0, 1)] });
    }
    if (infos.length) {
      const combined = combine(infos);
      return hereKa ? { ...combined, keepalive: hereKa } : combined;
    }
  }
  if (hereKa) return { tcp: 'unknown', keepalive: hereKa, loopback: false, notes: [] };
  return undefined;
}

/** `param:g#j` and, where g hands that parameter on, the callee's out-parameters too. */
function outParamKeys(project: CProject, fn: string, index: number, file: string, depth: number): string[] {
  const keys = [`param:${fn}#${index}`];
  if (depth > 3) return keys;
  for (const def of project.definitions(fn, file)) {
    const p = def.fs.params[index];
    if (!p) continue;
    walk(def.fs.node, (n) => {
      if (n.type !== 'call_expression') return;
      callArgs(n).forEach((a, j) => {
        if (baseIdentifier(def.model.src, a) === p) keys.push(...outParamKeys(project, callName(def.model.src, n), j, def.model.file, depth + 1));
      });
    });
  }
  return keys;
}

/** The socket a call returns: follow `return x;` in the callee's definitions. */
function describeCallResult(project: CProject, model: CFileModel, fs: FnScope, call: CNode, depth: number, seen: Set<string>, ctx?: Ctx): ListenerInfo | undefined {
  const name = callName(model.src, call);
  if (!/^[A-Za-z_]\w*$/.test(name)) return undefined;
  const infos: ListenerInfo[] = [];
  for (const def of project.definitions(name, model.file)) {
    walk(def.fs.node, (n) => {
      if (n.type !== 'return_statement') return;
      const v = n.children.find((c) => c.named && c.type !== 'comment');
      if (!v) return;
      const r = describeExpr(project, def.model, def.fs, v, n.start, depth + 1, seen, ctx && ctx.model === def.model ? ctx : undefined);
      if (r) infos.push({ ...r, notes: [`listener made by ${name}()`, ...r.notes.slice(0, 1)] });
    });
  }
  return infos.length ? combine(infos) : undefined;
}

function combine(infos: ListenerInfo[]): ListenerInfo {
  const tcps = infos.map((i) => i.tcp);
  const tcp: Tcp = tcps.includes('yes') ? 'yes' : tcps.every((t) => t === 'no') ? 'no' : 'unknown';
  const relevant = infos.filter((i) => i.tcp !== 'no');
  const allKa = relevant.length > 0 && relevant.every((i) => i.keepalive);
  const out: ListenerInfo = { tcp, loopback: infos.every((i) => i.loopback), notes: infos.flatMap((i) => i.notes).slice(0, 3) };
  if (allKa) out.keepalive = relevant[0]!.keepalive!;
  const site = infos.find((i) => i.site)?.site;
  if (site) out.site = site;
  return out;
}

function kaOf(ka: KaEvidence | undefined): { keepalive?: KaEvidence } {
  return ka ? { keepalive: ka } : {};
}

/** The last `key = call(...)` / `T key = call(...)` before `before`. */
function lastCallAssigned(src: string, fs: FnScope, key: string, before: number): CNode | undefined {
  let found: CNode | undefined;
  walk(fs.node, (n) => {
    if (n.start >= before) return false;
    if (n.type !== 'assignment_expression' && n.type !== 'init_declarator') return;
    const l = child(n, n.type === 'init_declarator' ? 'declarator' : 'left');
    const r = child(n, n.type === 'init_declarator' ? 'value' : 'right');
    if (!l || !r || keyOf(src, l).replace(/^\*+/, '') !== key) return;
    const u = unwrap(r);
    if (u.type === 'call_expression') found = u;
  });
  return found;
}

/** Local names a socket site's descriptor is copied into (`s = fd`). */
function copiesOf(src: string, fs: FnScope, r: RawSite): Set<string> {
  const out = new Set<string>();
  if (!r.target.key) return out;
  walk(fs.node, (n) => {
    if (n.end < r.call.end) return false;
    if (n.type === 'assignment_expression' || n.type === 'init_declarator') {
      const l = child(n, n.type === 'init_declarator' ? 'declarator' : 'left');
      const v = child(n, n.type === 'init_declarator' ? 'value' : 'right');
      if (l && v && n.start >= r.call.end && keyOf(src, v) === r.target.key) out.add(keyOf(src, l).replace(/^\*+/, ''));
    }
  });
  return out;
}

/** sockaddr_in(6) peer buffers mean TCP/IP; sockaddr_un means a unix socket. */
function addressBufferTcp(model: CFileModel, fs: FnScope, raw: RawSite, notes: string[]): Tcp {
  const addr = raw.args[1];
  if (!addr) return 'unknown';
  const a = unwrap(addr);
  const target = a.type === 'pointer_expression' ? child(a, 'argument') : a;
  const name = target ? keyOf(model.src, target) : '';
  const d = fs.locals.get(name) ?? model.scope.globals.get(name);
  const type = d?.type ?? '';
  if (/^sockaddr_in6?$/.test(type)) {
    notes.push(`peer address buffer is struct ${type}`);
    return 'yes';
  }
  if (type === 'sockaddr_un') {
    notes.push('peer address buffer is struct sockaddr_un');
    return 'no';
  }
  if (type) notes.push(`peer address buffer is ${type}`);
  return 'unknown';
}

/** Last resort, as a reader would: `tcp_acceptor()` in tcp-accept.c accepts TCP; `*_sctp_*`, unix ones do not. */
function tcpByName(fnName: string, file: string): Tcp | undefined {
  const text = `${fnName} ${basename(file)}`;
  if (/(sctp|udp|unix|uds)/i.test(text)) return 'no';
  if (/tcp/i.test(text)) return 'yes';
  return undefined;
}

