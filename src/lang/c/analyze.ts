// Pass 2: every socket site of one file, classified (tcp, role, loopback) and with its
// keepalive evidence, using the project. Pure over (file model, project).
import type { Evidence, Role, Site, Tcp } from '../../engine/types.js';
import { callArgs, callName, keyOf, lineCol, textOf, unwrap, walk } from './ast.js';
import type { CNode } from './parse.js';
import type { Effects, KaEvidence } from './effects.js';
import { isProbe, mergeEffects } from './effects.js';
import { describeListener, listenerForCaller, type ListenerInfo } from './listener.js';
import { enclosingFunction, localSiteEffects, type CFileModel } from './model.js';
import type { CProject, Relevance } from './project.js';
import type { HelperNames } from './track.js';
import type { FnScope } from './scope.js';
import { findSites, mixedArg, type RawSite } from './sites.js';
import { atomsOf, fixedAtoms, siteArgAtoms, tcpVerdict, union, type TcpVerdict, type ValueEnv } from './values.js';

export interface CSite extends Site {
  raw: RawSite;
  /** The file model (configuration) the site was found in. */
  model: CFileModel;
  /** The resolved effects on the descriptor (for fixes and --list-sites). */
  effects: Effects;
  fnName: string;
  /** For accepted sockets: the listener's site when it is visible in this file. */
  listener?: CSite;
}

export interface AnalyzeOptions {
  extraHelpers?: string[];
}

/** Files whose code handles inet addresses: a run-time family there can be AF_INET. */
const INET_EVIDENCE = /\b(AF_INET6?|PF_INET6?|sockaddr_in6?|getaddrinfo|inet_pton|inet_addr|htons)\b/;

export function analyzeCFile(model: CFileModel, project: CProject, opts: AnalyzeOptions = {}): CSite[] {
  const extraHelpers = project.helperNames;
  const raws = findSites(model.src, model.root, project.socketAliases);
  const ctx: Ctx = { model, project, extraHelpers, raws, done: new Map(), inProgress: new Set() };
  const sites = raws.map((r) => analyzeSite(ctx, r));
  if (model.alternate) {
    // Sites that exist only in the other preprocessor configuration.
    const seen = new Set(raws.map((r) => r.call.start));
    const alt = model.alternate;
    const altRaws = findSites(alt.src, alt.root, project.socketAliases).filter((r) => !seen.has(r.call.start));
    const altCtx: Ctx = { model: alt, project, extraHelpers, raws: altRaws, done: new Map(), inProgress: new Set() };
    sites.push(...altRaws.map((r) => analyzeSite(altCtx, r)));
    sites.sort((a, b) => a.span.start - b.span.start);
  }
  return sites;
}

export interface Ctx {
  model: CFileModel;
  project: CProject;
  extraHelpers: HelperNames;
  raws: RawSite[];
  done: Map<RawSite, CSite>;
  inProgress: Set<RawSite>;
}

export function envFor(project: CProject, fs: FnScope): ValueEnv {
  return {
    scope: fs,
    paramAtoms: (fn, file, i) => project.paramAtoms(fn, file, i),
    callerArgs: (fn, file, i) =>
      project
        .callSites(fn, file)
        .map(({ call }) => ({ arg: callArgs(call.node)[i], scope: call.scope }))
        .filter((c): c is { arg: NonNullable<typeof c.arg>; scope: FnScope } => c.arg !== undefined),
    projectDefines: project.defines,
  };
}

/** A socket() site's TCP verdict and what happens to its descriptor, callers included. */
export function socketFacts(project: CProject, fs: FnScope, raw: RawSite, extraHelpers: HelperNames): { verdict: TcpVerdict; effects: Effects } {
  // Listener lookups reach the same socket() from many accept()s: compute it once per run.
  return project.memo(`socket:${fs.file.file}:${raw.call.start}`, () => {
    const env = envFor(project, fs);
    const verdict = tcpVerdict(siteArgAtoms(raw, 0, env), siteArgAtoms(raw, 1, env), siteArgAtoms(raw, 2, env));
    return { verdict, effects: followDescriptor(project, fs, raw, extraHelpers) };
  });
}

