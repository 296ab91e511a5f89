// Project facts: every file's pass-1 facts merged, and the resolver that follows recorded
// calls into callee summaries (transitively, across files) and socket factories back to
// their callers. Pure and memoized; built once per audit.
import type { ArgInfo, Edge, Effects, KaEvidence, TaggedEffects } from './effects.js';
import { betterKa, mergeEffects } from './effects.js';
import type { CallFacts, FieldUse, FileFacts, FnFacts, ResultUse, StoredSite } from './facts.js';
import type { SocketAlias } from './sites.js';
import type { Tcp } from '../../engine/types.js';

const MAX_DEPTH = 8;

export interface FieldFacts {
  tcp: Set<Tcp>;
  listener: boolean;
  client: boolean;
  /** Keepalive on every TCP socket stored in the field (undefined when one lacks it). */
  keepalive?: KaEvidence;
  loopback: boolean;
  sites: StoredSite[];
  uses: FieldUse[];
}

export class CProject {
  readonly functions = new Map<string, FnFacts[]>();
  readonly callsTo = new Map<string, CallFacts[]>();
  readonly resultsOf = new Map<string, ResultUse[]>();
  readonly socketAliases = new Map<string, SocketAlias>();
  readonly keepaliveMacros = new Map<string, number>();
  readonly closeMacros = new Set<string>();
  readonly defines = new Map<string, string>();
  readonly helperNames: Set<string>;
  private readonly storedSites: StoredSite[] = [];
  private readonly fieldUses: FieldUse[] = [];
  private fieldCache?: Map<string, FieldFacts>;
  private readonly paramMemo = new Map<string, Effects>();
  private readonly atomMemo = new Map<string, Set<string> | undefined>();

  constructor(files: FileFacts[], extraHelpers: string[] = []) {
    for (const f of files) {
      for (const fn of f.functions) push(this.functions, fn.name, fn);
      for (const c of f.calls) push(this.callsTo, c.callee, c);
      for (const r of f.results) push(this.resultsOf, r.callee, r);
      for (const [k, v] of Object.entries(f.socketAliases)) this.socketAliases.set(k, v);
      for (const [k, v] of Object.entries(f.keepaliveMacros)) this.keepaliveMacros.set(k, v);
      for (const m of f.closeMacros) this.closeMacros.add(m);
      for (const [k, v] of Object.entries(f.defines)) if (!this.defines.has(k)) this.defines.set(k, v);
      this.storedSites.push(...f.stored);
      this.fieldUses.push(...f.fieldUses);
    }
    this.helperNames = new Set([...extraHelpers, ...this.keepaliveMacros.keys()]);
  }

  /** The definitions a call from `file` reaches: a static one in the same file first. */
  definitions(name: string, file: string): FnFacts[] {
    const all = this.functions.get(name) ?? [];
    const local = all.filter((f) => f.file === file);
    if (local.length) return local;
    return all.filter((f) => !f.isStatic);
  }

  /** Constant atoms callers pass for parameter `index` of `fn` (undefined: no caller known). */
  paramAtoms(fn: string, index: number, depth = 0): Set<string> | undefined {
    const memoKey = `${fn}#${index}`;
    if (this.atomMemo.has(memoKey)) return this.atomMemo.get(memoKey);
    this.atomMemo.set(memoKey, undefined);
    const calls = this.callsTo.get(fn);
    let out: Set<string> | undefined;
    if (calls && calls.length && depth < MAX_DEPTH) {
      out = new Set();
      for (const c of calls) {
        const a = c.args[index];
        if (!a || a.k === 'other') out.add('?');
        else if (a.k === 'const') for (const x of a.atoms) out.add(x);
        else {
          const up = this.paramAtoms(c.caller, a.index, depth + 1);
          for (const x of up ?? ['?']) out.add(x);
        }
      }
    }
    this.atomMemo.set(memoKey, out);
    return out;
  }

  /** The resolved summary of what `fn` does with its parameter at `key` (`0`, `1.fd`). */
  paramSummary(fn: FnFacts, key: string, depth: number): Effects {
    const memoKey = `${fn.file}:${fn.name}:${key}`;
    const memo = this.paramMemo.get(memoKey);
    if (memo) return memo;
    this.paramMemo.set(memoKey, {}); // cycle guard: a recursive call adds nothing new
    let local: Effects = fn.params[key] ?? {};
    const dot = key.indexOf('.');
    if (dot >= 0) {
      // The struct itself passed on: its edges (path '?') now mean the requested field.
      const star = fn.params[`${key.slice(0, dot)}.*`];
      if (star) local = mergeEffects(local, substitute(star, key.slice(dot + 1)));
    }
    const resolved = this.resolve(local, fn.file, depth + 1);
    this.paramMemo.set(memoKey, resolved);
    return resolved;
  }

