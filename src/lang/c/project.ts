// The C project: what every file's pass-0 scan says, plus files parsed on demand. The resolver
// follows recorded calls into callee summaries (transitively, across files) and socket factories
// back to their callers; it parses a file only when a site's chain of calls reaches it.
import { detach, detachDeep } from '../../engine/strings.js';
import type { Tcp } from '../../engine/types.js';
import type { ArgInfo, Edge, Effects, KaEvidence, TaggedEffects } from './effects.js';
import { betterKa, isProbe, mergeEffects } from './effects.js';
import type { CallFacts, CFileModel, FieldUse, ResultUse, StoredSite } from './model.js';
import { MODEL_CACHE_HEAP, ModelCache } from './model-cache.js';
import { NameIndex } from './name-index.js';
import type { CScan } from './scan.js';
import type { FnScope } from './scope.js';
import type { SocketAlias } from './sites.js';
import type { HelperNames } from './track.js';
import { atomsOf, tcpVerdict, union, type ValueEnv } from './values.js';

const MAX_DEPTH = 8;

/** A header: a `static inline` function defined there is each including file's own copy. */
function isHeader(file: string): boolean {
  return file.endsWith('.h');
}

export interface FieldFacts {
  tcp: Set<Tcp>;
  listener: boolean;
  client: boolean;
  /** Keepalive on every TCP connection stored in the field (absent when one lacks it). */
  keepalive?: KaEvidence;
  /** Keepalive on every TCP listener stored in the field: what accepted sockets inherit. */
  listenerKeepalive?: KaEvidence;
  loopback: boolean;
  sites: number;
  uses: FieldUse[];
}

export interface FnRef {
  model: CFileModel;
  fs: FnScope;
}

/**
 * Why the analysis loads a file: the name whose definitions, or whose calls, it is after. The
 * loader records those functions' bodies with the parse (see hints.ts), which the analysis reads
 * next; the others are parsed if and when they are read.
 */
export interface LoadReason {
  name: string;
  role: 'defines' | 'calls';
}

export type ModelLoader = (file: string, reason?: LoadReason) => CFileModel | undefined;

/** A project function that turns keepalive on for its descriptor parameter (reused by fixes). */
export interface KeepaliveHelper {
  name: string;
  file: string;
  isStatic: boolean;
  definedAt: number;
  arity: number;
  fdIndex: number;
  /** The parameter that switches it on (`set_keepalive(fd, 1)`), when there is one. */
  enableIndex?: number;
  returnsVoid: boolean;
  /** Every return is 0, -1 or a setsockopt() result: `< 0` means failure. */
  negativeOnError: boolean;
}

/** What following a caller needs of its use of a factory's result (a ResultUse without its nodes). */
type CallerUse = Pick<ResultUse, 'use' | 'file' | 'caller'>;

/**
 * Whether a caller of a factory counts for its site (`make_socket(AF_UNIX)` does not): false, true,
 * or — when the answer depends on the caller's own parameters — the judge of its callers.
 */
export type Relevance = (u: Pick<ResultUse, 'node' | 'scope' | 'file'>) => boolean | Relevance;

export class CProject {
  readonly socketAliases = new Map<string, SocketAlias>();
  readonly keepaliveMacros = new Map<string, number>();
  readonly closeMacros = new Set<string>();
  readonly callAliases = new Map<string, { callee: string; argMap: number[] }>();
  readonly defines = new Map<string, string>();
  /** Keepalive helpers known by name: config-declared functions and `SET_KA(fd)`-style macros. */
  readonly helperNames: HelperNames;
  /** Files that could hold sites or set SO_KEEPALIVE: the sources of field facts. */
  readonly seedFiles: string[] = [];
  /** Files that set SO_KEEPALIVE: where keepalive helpers live. */
  readonly keepaliveFiles: string[] = [];
  private readonly names: NameIndex;
  private readonly cache: ModelCache<CFileModel>;
  private readonly paramMemo = new Map<string, Effects>();
  private readonly atomMemo = new Map<string, Set<string> | undefined>();
  private readonly callerMemo = new Map<string, { effects: Effects; callers: number } | undefined>();
  /**
   * What a caller file does with the results of a factory of the file under analysis, read while
   * the caller's model was loaded for another factory of that file, as plain data; taken (and
   * dropped) when that factory's callers are followed. Each factory brought its callers' models
   * back: 20 factories with 3,000 callers each loaded 29,069 models in a bounded cache.
   */
  private readonly usesAhead = new Map<string, CallerUse[]>();
  private fieldCache?: Map<string, FieldFacts>;
  /** Parsed files, for statistics. */
  readonly parsedFiles = new Set<string>();
  /** Model loads, counting those after cache eviction (parsed again, or mirrored from a kept parse); KA_AUDIT_TIMING and tests. */
  loads = 0;

