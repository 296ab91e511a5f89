// Pass 2: every socket site of one file, classified (tcp, role, loopback) and with its
// keepalive evidence, using the project facts from pass 1. Pure: (text, tree, project) → sites.
import type { Evidence, Role, Site, Tcp } from '../../engine/types.js';
import { callArgs, callName, child, enclosing, keyOf, lineCol, textOf, unwrap, walk } from './ast.js';
import type { Effects, KaEvidence } from './effects.js';
import { mergeEffects } from './effects.js';
import type { CNode } from './parse.js';
import type { CProject } from './project.js';
import { buildFileScope, buildFnScope, type FileScope, type FnScope } from './scope.js';
import { findSites, type RawSite, type SocketAlias } from './sites.js';
import { fieldKey, track } from './track.js';
import { atomsOf, tcpVerdict, type ValueEnv } from './values.js';

export interface CSite extends Site {
  raw: RawSite;
  /** The resolved effects on the descriptor (for fixes and --list-sites). */
  effects: Effects;
  fnName: string;
  /** For accepted sockets: the listener's site when it is visible in this file. */
  listener?: CSite;
}

export interface AnalyzeOptions {
  extraHelpers?: string[];
}

export function analyzeCFile(file: string, src: string, root: CNode, project: CProject, opts: AnalyzeOptions = {}): CSite[] {
  const scope = buildFileScope(file, src, root);
  const aliases = new Map<string, SocketAlias>(project.socketAliases);
  const raws = findSites(src, root, aliases);
  const fnScopes = new Map<CNode, FnScope>();
  const scopeFor = (fn: CNode): FnScope => {
    let s = fnScopes.get(fn);
    if (!s) {
      s = buildFnScope(scope, fn);
      fnScopes.set(fn, s);
    }
    return s;
  };
  const extraHelpers = new Set([...project.helperNames, ...(opts.extraHelpers ?? [])]);
  const done = new Map<RawSite, CSite>();
  const ctx: Ctx = { file, src, scope, project, scopeFor, extraHelpers, raws, done, inProgress: new Set() };
  return raws.map((r) => analyzeSite(ctx, r));
}

interface Ctx {
  file: string;
  src: string;
  scope: FileScope;
  project: CProject;
  scopeFor: (fn: CNode) => FnScope;
  extraHelpers: Set<string>;
  raws: RawSite[];
  done: Map<RawSite, CSite>;
  inProgress: Set<RawSite>;
}