export function analyzeSite(ctx: Ctx, raw: RawSite): CSite {
  const cached = ctx.done.get(raw);
  if (cached) return cached;
  ctx.inProgress.add(raw);
  const { model, project } = ctx;
  const notes: string[] = [];
  const site: CSite = {
    lang: 'c',
    api: raw.api,
    span: { start: raw.call.start, end: raw.call.end, ...lineCol(raw.call) },
    name: raw.target.key,
    tcp: 'unknown',
    role: 'unknown',
    keepalive: 'none',
    loopback: false,
    notes,
    raw,
    model,
    effects: {},
    fnName: '',
  };
  const fnNode = enclosingFunction(raw.call);
  if (!fnNode) {
    notes.push('not inside a function body');
    ctx.done.set(raw, site);
    ctx.inProgress.delete(raw);
    return site;
  }
  const fs = model.fnScope(fnNode);
  site.fnName = fs.name;
  if (model.parseNote) notes.push(model.parseNote);

  // --- tcp and what happens to the descriptor --------------------------------------------
  let effects: Effects;
  let tcp: Tcp;
  let listener: ListenerInfo | undefined;
  if (raw.api === 'socket') {
    const f = socketFacts(project, fs, raw, ctx.extraHelpers);
    effects = f.effects;
    tcp = f.verdict.tcp;
    notes.push(...f.verdict.notes);
    tcp = refineTcp(tcp, f.verdict, effects, model.src, notes);
  } else {
    effects = followDescriptor(project, fs, raw, ctx.extraHelpers);
    listener = describeListener(ctx, fs, raw);
    tcp = listener.tcp;
    notes.push(...listener.notes);
    if (tcp === 'unknown' && effects.tcpOption) {
      tcp = 'yes';
      notes.push(`${effects.tcpOption} is set on it, so it is TCP`);
    }
  }
  site.effects = effects;

  // --- role -------------------------------------------------------------------------------
  const stored = effects.stored ?? [];
  const fieldFacts = stored.map((k) => project.field(k)).filter((f) => f !== undefined);
  let role: Role;
  if (raw.api !== 'socket') role = effects.probe ? 'other' : 'accepted';
  else if (effects.connect && effects.probe) role = 'other';
  // A factory may serve connecting and listening callers: a connecting one makes it a client.
  else if (effects.connect) role = 'client';
  else if (effects.listen !== undefined || effects.acceptFrom !== undefined) role = 'listener';
  else if (fieldFacts.some((f) => f.client)) role = 'client';
  else if (fieldFacts.some((f) => f.listener)) role = 'listener';
  else if (onlyIdleGlobals(stored, fieldFacts, effects)) {
    role = 'other';
    notes.push(`kept in ${stored.map((k) => k.replace(/^::/, 'global ')).join(', ')}, never connected or listened anywhere`);
  } else if (effects.escape || raw.target.kind === 'return' || raw.target.kind === 'argument') role = 'unknown';
  else role = 'other';
  if (role === 'unknown') notes.push(`the descriptor escapes (${effects.escape ?? (raw.target.kind === 'return' ? 'returned' : 'passed on')})`);
  if (role === 'other' && !notes.some((n) => n.startsWith('kept in'))) {
    notes.push(
      raw.api !== 'socket' || effects.connect ? 'closed again without any data moved: a probe' : effects.close !== undefined ? 'closed without connect() or listen(): a probe' : 'never connected or listened',
    );
  }

  // --- loopback ---------------------------------------------------------------------------
  let loopback = false;
  if (role === 'client' && effects.connect?.loopback) loopback = true;
  if (role === 'listener' && effects.bind?.loopback) loopback = true;
  if (role === 'accepted' && listener?.loopback) loopback = true;
  if (raw.api === 'socket' && !effects.connect && !effects.bind && fieldFacts.length && fieldFacts.every((f) => f.loopback)) loopback = true;
  if (loopback) notes.push('bound/connected to loopback only');

  // --- evidence ---------------------------------------------------------------------------
  let ka: KaEvidence | undefined = effects.keepalive ?? project.tableKeepalive(effects);
  // Set elsewhere on the struct field or global that holds it: only when every such place has it.
  ka ??= project.storedKeepalive(effects);
  if (ka && ka.valueParam !== undefined) {
    const atoms = project.paramAtoms(fs.name, fs.file.file, ka.valueParam);
    if (atoms && [...atoms].every((a) => a === '0')) {
      effects = { ...effects, disabled: { line: ka.line, file: ka.file } };
      ka = undefined;
    } else if (!atoms || atoms.has('?')) ka = { ...ka, kind: 'conditional', via: `${ka.via} (on when ${fs.params[ka.valueParam]} is set)` };
  }
  let evidence: Evidence = 'none';
  const where = (k: { file: string; line: number }) => `${k.file === model.file ? 'line ' : `${k.file}:`}${k.line}`;
  if (ka) {
    evidence = ka.kind;
    notes.push(`keepalive: ${ka.via} at ${where(ka)}`);
  } else if (raw.api !== 'socket' && listener?.keepalive) {
    evidence = 'inherited';
    ka = listener.keepalive;
    notes.push(`keepalive inherited from the listener (${ka.via} at ${where(ka)})`);
  }
  if (evidence === 'none' && effects.disabled) notes.push(`SO_KEEPALIVE is set to 0 at ${where(effects.disabled)}`);
  if (evidence === 'none' && effects.tunedOnly) notes.push(`TCP_KEEP* tuned at ${where(effects.tunedOnly)} but SO_KEEPALIVE is never turned on`);

  Object.assign(site, { tcp, role, keepalive: evidence, loopback, effects });
  if (listener?.site) site.listener = listener.site;
  if (ka) site.evidenceLine = ka.line;
  if (effects.disabled && evidence === 'none') site.flags = { keepaliveDisabled: true };
  ctx.inProgress.delete(raw);
  ctx.done.set(raw, site);
  return site;
}