  constructor(
    scans: Map<string, CScan>,
    private readonly loader: ModelLoader,
    extraHelpers: string[] = [],
    /** Seed every file (no text prefilter): the prefilter test compares the results. */
    private readonly noPrefilter = false,
    /** Heap of the models kept mirrored, as CFileModel.heap guesses it (the backend may change it once it knows the seed files). */
    cacheHeap = MODEL_CACHE_HEAP,
  ) {
    this.cache = new ModelCache(cacheHeap);
    for (const s of scans.values()) {
      if (s.socketAliases) for (const [k, v] of Object.entries(s.socketAliases)) this.socketAliases.set(k, v);
      if (s.keepaliveMacros) for (const [k, v] of Object.entries(s.keepaliveMacros)) this.keepaliveMacros.set(k, v);
      if (s.closeMacros) for (const m of s.closeMacros) this.closeMacros.add(m);
      if (s.callAliases) for (const [k, v] of Object.entries(s.callAliases)) this.callAliases.set(k, v);
      if (s.defines) for (const [k, v] of Object.entries(s.defines)) if (!this.defines.has(k)) this.defines.set(k, v);
    }
    this.names = new NameIndex(function* () {
      for (const [file, s] of scans) yield { file, names: s.names, defs: s.defs };
    }());
    // The index has them now: the scans live as long as the run, and their name lists were the
    // largest part of them.
    for (const s of scans.values()) s.names = s.defs = '';
    for (const [file, s] of scans) {
      if (this.noPrefilter || s.keepalive || this.hasSites(file, s) || s.fieldToHelper) this.seedFiles.push(file);
      if (s.keepalive) this.keepaliveFiles.push(file);
    }
    this.helperNames = new Map<string, 'macro' | 'function'>([...extraHelpers.map((h) => [h, 'function'] as const), ...[...this.keepaliveMacros.keys()].map((m) => [m, 'macro'] as const)]);
  }

  /** Could this file hold a site, given every alias in the project? */
  hasSites(file: string, scan: CScan): boolean {
    if (scan.sites) return true;
    for (const alias of this.socketAliases.keys()) if (this.names.mentions(file, alias)) return true;
    return false;
  }

  /**
   * The model of the file being analysed stays the one its analysis holds, even once the cache
   * has let it go: the analysis tells its own sites from other files' by model identity.
   */
  private pinned?: CFileModel;

  /** Runs `analyse` with `model` pinned (see `pinned`). */
  pinnedTo<T>(model: CFileModel, analyse: () => T): T {
    const before = this.pinned;
    this.pinned = model;
    try {
      return analyse();
    } finally {
      this.pinned = before;
    }
  }

  /** Heap of the models kept mirrored (ModelCache). */
  get cacheHeap(): number {
    return this.cache.bound;
  }
  set cacheHeap(bytes: number) {
    this.cache.bound = bytes;
  }

  model(file: string, reason?: LoadReason): CFileModel | undefined {
    if (this.pinned?.file === file) return this.pinned;
    const hit = this.cache.get(file);
    if (hit) return hit;
    const m = this.loader(file, reason);
    this.loads++;
    if (!m) return undefined;
    const again = this.parsedFiles.has(file);
    this.parsedFiles.add(file);
    this.cache.add(file, m, again);
    return m;
  }

  private filesMentioning(name: string): string[] {
    return this.names.filesMentioning(name);
  }