function analyzeSite(ctx: Ctx, raw: RawSite): CSite {
  const cached = ctx.done.get(raw);
  if (cached) return cached;
  ctx.inProgress.add(raw);
  const { src, project } = ctx;
  const fnNode = enclosing(raw.call, 'function_definition');
  const notes: string[] = [];
  const lc = lineCol(raw.call);
  const span = { start: raw.call.start, end: raw.call.end, ...lc };
  const name = raw.target.key;
  const base: CSite = {
    lang: 'c',
    api: raw.api,
    span,
    name,
    tcp: 'unknown',
    role: 'unknown',
    keepalive: 'none',
    loopback: false,
    notes,
    raw,
    effects: {},
    fnName: '',
  };
  if (!fnNode) {
    notes.push('not inside a function body');
    ctx.done.set(raw, base);
    return base;
  }
  const fs = ctx.scopeFor(fnNode);
  base.fnName = fs.name;
  const env: ValueEnv = {
    scope: fs,
    paramAtoms: (fn, i) => project.paramAtoms(fn, i),
    projectDefines: project.defines,
  };

  // --- what happens to the descriptor --------------------------------------------------
  let effects = followDescriptor(ctx, fs, env, raw);
  base.effects = effects;

  // --- tcp ------------------------------------------------------------------------------
  let tcp: Tcp;
  let listenerSite: CSite | undefined;
  let listenerKa: KaEvidence | undefined;
  let listenerLoopback = false;
  if (raw.api === 'socket') {
    const v = tcpVerdict(atomsOf(raw.args[0], env), atomsOf(raw.args[1], env), atomsOf(raw.args[2], env));
    tcp = v.tcp;
    notes.push(...v.notes);
    if (tcp === 'unknown' && v.type === 'yes' && effects.tcpOption) {
      tcp = 'yes';
      notes.push(`${effects.tcpOption} is set on it, so it is TCP`);
    } else if (tcp === 'unknown' && v.type === 'yes' && v.domain === 'dynamic') {
      notes.push('the address family is decided at run time');
    }
  } else {
    const l = listenerOf(ctx, fs, env, raw);
    tcp = l.tcp;
    notes.push(...l.notes);
    listenerSite = l.site;
    listenerKa = l.keepalive;
    listenerLoopback = l.loopback;
    if (tcp === 'unknown' && effects.tcpOption) {
      tcp = 'yes';
      notes.push(`${effects.tcpOption} is set on it, so it is TCP`);
    }
  }

  // --- role -----------------------------------------------------------------------------
  let role: Role;
  const stored = effects.stored ?? [];
  const fieldFacts = stored.map((k) => project.field(k)).filter((f) => f !== undefined);
  if (raw.api !== 'socket') role = 'accepted';
  else if (effects.listen !== undefined || effects.acceptFrom !== undefined) role = 'listener';
  else if (effects.connect) role = 'client';
  else if (fieldFacts.some((f) => f.listener)) role = 'listener';
  else if (fieldFacts.some((f) => f.client)) role = 'client';
  else if (effects.escape || raw.target.kind === 'return' || raw.target.kind === 'argument') role = 'unknown';
  else role = 'other';
  if (role === 'unknown') notes.push(`the descriptor escapes (${effects.escape ?? (raw.target.kind === 'return' ? 'returned' : 'passed on')})`);
  if (role === 'other') notes.push(effects.close !== undefined ? 'closed without connect() or listen(): a probe' : 'never connected or listened');

  // --- loopback -------------------------------------------------------------------------
  let loopback = false;
  if (role === 'client' && effects.connect?.loopback) loopback = true;
  if (role === 'listener' && effects.bind?.loopback) loopback = true;
  if (role === 'accepted' && listenerLoopback) loopback = true;
  if (raw.api === 'socket' && !effects.connect && !effects.bind && fieldFacts.length && fieldFacts.every((f) => f.loopback)) loopback = true;
  if (loopback) notes.push('bound/connected to loopback only');

  // --- evidence -------------------------------------------------------------------------
  let ka: KaEvidence | undefined = effects.keepalive;
  let evidence: Evidence = 'none';
  if (!ka) {
    for (const f of fieldFacts) if (f.keepalive) ka = f.keepalive;
    if (ka) ka = { ...ka, kind: ka.kind === 'conditional' ? 'conditional' : 'wrapper' };
  }
  if (ka && ka.valueParam !== undefined) {
    const atoms = project.paramAtoms(fs.name, ka.valueParam);
    if (atoms && [...atoms].every((a) => a === '0')) {
      effects = { ...effects, disabled: { line: ka.line, file: ka.file } };
      ka = undefined;
    } else if (!atoms || [...atoms].some((a) => a === '?')) ka = { ...ka, kind: 'conditional', via: `${ka.via} (on when ${fs.params[ka.valueParam]} is set)` };
  }
  if (ka) {
    evidence = ka.kind;
    notes.push(`keepalive: ${ka.via} at ${ka.file === ctx.file ? '' : `${ka.file}:`}${ka.line}`);
  } else if (raw.api !== 'socket' && listenerKa) {
    evidence = 'inherited';
    ka = listenerKa;
    notes.push(`keepalive inherited from the listener (${listenerKa.via} at ${listenerKa.file === ctx.file ? '' : `${listenerKa.file}:`}${listenerKa.line})`);
  }
  if (evidence === 'none' && effects.disabled) notes.push(`SO_KEEPALIVE is set to 0 at ${effects.disabled.file === ctx.file ? '' : `${effects.disabled.file}:`}${effects.disabled.line}`);
  if (evidence === 'none' && effects.tunedOnly) notes.push(`TCP_KEEP* tuned at line ${effects.tunedOnly.line} but SO_KEEPALIVE is never turned on`);

  const site: CSite = { ...base, tcp, role, keepalive: evidence, loopback, effects, ...(listenerSite ? { listener: listenerSite } : {}) };
  if (ka) site.evidenceLine = ka.line;
  if (effects.disabled && evidence === 'none') site.flags = { keepaliveDisabled: true };
  ctx.inProgress.delete(raw);
  ctx.done.set(raw, site);
  return site;
}

