// Sites → classification (tcp, role, loopback) and keepalive evidence, with the reasoning as notes.
import ts from './tsc.cjs';
import type { Evidence, Role, Site, Tcp } from '../../engine/types.js';
import { addressOf, isFunctionLike, keepAliveOption, optionsOf, type AddressVerdict, type OptionsInfo } from './classify.js';
import type { TsFile } from './parse.js';
import { findSites, type RawSite, type SocketCall } from './sites.js';
import { forEachCaller, functionName, type FunctionRef } from './functions.js';
import { disabledNote, emptyListeners, followListener, Tracker, type Facts, type KaEvidence, type TrackContext } from './track.js';

/** What one call of a site made, for the fixer. */
export interface CallAnalysis {
  call: SocketCall;
  tcp: Tcp;
  role: Role;
  loopback: boolean;
  evidence: KaEvidence | undefined;
  /** tls.connect({ keepAlive }) with nothing else: Node ignores the option. */
  ignoredOption: boolean;
  facts: Facts;
  addr?: AddressVerdict;
  /** Server: the options object and connection listener written in the call. */
  serverOptions?: OptionsInfo;
  listener?: FunctionRef;
  notes: string[];
}

export interface TsSite extends Site {
  raw: RawSite;
  calls: CallAnalysis[];
}

const RANK: Record<string, number> = { direct: 4, option: 4, wrapper: 3, conditional: 2 };

export function analyzeFile(file: TsFile, ctx: TrackContext): TsSite[] {
  return findSites(file).map((raw) => analyzeSite(file, raw, ctx));
}

function analyzeSite(file: TsFile, raw: RawSite, ctx: TrackContext): TsSite {
  const sf = file.sf;
  const start = raw.anchor.getStart(sf);
  const end = raw.anchor.getEnd();
  const a = sf.getLineAndCharacterOfPosition(start);
  const b = sf.getLineAndCharacterOfPosition(end);
  const calls = raw.calls.map((c) => analyzeCall(file, raw, c, ctx));
  const notes: string[] = [];
  if (raw.alias) notes.push(`${raw.api.replace(/^new /, '')} is named here and called through an alias at line ${raw.calls.map((c) => file.line(c.getStart(sf))).join(', ')}`);
  for (const c of calls) notes.push(...c.notes);
  // A site made by several calls is only as good as its worst call.
  const tcp: Tcp = calls.some((c) => c.tcp === 'yes') ? 'yes' : calls.every((c) => c.tcp === 'no') ? 'no' : 'unknown';
  const worst = [...calls].sort((x, y) => strength(x) - strength(y))[0]!;
  const keepalive: Evidence = worst.ignoredOption ? 'none' : ((worst.evidence?.kind ?? 'none') as Evidence);
  const site: TsSite = {
    lang: 'ts',
    api: raw.api,
    span: { start, end, line: a.line + 1, column: a.character + 1, endLine: b.line + 1, endColumn: b.character + 1 },
    name: calls.find((c) => c.facts.handles.length)?.facts.handles[0] ?? '',
    tcp,
    role: worst.role,
    keepalive,
    loopback: calls.every((c) => c.loopback),
    notes,
    raw,
    calls,
  };
  if (worst.evidence && !worst.ignoredOption && worst.evidence.file === file) site.evidenceLine = file.line(worst.evidence.node.getStart(sf));
  if (calls.some((c) => c.ignoredOption) && keepalive === 'none') site.flags = { keepAliveOptionIgnored: true };
  return site;
}

function strength(c: CallAnalysis): number {
  return c.ignoredOption ? 0 : c.evidence ? RANK[c.evidence.kind]! : 0;
}

function best(list: KaEvidence[]): KaEvidence | undefined {
  return [...list].sort((x, y) => RANK[y.kind]! - RANK[x.kind]!)[0];
}

function analyzeCall(file: TsFile, raw: RawSite, call: SocketCall, ctx: TrackContext): CallAnalysis {
  const args = call.arguments ?? [];
  switch (raw.kind) {
    case 'connect':
      return connectCall(file, raw, call, args, ctx);
    case 'socket':
      return socketCall(file, call, args, ctx);
    case 'tlssocket':
      return tlsSocketCall(file, call, args, ctx);
    case 'server':
      return serverCall(file, call, args, ctx);
  }
}