  /** The definitions a call from `file` reaches: a static one in the same file first. */
  definitions(name: string, file: string): FnRef[] {
    // A file's own definition hides every other, so when the text index says `file` has one, its
    // model alone answers: a `static int setup(int)` in 3,000 files had every one of them parsed
    // for a call of the seed file's own setup().
    if (this.names.defines(file, name)) {
      const m = this.model(file, { name, role: 'defines' });
      const local = m ? m.functionsNamed(name).map((fs) => ({ model: m, fs })) : [];
      if (local.length) return local;
    }
    const all: FnRef[] = [];
    for (const f of this.names.definers(name)) {
      const m = this.model(f, { name, role: 'defines' });
      if (!m) continue;
      for (const fs of m.functionsNamed(name)) all.push({ model: m, fs });
    }
    const local = all.filter((r) => r.model.file === file);
    if (local.length) return local;
    return all.filter((r) => !r.fs.isStatic || isHeader(r.model.file));
  }

  private helpersCache?: KeepaliveHelper[];

  /**
   * Project functions whose only parameters are the descriptor (and an on/off switch) and that
   * set SO_KEEPALIVE on it unconditionally: a fix calls one of these rather than pasting a block.
   */
  keepaliveHelpers(): KeepaliveHelper[] {
    if (this.helpersCache) return this.helpersCache;
    const out: KeepaliveHelper[] = [];
    for (const file of this.keepaliveFiles) {
      const m = this.model(file);
      if (!m) continue;
      for (const fn of m.scope.functions) {
        if (!/SO_KEEPALIVE/.test(m.src.slice(fn.start, fn.end))) continue;
        const fs = m.fnScope(fn);
        if (!fs.name || fs.params.length === 0 || fs.params.length > 2) continue;
        for (let i = 0; i < fs.params.length; i++) {
          const ka = m.paramEffects(fs, i, this.helperNames)['']?.keepalive;
          if (!ka || ka.kind !== 'direct') continue;
          const enableIndex = ka.valueParam;
          if (fs.params.length === 2 && enableIndex === undefined) continue;
          const text = m.src.slice(fn.start, fn.end);
          const returns = [...text.matchAll(/\breturn\b\s*([^;]*);/g)].map((r) => r[1]!.trim());
          out.push({
            name: fs.name,
            file,
            isStatic: fs.isStatic,
            definedAt: fn.start,
            arity: fs.params.length,
            fdIndex: i,
            ...(enableIndex !== undefined ? { enableIndex } : {}),
            returnsVoid: /^\s*(static\s+)?(inline\s+)?void\b/.test(text),
            negativeOnError: returns.length > 0 && returns.every((r) => /^(0|-1|\(?-1\)?|setsockopt\s*\(.*\))$/.test(r)),
          });
          break;
        }
      }
    }
    this.helpersCache = out;
    return out;
  }

  private readonly memos = new Map<string, unknown>();

  /**
   * A result computed once per run under `key` (plain data only: models may be evicted). Run-long
   * memos keep detached strings (engine/strings.ts): a name cut from a file's text kept the whole
   * text alive, 24 MB of texts on the C files of a 40,000-file corpus (heap snapshot).
   */
  memo<T>(key: string, compute: () => T): T {
    if (this.memos.has(key)) return this.memos.get(key) as T;
    const v = compute();
    this.memos.set(detach(key), detachDeep(v));
    return v;
  }

  /**
   * Every call to `fn` in the project, with the file model it is in; with `defFile`, only calls
   * that reach its definition there, when the text index knows it (a static `fn` in another
   * file, or another file's own `fn`, is not this one, and its file is not parsed for it).
   */
  callSites(fn: string, defFile?: string): Array<{ model: CFileModel; call: CallFacts }> {
    const out: Array<{ model: CFileModel; call: CallFacts }> = [];
    const known = defFile !== undefined && this.names.defines(defFile, fn);
    for (const f of known ? this.names.callersOf(fn, defFile) : this.filesMentioning(fn)) {
      if (known && !this.reaches(fn, f, defFile)) continue;
      const m = this.model(f, { name: fn, role: 'calls' });
      if (m) for (const call of m.callsTo(fn)) out.push({ model: m, call });
    }
    return out;
  }

  /** Whether a call of `name` in `callerFile` can reach its definition in `defFile` (the callers' own definitions come from the text index). */
  reaches(name: string, callerFile: string, defFile: string): boolean {
    if (this.names.defines(callerFile, name)) return callerFile === defFile;
    if (!this.names.defines(defFile, name)) return false;
    // A static definition is seen from its own file only (the definer's model is the one being
    // analysed: cached), or, in a header, from every file that includes it.
    if (isHeader(defFile)) return true;
    const defModel = this.model(defFile, { name, role: 'defines' });
    return !defModel || defModel.functionsNamed(name).some((fs) => !fs.isStatic);
  }