/** Second looks at an undecided socket(): what is done to it, and what the file handles. */
function refineTcp(tcp: Tcp, v: TcpVerdict, effects: Effects, src: string, notes: string[]): Tcp {
  const family = effects.connect?.family ?? effects.bind?.family;
  if (tcp !== 'no' && family === 'unix') {
    notes.push('its address is a unix one (a struct sockaddr_un, or a unix family written into it): a unix socket');
    return 'no';
  }
  if (tcp !== 'unknown' || v.type !== 'yes') return tcp;
  if (effects.tcpOption) {
    notes.push(`${effects.tcpOption} is set on it, so it is TCP`);
    return 'yes';
  }
  if (family === 'inet') {
    notes.push('its address is an inet one (a struct sockaddr_in/in6, or an inet family written into it)');
    return 'yes';
  }
  if ((v.domain === 'dynamic' || v.domain === 'unknown') && INET_EVIDENCE.test(src)) {
    notes.push('the address family is decided at run time and this file handles inet addresses: TCP is possible');
    return 'yes';
  }
  return tcp;
}

/** A descriptor parked in globals that nothing anywhere connects, listens on or configures. */
function onlyIdleGlobals(stored: string[], fields: Array<{ listener: boolean; client: boolean; uses: unknown[] }>, effects: Effects): boolean {
  if (!stored.length || !stored.every((k) => k.startsWith('::'))) return false;
  if (effects.edges?.length || effects.returned?.length) return false;
  if (effects.escape && !/^stored in global /.test(effects.escape)) return false;
  return fields.length === stored.length && fields.every((f) => !f.listener && !f.client && f.uses.length === 0);
}

/** No call runs between the accept() and the close() of its descriptor. */
function closedRightAway(fs: FnScope, raw: RawSite): boolean {
  const src = fs.file.src;
  const calls: CNode[] = [];
  walk(fs.node, (n) => {
    if (n.type === 'call_expression' && n.start >= raw.call.end) calls.push(n);
  });
  const close = calls.find((c) => /close/i.test(callName(src, c)) && keyOf(src, callArgs(c)[0] ?? c) === raw.target.key);
  if (!close) return false;
  return !calls.some((c) => c.start < close.start && c !== close && !(c.start >= close.start && c.end <= close.end));
}

/** A socket() argument: known atoms, or a parameter of the function the caller calls (with what a macro or the call ORs onto it). */
type ArgSource = { atoms: Set<string> } | { param: number; extra?: string };

/** For a socket() whose arguments are parameters: is it TCP for the arguments of this call? */
function tcpForCaller(project: CProject, fs: FnScope, raw: RawSite): Relevance | undefined {
  if (raw.api !== 'socket') return undefined;
  const env = envFor(project, fs);
  const sources = raw.args.slice(0, 3).map((a, k): ArgSource => {
    const p = paramOf(fs, a);
    // A macro may or constants onto the parameter (`(type) | SOCK_CLOEXEC`), and so may the call.
    return p ? withExtra(p, raw.fixed?.[k]) : { atoms: siteArgAtoms(raw, k, env) };
  });
  return sources.some((x) => 'param' in x) ? tcpRelevance(project, sources) : undefined;
}