  /**
   * Replaces each edge by what the callee does, mapped into the caller: the callee's
   * evidence becomes `wrapper` evidence named after the callee, a keepalive that depends on
   * a callee parameter is judged by the argument at this call, and a callee that hands the
   * value back continues with what the caller does with the result.
   */
  resolve(e: Effects, file: string, depth = 0): Effects {
    const { edges, ...rest } = e;
    let out: Effects = rest;
    if (!edges?.length || depth > MAX_DEPTH) {
      if (edges?.length) out.escape ??= `passed to ${edges[0]!.callee}()`;
      return out;
    }
    for (const edge of edges) out = mergeEffects(out, this.resolveEdge(edge, file, depth));
    return out;
  }

  private resolveEdge(edge: Edge, file: string, depth: number): Effects {
    const defs = this.definitions(edge.callee, edge.file || file);
    if (defs.length === 0) return this.externalCall(edge);
    const key = edge.path === '' ? `${edge.arg}` : `${edge.arg}.${edge.path}`;
    let out: Effects = {};
    for (const def of defs) {
      if (edge.path === '?') continue; // a '?' edge is only meaningful once substituted
      const s = this.paramSummary(def, key, depth);
      out = mergeEffects(out, this.mapIntoCaller(s, edge, def, depth));
    }
    return out;
  }

  private mapIntoCaller(s: Effects, edge: Edge, def: FnFacts, depth: number): Effects {
    const { keepalive, returned, escape, ...rest } = s;
    const out: Effects = { ...rest };
    if (escape && escape !== 'returned') out.escape = escape;
    if (keepalive) {
      const ka = this.judgeKeepalive(keepalive, edge, def);
      if (ka === 'disabled') out.disabled ??= { line: edge.line, file: edge.file };
      else if (ka) out.keepalive = ka;
    }
    if (returned?.length && edge.result) {
      for (const path of returned) {
        const picked = pickResult(edge.result, path);
        if (picked) {
          const r = this.resolve(picked, edge.file, depth + 1);
          Object.assign(out, mergeEffects(out, r));
        }
      }
    }
    return out;
  }

  /** A callee's keepalive, seen from one call: `set_ka(fd, 0)` is not evidence. */
  private judgeKeepalive(ka: KaEvidence, edge: Edge, def: FnFacts): KaEvidence | 'disabled' | undefined {
    const base: KaEvidence = {
      kind: edge.conditional || ka.kind === 'conditional' ? 'conditional' : 'wrapper',
      line: edge.line,
      file: edge.file,
      via: `${def.name}() → ${ka.via}`,
    };
    if (ka.valueParam === undefined) return base;
    const a: ArgInfo | undefined = edge.args[ka.valueParam];
    if (!a) return { ...base, kind: 'conditional' };
    if (a.k === 'const') {
      if (a.atoms.every((x) => x === '0')) return 'disabled';
      return base;
    }
    if (a.k === 'param') return { ...base, valueParam: a.index };
    return { ...base, kind: 'conditional', via: `${base.via} (value ${a.text || 'from a run-time setting'})` };
  }

  private externalCall(edge: Edge): Effects {
    if (this.helperNames.has(edge.callee)) {
      const idx = this.keepaliveMacros.get(edge.callee);
      if (idx === undefined || idx === edge.arg) {
        return { keepalive: { kind: edge.conditional ? 'conditional' : 'wrapper', line: edge.line, file: edge.file, via: `${edge.callee}()` } };
      }
    }
    if (this.closeMacros.has(edge.callee) && edge.arg === 0 && edge.path === '') return { close: edge.line };
    if (/keep_?alive/i.test(edge.callee) && edge.path === '') {
      const zero = edge.args.some((a, i) => i !== edge.arg && a.k === 'const' && a.atoms.every((x) => x === '0'));
      if (zero) return { disabled: { line: edge.line, file: edge.file } };
      return { keepalive: { kind: edge.conditional ? 'conditional' : 'wrapper', line: edge.line, file: edge.file, via: `${edge.callee}() (external; by its name)` } };
    }
    return { escape: `passed to ${edge.callee}()` };
  }