  /** Constant atoms callers pass for parameter `index` of `fn` (undefined: no caller known). */
  paramAtoms(fn: string, file: string, index: number, depth = 0): Set<string> | undefined {
    const memoKey = `${file}:${fn}#${index}`;
    if (this.atomMemo.has(memoKey)) return this.atomMemo.get(memoKey);
    const stored = detach(memoKey); // a Map keeps the key it was first given (see memo)
    this.atomMemo.set(stored, new Set(['?']));
    let out: Set<string> | undefined;
    if (depth < MAX_DEPTH) {
      for (const { call: c } of this.callSites(fn, file)) {
        out ??= new Set();
        const a = c.args[index];
        if (!a) out.add('?');
        else if (a.k === 'const') for (const x of a.atoms) out.add(x);
        else if (a.k === 'param') for (const x of this.paramAtoms(c.caller, c.file, a.index, depth + 1) ?? ['?']) out.add(x);
        else {
          const node = argNode(c, index);
          const env: ValueEnv = { scope: c.scope, paramAtoms: (f2, file2, i2) => this.paramAtoms(f2, file2, i2, depth + 1), projectDefines: this.defines };
          for (const x of node ? atomsOf(node, env) : ['?']) out.add(x);
        }
      }
    }
    this.atomMemo.set(stored, detachDeep(out));
    return out;
  }

  /** The resolved summary of what `ref` does with its parameter at `key` (`0`, `1.fd`). */
  paramSummary(ref: FnRef, key: string, depth: number): Effects {
    const memoKey = `${ref.model.file}:${ref.fs.node.start}:${key}`;
    const memo = this.paramMemo.get(memoKey);
    if (memo) return memo;
    const stored = detach(memoKey); // a Map keeps the key it was first given (see memo)
    this.paramMemo.set(stored, {}); // cycle guard: a recursive call adds nothing new
    const dot = key.indexOf('.');
    const index = Number(dot >= 0 ? key.slice(0, dot) : key);
    const tagged = ref.model.paramEffects(ref.fs, index, this.helperNames);
    let local: Effects;
    if (dot < 0) local = tagged[''] ?? {};
    else if (key.slice(dot + 1) === '&') local = tagged['&'] ?? {};
    else {
      // The struct itself passed on: its edges (path '?') now mean the requested field.
      const field = key.slice(dot + 1);
      local = mergeEffects(tagged[field] ?? {}, substitute(tagged['*'] ?? {}, field));
    }
    const resolved = this.resolve(local, ref.model.file, depth + 1);
    this.paramMemo.set(stored, detachDeep(resolved));
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
    if (edges?.length && depth > MAX_DEPTH) out.escape ??= `passed to ${edges[0]!.callee}()`;
    else if (edges?.length) for (const edge of edges) out = mergeEffects(out, this.resolveEdge(edge, file, depth));
    return out;
  }

  /** Keepalive set elsewhere on every struct field or global the socket is stored in. */
  storedKeepalive(e: Effects): KaEvidence | undefined {
    const stored = e.stored ?? [];
    if (!stored.length) return undefined;
    const facts = stored.map((k) => this.field(k));
    if (!facts.every((f) => f?.keepalive)) return undefined;
    const f = facts[0]!.keepalive!;
    return { ...f, kind: f.kind === 'conditional' ? 'conditional' : 'wrapper' };
  }

  /**
   * A generic option setter fed by a table counts as keepalive when the project's tables list
   * SO_KEEPALIVE (stunnel's `socket = l:SO_KEEPALIVE=yes`): a run-time setting, so conditional.
   * Judged on final effects only, after calls that name their one option were set apart.
   */
  tableKeepalive(e: Effects): KaEvidence | undefined {
    if (!e.optionTable || !this.keepaliveFiles.length) return undefined;
    return { kind: 'conditional', line: e.optionTable.line, file: e.optionTable.file, via: 'setsockopt() with options from a configured table that lists SO_KEEPALIVE' };
  }