function connectCall(file: TsFile, raw: RawSite, call: SocketCall, args: readonly ts.Expression[], ctx: TrackContext): CallAnalysis {
  const addr = addressOf(file, args, raw.mod === 'tls');
  const t = new Tracker(ctx, 'socket');
  t.value(file, call);
  const cb = args[args.length - 1];
  if (cb && args.length > 1 && isFunctionLike(file, cb)) t.connectCallback(file, cb);
  const facts = t.facts;
  const notes = [...addr.notes];
  const evidence = [...facts.evidence];
  let ignoredOption = false;
  const ka = keepAliveOption(file, addr.options);
  if (ka) {
    const where = file.where(ka.node);
    if (raw.mod === 'tls') {
      if (ka.value !== false) {
        ignoredOption = true;
        notes.push(`keepAlive option at ${where} is ignored by tls.connect() before Node 24.15 (nodejs/node#62003)`);
      }
    } else if (ka.value === true) evidence.push({ kind: 'option', file, node: ka.node, why: `keepAlive: true at ${where}` });
    else if (ka.value === 'dynamic') evidence.push({ kind: 'conditional', file, node: ka.node, why: `keepAlive: ${ka.node.getText(file.sf)} at ${where} (a setting)` });
    else notes.push(`keepAlive is turned off at ${where}`);
  }
  let role: Role = 'client';
  if (raw.mod === 'tls' && !addr.wraps && addr.options?.unknown) {
    // getSecureStream(options) { return tls.connect(options) }: its callers say what options hold.
    const wrapped = wrappedViaCallers(file, args[0], ctx);
    if (wrapped) {
      addr.wraps = wrapped.expr;
      addr.wrapsFile = wrapped.file;
      notes.push(`every caller passes options with a socket (${wrapped.where}): wraps an existing socket`);
    }
  }
  if (addr.wraps) {
    role = 'wrap';
    const w = new Tracker(ctx, 'socket');
    w.holder(addr.wrapsFile ?? file, addr.wraps);
    evidence.push(...w.facts.evidence.map((e) => ({ ...e, why: `on the wrapped socket: ${e.why}` })));
  }
  const ev = best(evidence);
  if (ev && ignoredOption) {
    ignoredOption = false;
    notes.push('but setKeepAlive() is also called, so the socket has keepalive');
  }
  if (role === 'client' && isProbe(facts) && !ev) {
    role = 'other';
    notes.push('only probes reachability: it is never read, written or handed on, and is destroyed');
  }
  pushFactNotes(notes, facts, ev);
  return { call, tcp: addr.tcp, role, loopback: addr.loopback, evidence: ev, ignoredOption, facts, addr, notes };
}

function socketCall(file: TsFile, call: SocketCall, args: readonly ts.Expression[], ctx: TrackContext): CallAnalysis {
  const notes: string[] = [];
  const evidence: KaEvidence[] = [];
  let tcp: Tcp = 'yes';
  const ctor = args[0] ? optionsOf(file, args[0]) : undefined;
  if (ctor && (ctor.props.has('fd') || ctor.props.has('handle'))) {
    tcp = 'unknown';
    notes.push('wraps an existing descriptor or handle: its kind is not visible');
  }
  const ka = keepAliveOption(file, ctor);
  if (ka?.value === true) evidence.push({ kind: 'option', file, node: ka.node, why: `keepAlive: true in the constructor options at ${file.where(ka.node)}` });
  else if (ka?.value === 'dynamic') evidence.push({ kind: 'conditional', file, node: ka.node, why: `keepAlive: ${ka.node.getText(file.sf)} in the constructor options (a setting)` });
  const t = new Tracker(ctx, 'socket');
  t.value(file, call);
  const facts = t.facts;
  evidence.push(...facts.evidence);
  let loopback = false;
  let role: Role;
  if (facts.connects.length) {
    role = 'client';
    const verdicts = facts.connects.map((c) => {
      notes.push(`connect() at ${c.where}: ${c.notes.join('; ') || 'TCP'}`);
      if (c.ignoredOptionAt) notes.push(`keepAlive in the options of socket.connect() at ${c.ignoredOptionAt} is ignored by Node (only the constructor and net.connect() read it)`);
      return c;
    });
    tcp = tcp === 'unknown' ? 'unknown' : verdicts.some((v) => v.tcp === 'yes') ? 'yes' : verdicts.every((v) => v.tcp === 'no') ? 'no' : 'unknown';
    loopback = verdicts.every((v) => v.loopback);
  } else if (facts.escapes.length) {
    role = 'unknown';
    notes.push('never connected where it can be followed: assumed TCP');
  } else {
    role = 'other';
    notes.push('never connected');
  }
  const ev = best(evidence);
  if (role === 'client' && isProbe(facts) && !ev) {
    role = 'other';
    notes.push('only probes reachability: it is never read, written or handed on, and is destroyed');
  }
  pushFactNotes(notes, facts, ev);
  return { call, tcp, role, loopback, evidence: ev, ignoredOption: false, facts, notes };
}