/** Tracks the descriptor from its creation to the end of the function, then to callers when returned. */
function followDescriptor(ctx: Ctx, fs: FnScope, env: ValueEnv, raw: RawSite): Effects {
  const { src, project } = ctx;
  const holders = new Map<string, string>();
  const containers = new Map<string, string>();
  let initial: Effects = {};
  const t = raw.target;
  if (t.key) {
    holders.set(t.key, '');
    const tn = t.node ? unwrap(t.node) : undefined;
    if (tn && tn.type === 'field_expression') {
      const arg = child(tn, 'argument');
      const f = child(tn, 'field');
      const argKey = arg ? keyOf(src, arg) : '';
      if (arg && f && /^[A-Za-z_]\w*$/.test(argKey) && fs.locals.has(argKey) && !fs.params.includes(argKey)) containers.set(argKey, textOf(src, f));
      const fk = fieldKey(fs, tn);
      if (fk) initial.stored = [fk];
      if (!fs.locals.has(argKey) || fs.params.includes(argKey)) initial.escape = `stored in ${t.key}`;
    } else if (tn && tn.type === 'subscript_expression') {
      const fk = fieldKey(fs, tn);
      if (fk) initial.stored = [fk];
      const b = keyOf(src, child(tn, 'argument') ?? tn);
      if (!fs.locals.has(b)) initial.escape = `stored in ${t.key}`;
    } else if (tn && tn.type === 'identifier' && !fs.locals.has(t.key)) {
      initial.stored = [`::${t.key}`];
      initial.escape = `stored in global ${t.key}`;
    } else if (tn && tn.type === 'pointer_expression') {
      initial.escape = `stored through ${t.key}`;
    }
  } else if (t.kind === 'return') {
    initial = { returned: [''], escape: 'returned' };
  } else if (t.kind === 'argument') {
    // `register_fd(socket(...))`: the call consuming it decides.
    const outer = raw.call.parent?.parent;
    if (outer && outer.type === 'call_expression') {
      const idx = callArgs(outer).findIndex((a) => unwrap(a) === raw.call || a === raw.call || (a.start <= raw.call.start && a.end >= raw.call.end));
      initial = { escape: `passed to ${callName(src, outer)}()` };
      if (idx >= 0) {
        initial.edges = [{ callee: callName(src, outer), arg: idx, path: '', args: [], line: outer.startRow + 1, file: ctx.file }];
      }
    }
  }
  const tagged = holders.size ? track({ env, holders, containers, from: raw.call.end, resultDepth: 1, extraHelpers: ctx.extraHelpers }) : {};
  let local = mergeEffects(initial, tagged[''] ?? {});
  let effects = project.resolve(local, ctx.file);
  if (effects.escape === `passed to ${effects.edges?.[0]?.callee}()`) void 0;
  // A factory: the socket is returned to callers, who connect it and (maybe) set keepalive.
  if (effects.returned?.length) {
    const up = project.callersOf(fs.name, ctx.file, effects.returned[0]!);
    if (up) {
      const { returned: _r, escape, keepalive, ...keep } = effects;
      void _r;
      const merged = mergeEffects(escape && escape !== 'returned' ? { ...keep, escape } : keep, { ...up.effects, keepalive: undefined });
      merged.keepalive = keepalive ?? up.effects.keepalive;
      if (!merged.keepalive && !merged.escape && !merged.connect && !merged.listen) merged.escape = 'returned';
      effects = merged;
    }
  }
  void local;
  return effects;
}

interface ListenerInfo {
  tcp: Tcp;
  keepalive?: KaEvidence;
  loopback: boolean;
  site?: CSite;
  notes: string[];
}

/** accept() is TCP when its listener is: find the listener here, in a field, or via the address type. */
function listenerOf(ctx: Ctx, fs: FnScope, env: ValueEnv, raw: RawSite): ListenerInfo {
  const { src, project } = ctx;
  const larg = raw.args[0];
  const notes: string[] = [];
  if (!larg) return { tcp: 'unknown', loopback: false, notes: ['accept() without arguments'] };
  const lkey = keyOf(src, larg);
  // 1. A socket() site in this function assigned to the same name, or aliased into it.
  const local = ctx.raws.filter((r) => r.api === 'socket' && r.call.start < raw.call.start && enclosing(r.call, 'function_definition') === fs.node);
  for (const r of local.reverse()) {
    if (ctx.inProgress.has(r)) continue;
    if (r.target.key === lkey || aliasesOf(ctx, fs, r).has(lkey)) {
      const s = analyzeSite(ctx, r);
      notes.push(`listener ${lkey} created at line ${s.span.line}`);
      return { tcp: s.tcp, ...(s.effects.keepalive ? { keepalive: s.effects.keepalive } : {}), loopback: s.loopback, site: s, notes };
    }
  }
  // 2. A struct field or global that holds listeners (set up in another function or file).
  const ln = unwrap(larg);
  if (ln.type !== 'identifier' || !fs.locals.has(lkey)) {
    const fk = fieldKey(fs, ln);
    const f = fk ? project.field(fk) : undefined;
    if (f && (f.sites.length || f.uses.length)) {
      const tcps = [...f.tcp];
      const tcp: Tcp = tcps.includes('yes') ? 'yes' : tcps.length && tcps.every((t) => t === 'no') ? 'no' : 'unknown';
      notes.push(`listener ${lkey} is ${fk} (${f.sites.length} socket(s) stored there: ${tcps.join('/') || 'unknown'})`);
      if (tcp !== 'unknown' || f.keepalive) return { tcp: tcp === 'unknown' ? fromAddress(ctx, fs, raw, notes) : tcp, ...(f.keepalive ? { keepalive: f.keepalive } : {}), loopback: f.loopback, notes };
    }
  }
  // 3. The listener is a parameter: look at callers in this file.
  const pi = ln.type === 'identifier' ? fs.params.indexOf(lkey) : -1;
  if (pi >= 0) {
    const fromCallers = callersInFile(ctx, fs, pi);
    if (fromCallers) {
      notes.push(...fromCallers.notes);
      if (fromCallers.tcp !== 'unknown') return { ...fromCallers, notes };
    }
  }
  // 4. The address buffer's type: sockaddr_in(6) is TCP/IP, sockaddr_un is not.
  const tcp = fromAddress(ctx, fs, raw, notes);
  return { tcp, loopback: false, notes };
}