  private resolveEdge(edge: Edge, file: string, depth: number): Effects {
    if (edge.path === '?') return {}; // meaningful only once substituted with a field
    if (NEUTRAL_EXTERNAL.test(edge.callee)) return {};
    const defs = this.definitions(edge.callee, edge.file || file);
    if (defs.length === 0) {
      // A macro that is one call of a function: follow the function with the arguments mapped.
      const alias = this.callAliases.get(edge.callee);
      const j = alias ? alias.argMap.indexOf(edge.arg) : -1;
      if (alias && j >= 0 && depth < MAX_DEPTH) {
        const args: ArgInfo[] = alias.argMap.map((i) => edge.args[i] ?? { k: 'other', text: '' });
        return this.resolveEdge({ ...edge, callee: alias.callee, arg: j, args }, file, depth + 1);
      }
      return this.externalCall(edge);
    }
    const key = edge.path === '' ? `${edge.arg}` : `${edge.arg}.${edge.path}`;
    let out: Effects = {};
    for (const def of defs) out = mergeEffects(out, this.mapIntoCaller(this.paramSummary(def, key, depth), edge, def, depth));
    return out;
  }

  private mapIntoCaller(s: Effects, edge: Edge, def: FnRef, depth: number): Effects {
    const { keepalive, returned, escape, optionTable, ...rest } = s;
    let out: Effects = { ...rest };
    // A table-driven setter called with one option named (`set_option(fd, "TCP_NODELAY")`)
    // sets that option, not whatever the table could hold.
    const namesOption = edge.args.some((a) => (a.k === 'other' && /^"?(SO|TCP|IP|IPV6)_\w+"?$/.test(a.text)) || (a.k === 'const' && a.atoms.some((x) => /^(SO|TCP|IP|IPV6)_/.test(x))));
    if (optionTable && !namesOption) out.optionTable = optionTable;
    if (escape && escape !== 'returned') out.escape = escape;
    if (keepalive) {
      const ka = judgeKeepalive(keepalive, edge, def.fs.name);
      if (ka === 'disabled') out.disabled ??= { line: edge.line, file: edge.file };
      else if (ka) out.keepalive = ka;
    }
    if (returned?.length && edge.result) {
      for (const path of returned) {
        const picked = pickResult(edge.result, path);
        if (picked) out = mergeEffects(out, this.resolve(picked, edge.file, depth + 1));
      }
    }
    return out;
  }

  private externalCall(edge: Edge): Effects {
    const helper = this.helperNames.get(edge.callee);
    if (helper) {
      const idx = this.keepaliveMacros.get(edge.callee);
      if (idx === undefined || idx === edge.arg) {
        // A macro expands to setsockopt() right here: that is direct evidence, not a hand-off.
        const kind = edge.conditional ? 'conditional' : helper === 'macro' ? 'direct' : 'wrapper';
        return { keepalive: { kind, line: edge.line, file: edge.file, via: helper === 'macro' ? `${edge.callee}() → setsockopt(SO_KEEPALIVE)` : `${edge.callee}() (configured helper)` } };
      }
    }
    if ((this.closeMacros.has(edge.callee) || /close/i.test(edge.callee)) && edge.arg === 0 && edge.path === '') return { close: edge.line };
    if (/keep_?alive/i.test(edge.callee) && edge.path === '') {
      const zero = edge.args.some((a, i) => i !== edge.arg && a.k === 'const' && a.atoms.every((x) => x === '0'));
      if (zero) return { disabled: { line: edge.line, file: edge.file } };
      return { keepalive: { kind: edge.conditional ? 'conditional' : 'wrapper', line: edge.line, file: edge.file, via: `${edge.callee}() (not in the audited tree; judged by its name)` } };
    }
    if (NEUTRAL_EXTERNAL.test(edge.callee)) return {};
    return { escape: `passed to ${edge.callee}()` };
  }