function tlsSocketCall(file: TsFile, call: SocketCall, args: readonly ts.Expression[], ctx: TrackContext): CallAnalysis {
  const notes = ['a TLS socket over an existing socket: judged on that socket'];
  const t = new Tracker(ctx, 'socket');
  t.value(file, call);
  const evidence = [...t.facts.evidence];
  if (args[0]) {
    const w = new Tracker(ctx, 'socket');
    w.holder(file, args[0]);
    evidence.push(...w.facts.evidence.map((e) => ({ ...e, why: `on the wrapped socket: ${e.why}` })));
  }
  const ev = best(evidence);
  pushFactNotes(notes, t.facts, ev);
  return { call, tcp: 'yes', role: 'wrap', loopback: false, evidence: ev, ignoredOption: false, facts: t.facts, notes };
}

function serverCall(file: TsFile, call: SocketCall, args: readonly ts.Expression[], ctx: TrackContext): CallAnalysis {
  const notes: string[] = [];
  const evidence: KaEvidence[] = [];
  const optArg = args[0] && !isFunctionLike(file, args[0]) ? args[0] : undefined;
  const listenerArg = args.find((a) => isFunctionLike(file, a));
  const serverOptions = optArg ? optionsOf(file, optArg) : undefined;
  const ka = keepAliveOption(file, serverOptions);
  if (ka?.value === true) evidence.push({ kind: 'option', file, node: ka.node, why: `keepAlive: true in the server options at ${file.where(ka.node)}` });
  else if (ka?.value === 'dynamic') evidence.push({ kind: 'conditional', file, node: ka.node, why: `keepAlive: ${ka.node.getText(file.sf)} in the server options (a setting)` });
  else if (ka) notes.push(`keepAlive is turned off in the server options at ${file.where(ka.node)}`);
  const t = new Tracker(ctx, 'server');
  t.value(file, call);
  const facts = t.facts;
  // The listener passed to the call comes first; those added with .on() were followed as found.
  const own = emptyListeners();
  const listener = listenerArg ? followListener(ctx, file, listenerArg, own) : undefined;
  for (const l of [own, facts.connectionListeners]) {
    notes.push(...l.notes);
    evidence.push(...l.evidence);
  }
  if (own.count + facts.connectionListeners.count === 0) notes.push('no connection listener is visible');
  let tcp: Tcp = 'yes';
  let loopback = false;
  const listens = facts.listens;
  if (listens.length) {
    for (const v of listens) notes.push(v.note);
    tcp = listens.some((v) => v.tcp === 'yes') ? 'yes' : 'no';
    loopback = listens.every((v) => v.loopback);
  } else notes.push(facts.escapes.length ? 'listen() is not visible (the server escapes): assumed TCP on every interface' : 'listen() is not visible: assumed TCP on every interface');
  const ev = best(evidence);
  pushFactNotes(notes, facts, ev);
  return { call, tcp, role: 'server', loopback, evidence: ev, ignoredOption: false, facts, ...(serverOptions ? { serverOptions } : {}), ...(listener ? { listener } : {}), notes };
}

/** When `arg` is a parameter, the `socket` every caller puts in the options it passes. */
function wrappedViaCallers(file: TsFile, arg: ts.Expression | undefined, ctx: TrackContext): { file: TsFile; expr: ts.Expression; where: string } | undefined {
  const x = arg && ts.isIdentifier(arg) ? file.scopes.bindingOf(arg) : undefined;
  if (!x || !ts.isParameter(x.decl) || !ts.isIdentifier(x.decl.name)) return undefined;
  const fn = x.decl.parent as ts.SignatureDeclaration;
  const name = functionName(fn);
  if (!name) return undefined;
  const index = fn.parameters.indexOf(x.decl);
  let found: { file: TsFile; expr: ts.Expression; where: string } | undefined;
  let every = true;
  forEachCaller(ctx, file, fn, name, (f, call) => {
    const a = call.arguments[index];
    const sock = a && optionsOf(f, a).props.get('socket')?.[0];
    if (!sock) return (every = false);
    found ??= { file: f, expr: sock, where: f.where(call) };
  });
  return every ? found : undefined;
}

function isProbe(f: Facts): boolean {
  return f.terminates && !f.talks && f.escapes.length === 0;
}

function pushFactNotes(notes: string[], facts: Facts, ev: KaEvidence | undefined): void {
  if (facts.handles.length) notes.push(`held in ${[...new Set(facts.handles)].slice(0, 5).join(', ')}`);
  notes.push(...facts.notes);
  for (const e of facts.escapes.slice(0, 4)) notes.push(`escapes: ${e}`);
  if (ev) notes.push(`keepalive (${ev.kind}): ${ev.why}`);
  else {
    for (const d of facts.disabled) notes.push(disabledNote(d));
    notes.push('no keepAlive option and no setKeepAlive(true) found on it, its aliases, the helpers it is passed to, or its callers');
  }
}