function fromAddress(ctx: Ctx, fs: FnScope, raw: RawSite, notes: string[]): Tcp {
  const addr = raw.args[1];
  if (!addr) return 'unknown';
  const { src } = ctx;
  const a = unwrap(addr);
  const target = a.type === 'pointer_expression' ? child(a, 'argument') : a;
  const name = target ? keyOf(src, target) : '';
  const d = fs.locals.get(name) ?? ctx.scope.globals.get(name);
  const type = d?.type ?? '';
  if (/^sockaddr_in6?$/.test(type)) {
    notes.push(`peer address buffer is struct ${type}`);
    return 'yes';
  }
  if (type === 'sockaddr_un') {
    notes.push('peer address buffer is struct sockaddr_un');
    return 'no';
  }
  notes.push(`listener not visible${type ? `; peer address buffer is ${type}` : ''}`);
  return 'unknown';
}

function callersInFile(ctx: Ctx, fs: FnScope, index: number): ListenerInfo | undefined {
  const { src } = ctx;
  let result: ListenerInfo | undefined;
  for (const fn of ctx.scope.functions) {
    if (fn === fs.node) continue;
    walk(fn, (n) => {
      if (result || n.type !== 'call_expression' || callName(src, n) !== fs.name) return;
      const arg = callArgs(n)[index];
      if (!arg) return;
      const callerScope = ctx.scopeFor(fn);
      const key = keyOf(src, arg);
      const site = ctx.raws.find((r) => r.api === 'socket' && r.target.key === key && enclosing(r.call, 'function_definition') === fn && !ctx.inProgress.has(r));
      if (site) {
        const s = analyzeSite(ctx, site);
        result = { tcp: s.tcp, ...(s.effects.keepalive ? { keepalive: s.effects.keepalive } : {}), loopback: s.loopback, site: s, notes: [`listener passed by ${callerScope.name}() from line ${s.span.line}`] };
        return;
      }
      const u = unwrap(arg);
      if (u.type !== 'identifier' || !callerScope.locals.has(key)) {
        const fk = fieldKey(callerScope, u);
        const f = fk ? ctx.project.field(fk) : undefined;
        if (f && f.tcp.size) {
          const tcps = [...f.tcp];
          result = {
            tcp: tcps.includes('yes') ? 'yes' : tcps.every((t) => t === 'no') ? 'no' : 'unknown',
            ...(f.keepalive ? { keepalive: f.keepalive } : {}),
            loopback: f.loopback,
            notes: [`listener passed by ${callerScope.name}() from ${fk}`],
          };
        }
      }
    });
    if (result) break;
  }
  return result;
}

/** Local names a socket site's descriptor is copied into (`s = fd`). */
function aliasesOf(ctx: Ctx, fs: FnScope, r: RawSite): Set<string> {
  const out = new Set<string>();
  if (!r.target.key) return out;
  walk(fs.node, (n) => {
    if (n.start < r.call.end) return;
    if (n.type === 'assignment_expression' || n.type === 'init_declarator') {
      const l = child(n, n.type === 'init_declarator' ? 'declarator' : 'left');
      const v = child(n, n.type === 'init_declarator' ? 'value' : 'right');
      if (l && v && keyOf(ctx.src, v) === r.target.key) out.add(keyOf(ctx.src, l).replace(/^\*+/, ''));
    }
  });
  return out;
}

export { atomsOf };
export type { Site };
void callArgs;
void walk;