  /**
   * Effects of a value that `fn` returns, as its callers use it. Evidence must hold for
   * every caller that connects or keeps the socket; roles are the union of what callers do.
   */
  callersOf(
    fnName: string,
    file: string,
    path: string,
    depth = 0,
    seen = new Set<string>(),
    relevant?: Relevance,
  ): { effects: Effects; callers: number } | undefined {
    const memoKey = `${file}:${fnName}:${path}`;
    if (!relevant && this.callerMemo.has(memoKey)) return this.callerMemo.get(memoKey);
    if (depth > MAX_DEPTH || seen.has(fnName)) return undefined;
    seen.add(fnName);
    let combined: Effects | undefined;
    let weakest: KaEvidence | undefined;
    let lacking = false;
    let callers = 0;
    const unixUses: Effects[] = [];
    const follow = (u: CallerUse, relevantUp?: Relevance): void => {
      callers++;
      const picked = pickResult(u.use, path);
      if (!picked) return;
      let r = this.resolve(picked, u.file, depth + 1);
      // A caller that connects and closes with nothing in between only probes reachability.
      if (r.connect && isProbe(r)) {
        const { connect: _c, ...rest } = r;
        r = rest;
      }
      if (r.returned?.length) {
        const up = this.callersOf(u.caller, u.file, r.returned[0]!, depth + 1, seen, relevantUp);
        if (up) {
          const { returned: _r, escape, keepalive, ...keep } = r;
          r = mergeEffects(escape && escape !== 'returned' ? { ...keep, escape } : keep, up.effects);
          r.keepalive = keepalive ?? up.effects.keepalive;
        }
      }
      // A caller that connects it (or binds it) to a unix address made a unix socket of it, as
      // a caller passing AF_UNIX would (`relevant`): it counts only if no other caller does.
      if ((r.connect ?? r.bind)?.family === 'unix') unixUses.push(r);
      else account(r);
    };
    const account = (r: Effects): void => {
      // A caller that only listens on it is judged through its accepted sockets, not here; so is
      // one that binds it and stores it unconnected (a receiver listened on elsewhere: haproxy's
      // `rx->fd`, whose listen() the field facts do not reach through `listener->rx.fd`).
      const usesAsConnection = !!(r.connect || r.escape || r.stored?.length) && !r.listen && !(r.bind && !r.connect);
      const ka = r.keepalive ?? this.tableKeepalive(r) ?? this.storedKeepalive(r);
      if (!ka && usesAsConnection) lacking = true;
      if (ka) weakest = weakest ? weakerKa(weakest, ka) : ka;
      const { keepalive: _k, optionTable: _t, ...noKa } = r;
      combined = combined ? mergeEffects(combined, noKa) : noKa;
    };
    // Each caller file's uses are followed before the next file is loaded: listed first, the
    // uses held every caller's model at once, whatever the model cache let go (20 factories
    // with 2,000 callers each: 11.3-11.9 -> 6.4-6.8 s in a worker near its heap bound, less GC).
    // The other factories of the file under analysis, whose callers are often the same files:
    // their uses are read from each caller's model while it is here (see `usesAhead`).
    const siblings = !relevant && this.pinned?.file === file ? this.pinned.factories(this.socketAliases).filter((y) => y !== fnName) : [];
    for (const f of this.names.callersOf(fnName, file)) {
      // Only callers that reach this definition (a static one elsewhere does not); asked before
      // parsing the caller's file, which the answer does not need.
      if (!this.reaches(fnName, f, file)) continue;
      const aheadKey = `${f}\0${file}\0${fnName}`;
      const ahead = relevant ? undefined : this.usesAhead.get(aheadKey);
      if (ahead) {
        this.usesAhead.delete(aheadKey);
        for (const u of ahead) follow(u);
        continue;
      }
      const m = this.model(f, { name: fnName, role: 'calls' });
      if (!m) continue;
      for (const u of m.resultsOf(fnName, this.helperNames)) {
        const judged = relevant ? relevant(u) : true;
        if (judged) follow(u, typeof judged === 'function' ? judged : undefined);
      }
      for (const y of siblings) {
        const key = `${f}\0${file}\0${y}`;
        if (!this.usesAhead.has(key) && this.names.mentions(f, y)) {
          this.usesAhead.set(detach(key), m.resultsOf(y, this.helperNames).map((u) => ({ use: detachDeep(u.use), file: u.file, caller: detach(u.caller) })));
        }
      }
    }
    // Only unix callers: the socket is theirs (memcached's `new_socket_unix()`), and so is its story.
    if (!combined) for (const r of unixUses) account(r);
    const result = combined ? { effects: !lacking && weakest ? { ...combined, keepalive: weakest } : combined, callers } : undefined;
    if (!relevant) this.callerMemo.set(detach(memoKey), detachDeep(result));
    return result;
  }