/**
 * Judges a caller by what it passes. A caller that passes its own parameter on (`sock_create(…,
 * sock_type)`) is TCP or not depending on its callers: it is kept, and its callers are judged
 * the same way one level up. haproxy's backend socket is made two calls below the callers that
 * pass SOCK_STREAM (TCP, with keepalive) or SOCK_DGRAM (QUIC): the QUIC caller counted as a TCP
 * use without keepalive.
 */
function tcpRelevance(project: CProject, sources: ArgSource[]): Relevance {
  return (use) => {
    const callerEnv = envFor(project, use.scope);
    const args = callArgs(use.node);
    const up: ArgSource[] = [];
    const atoms = sources.map((x) => {
      if ('atoms' in x) {
        up.push(x);
        return x.atoms;
      }
      const arg = args[x.param];
      const a = x.extra === undefined ? atomsOf(arg, callerEnv) : union(atomsOf(arg, callerEnv), fixedAtoms(x.extra));
      const p = paramOf(use.scope, arg);
      up.push(p ? withExtra(p, x.extra) : { atoms: a });
      return a;
    });
    if (tcpVerdict(atoms[0]!, atoms[1]!, atoms[2]!).tcp === 'no') return false;
    return up.some((x) => 'param' in x) ? tcpRelevance(project, up) : true;
  };
}

/**
 * The parameter of `fs` that `arg` is: `type`, or `type | SOCK_NONBLOCK | SOCK_CLOEXEC` with
 * the constants or'ed onto it (libuv's `uv__socket()`: refused, its UDP and unix callers counted
 * as TCP uses).
 */
function paramOf(fs: FnScope, arg: CNode | undefined): { param: number; extra?: string } | undefined {
  const u = arg ? unwrap(arg) : undefined;
  if (u?.type === 'identifier') {
    const param = fs.params.indexOf(textOf(fs.file.src, u));
    return param >= 0 ? { param } : undefined;
  }
  return u?.type === 'binary_expression' ? mixedArg(textOf(fs.file.src, u), fs.params) : undefined;
}

/** `p` with `extra` or'ed on too. */
function withExtra(p: { param: number; extra?: string }, extra: string | undefined): ArgSource {
  const all = [p.extra, extra].filter((e) => e !== undefined);
  return all.length ? { param: p.param, extra: all.join(' | ') } : { param: p.param };
}

/** Tracks the descriptor from its creation to the end of the function, then to callers when returned. */
export function followDescriptor(project: CProject, fs: FnScope, raw: RawSite, extraHelpers: HelperNames): Effects {
  let effects = project.resolve(localSiteEffects(fs, raw, extraHelpers), fs.file.file);
  // A probe: connected and closed with no data moved; for accept(), closed before anything else
  // runs (an accepted connection held open, even idle, is a real one).
  if (isProbe(effects) && (raw.api === 'socket' || closedRightAway(fs, raw))) return { ...effects, probe: true };
  // A factory: the socket is returned to callers, who connect it and (maybe) set keepalive.
  // Callers whose arguments make this socket non-TCP (`make_socket(AF_UNIX)`) do not count.
  if (effects.returned?.length) {
    const relevant = raw.api === 'socket' ? tcpForCaller(project, fs, raw) : listenerForCaller(project, fs, raw);
    const up = project.callersOf(fs.name, fs.file.file, effects.returned[0]!, 0, new Set(), relevant);
    if (up) {
      const { returned: _r, escape, keepalive, ...keep } = effects;
      const merged = mergeEffects(escape && escape !== 'returned' ? { ...keep, escape } : keep, { ...up.effects, keepalive: undefined });
      merged.keepalive = keepalive ?? up.effects.keepalive;
      // Listened on right here: what some caller does with the same variable later is not this socket.
      if (effects.listen !== undefined) delete merged.connect;
      if (!merged.keepalive && !merged.escape && !merged.connect && !merged.listen) merged.escape = 'returned';
      effects = merged;
    }
  }
  return effects;
}