  /**
   * Effects of a value that `fn` returns, as its callers use it. Evidence must hold for
   * every caller that keeps the socket; roles are the union of what callers do.
   */
  callersOf(fnName: string, file: string, path: string, depth = 0, seen = new Set<string>()): { effects: Effects; callers: number } | undefined {
    const uses = (this.resultsOf.get(fnName) ?? []).filter((u) => {
      const defs = this.definitions(fnName, u.file);
      return defs.some((d) => d.file === file);
    });
    if (uses.length === 0 || depth > MAX_DEPTH || seen.has(fnName)) return undefined;
    seen.add(fnName);
    let combined: Effects | undefined;
    let missing: KaEvidence | undefined;
    let lacking = false;
    for (const u of uses) {
      const picked = pickResult(u.use, path);
      if (!picked) continue;
      let r = this.resolve(picked, u.file, depth + 1);
      if (r.returned?.length) {
        const up = this.callersOf(u.caller, u.file, r.returned[0]!, depth + 1, seen);
        if (up) {
          const { returned: _r, escape, ...keep } = r;
          void _r;
          r = mergeEffects(escape && escape !== 'returned' ? { ...keep, escape } : keep, up.effects);
          if (!up.effects.keepalive) r.keepalive = undefined;
        }
      }
      if (!r.keepalive && (r.connect || r.listen || r.escape || r.acceptFrom || r.stored)) lacking = true;
      missing = betterKa(missing, r.keepalive);
      const { keepalive: _k, ...noKa } = r;
      void _k;
      combined = combined ? mergeEffects(combined, noKa) : noKa;
    }
    if (!combined) return undefined;
    if (!lacking && missing) combined.keepalive = missing;
    return { effects: combined, callers: uses.length };
  }

  /** Facts about a struct field or global that holds sockets (`conn.sfd`, `::listen_fd`). */
  field(key: string): FieldFacts | undefined {
    const map = this.fields();
    const exact = map.get(key);
    if (exact) return exact;
    const dot = key.lastIndexOf('.');
    if (dot < 0) return undefined;
    const type = key.slice(0, dot);
    const name = key.slice(dot + 1);
    // When either side could not see the struct type, fall back to the field name alone.
    let found: FieldFacts | undefined;
    for (const [k, v] of map) {
      const kd = k.lastIndexOf('.');
      if (kd < 0 || k.slice(kd + 1) !== name) continue;
      if (type === '?' || k.slice(0, kd) === '?') found = found ? mergeField(found, v) : v;
    }
    return found;
  }

  private fields(): Map<string, FieldFacts> {
    if (this.fieldCache) return this.fieldCache;
    const map = new Map<string, FieldFacts>();
    const get = (k: string): FieldFacts => {
      let f = map.get(k);
      if (!f) {
        f = { tcp: new Set(), listener: false, client: false, loopback: true, sites: [], uses: [] };
        map.set(k, f);
      }
      return f;
    };
    // Resolve each stored site's local effects now that every summary is known.
    const kaOf = new Map<string, KaEvidence | undefined>();
    for (const s of this.storedSites) {
      const r = this.resolve(s.effects, s.file);
      const keys = new Set([...s.keys, ...(r.stored ?? [])]);
      for (const k of keys) {
        const f = get(k);
        f.tcp.add(s.tcp);
        f.listener ||= s.listener || r.listen !== undefined;
        f.client ||= s.client || r.connect !== undefined;
        f.loopback &&= s.loopback || !!r.bind?.loopback || !!r.connect?.loopback;
        f.sites.push(s);
        if (s.tcp !== 'no') {
          const ka = betterKa(s.keepalive, r.keepalive);
          const prev = kaOf.has(k) ? kaOf.get(k) : ka;
          kaOf.set(k, prev && ka ? betterKa(prev, ka) : undefined);
        }
      }
    }
    for (const [k, ka] of kaOf) if (ka) get(k).keepalive = ka;
    for (const u of this.fieldUses) {
      const f = get(u.key);
      f.uses.push(u);
      if (u.kind === 'keepalive' && u.keepalive) f.keepalive = betterKa(f.keepalive, u.keepalive);
      if (u.kind === 'listen') f.listener = true;
      if (u.kind === 'connect') f.client = true;
    }
    for (const f of map.values()) if (f.sites.length === 0) f.loopback = false;
    this.fieldCache = map;
    return map;
  }
}

function mergeField(a: FieldFacts, b: FieldFacts): FieldFacts {
  return {
    tcp: new Set([...a.tcp, ...b.tcp]),
    listener: a.listener || b.listener,
    client: a.client || b.client,
    ...(a.keepalive || b.keepalive ? { keepalive: betterKa(a.keepalive, b.keepalive)! } : {}),
    loopback: a.loopback && b.loopback,
    sites: [...a.sites, ...b.sites],
    uses: [...a.uses, ...b.uses],
  };
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** Edges with path '?' (the struct passed on) become edges for a concrete field. */
function substitute(e: Effects, field: string): Effects {
  if (!e.edges) return e;
  return { ...e, edges: e.edges.map((x) => (x.path === '?' ? { ...x, path: field } : x)) };
}

/** What a caller does with a result that carries the value at `path`. */
export function pickResult(use: TaggedEffects, path: string): Effects | undefined {
  if (path === '') return use[''];
  const field = use[path];
  const star = use['*'];
  if (!field && !star) return undefined;
  return mergeEffects(field ?? {}, star ? substitute(star, path) : {});
}