  /** Facts about a struct field or global that holds sockets (`conn.sfd`, `::listen_fd`). */
  field(key: string): FieldFacts | undefined {
    const map = this.fields();
    const exact = map.get(key);
    if (exact) return exact;
    // When either side could not see the struct type, match the field path alone.
    const dot = key.indexOf('.');
    if (dot < 0) return undefined;
    const type = key.slice(0, dot);
    const path = key.slice(dot + 1);
    let found: FieldFacts | undefined;
    // A bare generic name (`?.fd`) says too little to match another struct's field.
    if (!path.includes('.') && GENERIC_FIELDS.test(path)) return undefined;
    for (const [k, v] of map) {
      const kd = k.indexOf('.');
      if (kd < 0 || k.slice(kd + 1) !== path) continue;
      if (type === '?' || k.slice(0, kd) === '?') found = found ? mergeField(found, v) : v;
    }
    return found;
  }

  private fields(): Map<string, FieldFacts> {
    if (!this.fieldCache) {
      this.fieldCache = new Map(); // re-entrancy: lookups during the build see an empty map
      this.adoptFields(this.fieldPartials(this.seedFiles));
    }
    return this.fieldCache;
  }

  /** What the given seed files say about struct fields and globals. */
  private fieldPartials(files: string[]): Record<string, FieldPartial> {
    const out: Record<string, FieldPartial> = {};
    const get = (k: string): FieldPartial => (out[k] ??= { tcp: [], listener: false, client: false, loopbackAll: true, sites: 0, uses: [] });
    for (const file of files) {
      const m = this.model(file);
      if (!m) continue;
      for (const s of m.storedSites(this.socketAliases, this.helperNames)) this.addStoredSite(s, get);
      for (const u of m.fieldUses()) {
        if (u.kind === 'passed') {
          const ka = this.passedKeepalive(u);
          if (ka) get(u.key).useKa = betterKa(get(u.key).useKa, ka);
          continue;
        }
        const f = get(u.key);
        f.uses.push(u);
        if (u.kind === 'keepalive' && u.keepalive) f.useKa = betterKa(f.useKa, u.keepalive);
        if (u.kind === 'listen') f.listener = true;
        if (u.kind === 'connect') f.client = true;
      }
    }
    return out;
  }

  /** What a project function does to a descriptor field handed to it: keepalive, or nothing. */
  private passedKeepalive(u: FieldUse): KaEvidence | undefined {
    const defs = this.definitions(u.callee!, u.file);
    const edge: Edge = { callee: u.callee!, arg: u.arg!, path: '', args: u.args ?? [], line: u.line, file: u.file };
    for (const def of defs) {
      const mapped = this.mapIntoCaller(this.paramSummary(def, `${u.arg}`, 0), edge, def, 0);
      const ka = mapped.keepalive ?? this.tableKeepalive(mapped);
      if (ka) return ka;
    }
    return undefined;
  }

  /** Installs gathered field partials as this project's field facts. */
  private adoptFields(partials: Record<string, FieldPartial>): void {
    const map = (this.fieldCache ??= new Map());
    map.clear();
    for (const [k, p] of Object.entries(partials)) {
      const keepalive = betterKa(p.useKa, p.connKa ?? undefined);
      // Kept for the whole run: detached like the memos' results (see memo).
      map.set(detach(k), detachDeep({
        tcp: new Set(p.tcp),
        listener: p.listener,
        client: p.client,
        loopback: p.sites > 0 && p.loopbackAll,
        sites: p.sites,
        uses: p.uses,
        ...(keepalive ? { keepalive } : {}),
        ...(p.listenKa ? { listenerKeepalive: p.listenKa } : {}),
      }));
    }
  }

  private addStoredSite(s: StoredSite, get: (k: string) => FieldPartial): void {
    let r = this.resolve(s.effects, s.file);
    if (r.returned?.length) {
      const up = this.callersOf(s.fn, s.file, r.returned[0]!);
      if (up) r = mergeEffects(r, up.effects);
    }
    const keys = new Set([...s.keys, ...(r.stored ?? [])]);
    if (keys.size === 0) return;
    // A parameter's atoms are its callers'; `atoms` then holds the constants a macro or's onto it.
    const atoms = s.args.map((a) => (a.param !== undefined ? union(this.paramAtoms(s.fn, s.file, a.param) ?? new Set(['?']), new Set(a.atoms)) : new Set(a.atoms)));
    const verdict = tcpVerdict(atoms[0] ?? new Set(['?']), atoms[1] ?? new Set(['?']), atoms[2] ?? new Set(['?'])).tcp;
    const tcp: Tcp = verdict === 'unknown' && r.tcpOption ? 'yes' : verdict;
    for (const k of keys) {
      const f = get(k);
      f.sites++;
      if (!f.tcp.includes(tcp)) f.tcp.push(tcp);
      f.listener ||= r.listen !== undefined;
      f.client ||= r.connect !== undefined;
      f.loopbackAll &&= !!r.bind?.loopback || !!r.connect?.loopback;
      if (verdict !== 'no') {
        // Listeners and connections share generic fields (an event loop's `data.fd`): kept apart.
        // The evidence is the weakest over the sockets stored there; null once one lacks it.
        const ka = r.keepalive ?? null;
        if (r.listen !== undefined) f.listenKa = combineKa(f.listenKa, ka);
        else f.connKa = combineKa(f.connKa, ka);
      }
    }
  }
}

/** Field facts as they are gathered from the seed files (see fieldPartials). */
interface FieldPartial {
  tcp: Tcp[];
  listener: boolean;
  client: boolean;
  loopbackAll: boolean;
  sites: number;
  uses: FieldUse[];
  /** Weakest keepalive over the connections stored there; null when one has none. */
  connKa?: KaEvidence | null;
  /** The same over the listeners stored there. */
  listenKa?: KaEvidence | null;
  /** setsockopt(SO_KEEPALIVE) applied to the field directly somewhere. */
  useKa?: KaEvidence;
}

function combineKa(a: KaEvidence | null | undefined, b: KaEvidence | null | undefined): KaEvidence | null | undefined {
  if (a === null || b === null) return null;
  if (a === undefined) return b;
  if (b === undefined) return a;
  return weakerKa(a, b);
}

const GENERIC_FIELDS = /^(fd|sock|socket|s|sd|sfd|fds|socks|handle)$/;

/** Logging and tracing helpers: passing a descriptor to them neither uses nor keeps it. */
const NEUTRAL_EXTERNAL = /^(\w*(log|debug|trace|warn|error|fatal|verbose|info|notice|printf|assert|panic)\w*|WSAIoctl|ioctlsocket|evutil_make_socket_\w+|fd_set\w*|FD_\w+)$/i;

function argNode(c: { node: import('./parse.js').CNode }, index: number) {
  const list = c.node.children.find((x) => x.field === 'arguments');
  return list?.children.filter((x) => x.named && x.type !== 'comment')[index];
}

const KA_RANK: Record<KaEvidence['kind'], number> = { direct: 3, wrapper: 2, conditional: 1 };

function weakerKa(a: KaEvidence, b: KaEvidence): KaEvidence {
  return KA_RANK[b.kind] < KA_RANK[a.kind] ? b : a;
}

/** A callee's keepalive, seen from one call: `set_ka(fd, 0)` is not evidence. */
function judgeKeepalive(ka: KaEvidence, edge: Edge, calleeName: string): KaEvidence | 'disabled' | undefined {
  const base: KaEvidence = {
    kind: edge.conditional || ka.kind === 'conditional' ? 'conditional' : 'wrapper',
    line: edge.line,
    file: edge.file,
    via: `${calleeName}() → ${ka.via}`,
  };
  if (ka.valueParam === undefined) return base;
  const a: ArgInfo | undefined = edge.args[ka.valueParam];
  if (!a) return { ...base, kind: 'conditional' };
  if (a.k === 'const') return a.atoms.every((x) => x === '0') ? 'disabled' : base;
  if (a.k === 'param') return { ...base, valueParam: a.index };
  return { ...base, kind: 'conditional', via: `${base.via} (value ${a.text || 'from a run-time setting'})` };
}

function mergeField(a: FieldFacts, b: FieldFacts): FieldFacts {
  const ka = a.keepalive || b.keepalive ? betterKa(a.keepalive, b.keepalive) : undefined;
  const lka = a.listenerKeepalive || b.listenerKeepalive ? betterKa(a.listenerKeepalive, b.listenerKeepalive) : undefined;
  return {
    ...(lka ? { listenerKeepalive: lka } : {}),
    tcp: new Set([...a.tcp, ...b.tcp]),
    listener: a.listener || b.listener,
    client: a.client || b.client,
    ...(ka ? { keepalive: ka } : {}),
    loopback: a.loopback && b.loopback,
    sites: a.sites + b.sites,
    uses: [...a.uses, ...b.uses],
  };
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
