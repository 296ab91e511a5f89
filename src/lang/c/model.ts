// One parsed C file and the facts it can answer on demand: what a function does with its
// parameters, what callers pass and do with results, which sockets land in struct fields.
// Everything is computed lazily and memoized: the project asks only for what a site needs.
import { FIELD_USE_HINT } from './hints.js';
import type { Tcp } from '../../engine/types.js';
import { callArgs, callName, child, functionName, keyOf, textMatches, textOf, unwrap, valueCarrier, walk } from './ast.js';
import type { ArgInfo, Effects, KaEvidence, TaggedEffects } from './effects.js';
import { isEmpty } from './effects.js';
import type { CNode } from './parse.js';
import { buildFileScope, buildFnScope, type FileScope, type FnScope } from './scope.js';
import { findSites, type RawSite, type SocketAlias } from './sites.js';
import { fieldKey, track, type HelperNames } from './track.js';
import { atomsOf, fixedAtoms, siteArgAtoms, UNKNOWN, type ValueEnv } from './values.js';

export interface CallFacts {
  callee: string;
  caller: string;
  file: string;
  args: ArgInfo[];
  /** The call node, to resolve non-constant arguments in the caller when needed. */
  node: CNode;
  scope: FnScope;
}

export interface ResultUse {
  callee: string;
  caller: string;
  file: string;
  line: number;
  use: TaggedEffects;
  node: CNode;
  scope: FnScope;
}

/** What one socket() site says about the struct fields or globals it ends up in. */
export interface StoredSite {
  keys: string[];
  /** Local verdict; args that depend on parameters are re-judged by the project. */
  args: Array<{ atoms: string[]; param?: number }>;
  fn: string;
  line: number;
  file: string;
  /** Local effects on the descriptor, edges unresolved. */
  effects: Effects;
}

export interface FieldUse {
  key: string;
  /** `passed`: handed to a project function (`set_socket_options(c->fd)`), judged by its summary. */
  kind: 'keepalive' | 'connect' | 'listen' | 'passed';
  line: number;
  file: string;
  keepalive?: KaEvidence;
  callee?: string;
  arg?: number;
  args?: ArgInfo[];
}

/** Field names that hold descriptors (`fd`, `sock`, `listen_fd`, `local_rfd.fd`…). */
const SOCKET_FIELD = /(fd|sock|socket|sd)$/i;

const SOCKETISH = /\b(AF_|PF_|SOCK_|IPPROTO_|SOL_|SO_)/;
const LOOPBACK_STRING = /^"(127\.0\.0\.1|::1|localhost)"$/;

/** Callee names whose results are never sockets: their results are not tracked. */
const NOT_FACTORIES = /^(str\w*|mem\w*|malloc|calloc|realloc|free|printf|fprintf|snprintf|sprintf|sizeof|htons|htonl|ntohs|ntohl|strerror|getenv|atoi|atol|strtol\w*|time|open|fopen|read|write|send|recv|getaddrinfo|freeaddrinfo|inet_\w+|fcntl|ioctl|setsockopt|getsockopt|connect|bind|listen|close|select|poll|epoll_\w+|pthread_\w+|assert|isdigit|isspace|tolower|toupper|abs|errno)$/;

/** Parameters that cannot carry a descriptor or a struct holding one (strings, floats, sizes). */
export function maySocket(d: { type: string } | undefined): boolean {
  if (!d) return true;
  const t = d.type;
  if (/\b(char|float|double|bool|_Bool|size_t|ssize_t|off_t|time_t|wchar_t|va_list)\b/.test(t)) return false;
  if (/^(u?int(8|16|64)_t|unsigned char)$/.test(t)) return false;
  return true;
}

/**
 * What a model costs in heap, for the project's model cache: ~135 bytes a mirrored node (with
 * the scopes and facts the analysis builds from it) and ~10 KB a model whatever its size. Least
 * squares over the heap's growth, nothing let go, on four trees: the real servers (133 bytes a
 * node overall), the generated corpus (203), 4,000 small programs (255, or 20 KB a model) and a
 * fan-in of 2,000 callers (152). Source bytes alone, the bound before, priced a small file read
 * whole at a tenth of its cost.
 */
export const MODEL_HEAP = { perModel: 10 << 10, perNode: 135 };

/** A model's heap guessed from its source size before parsing (~0.07 nodes a byte once its bodies are read). */
export function guessedModelHeap(sourceBytes: number): number {
  return MODEL_HEAP.perModel + 10 * sourceBytes;
}

export class CFileModel {
  readonly scope: FileScope;
  private fnScopes?: Map<string, CNode[]>;
  private readonly scopeByNode = new Map<CNode, FnScope>();
  private readonly paramMemo = new Map<string, TaggedEffects>();

  constructor(
    readonly file: string,
    readonly src: string,
    readonly root: CNode,
    /** CNodes mirrored so far (ParsedC.nodes). */
    private readonly mirrored: () => number,
    /** ERROR/MISSING nodes from the parse. */
    readonly errors: CNode[] = [],
    /** Set when the file was parsed in one preprocessor configuration only. */
    readonly parseNote?: string,
    /** The same file in another preprocessor configuration, parsed when first needed. */
    private readonly alternateOf?: () => CFileModel,
    private readonly release?: () => void,
  ) {
    this.scope = buildFileScope(file, src, root);
  }

  private alternateModel?: CFileModel;

  /** The heap this model holds now, its alternate's included (MODEL_HEAP): it grows as bodies are read. */
  get heap(): number {
    return MODEL_HEAP.perModel + MODEL_HEAP.perNode * this.mirrored() + (this.alternateModel?.heap ?? 0);
  }

  /** The same file in another preprocessor configuration, for sites only it contains. */
  get alternate(): CFileModel | undefined {
    if (!this.alternateOf) return undefined;
    this.alternateModel ??= this.alternateOf();
    return this.alternateModel;
  }

  fnScope(fn: CNode): FnScope {
    let s = this.scopeByNode.get(fn);
    if (!s) {
      s = buildFnScope(this.scope, fn);
      this.scopeByNode.set(fn, s);
    }
    return s;
  }

  functionsNamed(name: string): FnScope[] {
    if (!this.fnScopes) {
      this.fnScopes = new Map();
      // By the declarator's name alone: the scopes are built for the functions asked for.
      for (const fn of this.scope.functions) {
        const n = functionName(this.src, fn);
        if (!n) continue;
        const list = this.fnScopes.get(n);
        if (list) list.push(fn);
        else this.fnScopes.set(n, [fn]);
      }
    }
    const here = (this.fnScopes.get(name) ?? []).map((fn) => this.fnScope(fn));
    if (here.length || !this.alternate) return here;
    return this.alternate.functionsNamed(name);
  }

  /** What `fs` does with parameter `index`: tag '' the fd itself, '&' the fd it points to, 'f' field f of it, '*' the struct passed on. */
  paramEffects(fs: FnScope, index: number, extraHelpers: HelperNames): TaggedEffects {
    const memoKey = `${fs.node.start}:${index}`;
    const hit = this.paramMemo.get(memoKey);
    if (hit) return hit;
    const p = fs.params[index];
    let tagged: TaggedEffects = {};
    if (p && maySocket(fs.locals.get(p))) {
      tagged = track({
        env: { scope: fs },
        holders: new Map([
          [p, ''],
          [`*${p}`, '&'],
        ]),
        containers: new Map([[p, '*']]),
        from: 0,
        resultDepth: 1,
        extraHelpers,
      });
    }
    this.paramMemo.set(memoKey, tagged);
    return tagged;
  }

  private fnsByCalledName?: Map<string, CNode[]>;

  /**
   * Functions whose text mentions `name(` (the only ones worth mirroring for it). Indexed in one
   * pass over the functions: a regex per function and name made a file with 3,000 socket
   * factories quadratic.
   */
  functionsMentioning(name: string): CNode[] {
    const word = name.replace(/[^\w]/g, '');
    if (!/^[A-Za-z_]\w*$/.test(word)) {
      const re = new RegExp(`\\b${word}\\s*\\(`);
      return this.scope.functions.filter((fn) => textMatches(this.src, fn, re));
    }
    if (!this.fnsByCalledName) {
      const index = new Map<string, CNode[]>();
      for (const fn of this.scope.functions) {
        const text = this.src.slice(fn.start, fn.end);
        for (const m of text.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) {
          const list = index.get(m[1]!);
          if (!list) index.set(m[1]!, [fn]);
          else if (list[list.length - 1] !== fn) list.push(fn);
        }
      }
      this.fnsByCalledName = index;
    }
    return this.fnsByCalledName.get(word) ?? [];
  }

  /** Frees the parser's tree (the mirror stays usable; it re-parses if read again). */
  dispose(): void {
    this.release?.();
    this.alternateModel?.dispose();
  }

  /** Calls to `name` in this file, with what each argument is (both configurations when split). */
  callsTo(name: string): CallFacts[] {
    const out = this.callsToHere(name);
    if (this.alternate) {
      const seen = new Set(out.map((c) => c.node.start));
      out.push(...this.alternate.callsToHere(name).filter((c) => !seen.has(c.node.start)));
    }
    return out;
  }

  private callsToHere(name: string): CallFacts[] {
    const out: CallFacts[] = [];
    for (const fn of this.functionsMentioning(name)) {
      walk(fn, (n) => {
        if (n.type !== 'call_expression' || callName(this.src, n) !== name) return;
        const fs = this.fnScope(fn);
        out.push({ callee: name, caller: fs.name, file: this.file, args: callArgs(n).map((a) => argInfoOf(fs, a)), node: n, scope: fs });
      });
    }
    return out;
  }

  /** What callers in this file do with the result of `name(...)` when they keep it. */
  resultsOf(name: string, extraHelpers: HelperNames): ResultUse[] {
    const out = this.resultsOfHere(name, extraHelpers);
    if (this.alternate) {
      const seen = new Set(out.map((u) => u.node.start));
      out.push(...this.alternate.resultsOfHere(name, extraHelpers).filter((u) => !seen.has(u.node.start)));
    }
    return out;
  }

  private resultsOfHere(name: string, extraHelpers: HelperNames): ResultUse[] {
    const out: ResultUse[] = [];
    for (const fn of this.functionsMentioning(name)) {
      walk(fn, (n) => {
        if (n.type !== 'call_expression' || callName(this.src, n) !== name) return;
        const fs = this.fnScope(fn);
        const use = resultUseOf(fs, n, extraHelpers);
        if (use) out.push({ callee: name, caller: fs.name, file: this.file, line: n.startRow + 1, use, node: n, scope: fs });
      });
    }
    return out;
  }

  private factoryNames?: string[];

  /**
   * Functions here that return the descriptor of a socket()/accept() site of theirs, by the text
   * (`return fd;`, `return socket(…);`): the factories whose callers the project will follow.
   */
  factories(aliases: Map<string, SocketAlias>): string[] {
    if (this.factoryNames) return this.factoryNames;
    const names = new Set<string>();
    for (const site of findSites(this.src, this.root, aliases)) {
      const fn = enclosingFunction(site.call);
      const name = fn && functionName(this.src, fn);
      if (!fn || !name || names.has(name)) continue;
      const key = site.target.key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      if (site.target.kind === 'return' || (key && new RegExp(`\\breturn\\s*\\(?\\s*${key}\\s*\\)?\\s*;`).test(textOf(this.src, fn)))) names.add(name);
    }
    this.factoryNames = [...names];
    return this.factoryNames;
  }

  /** socket() sites whose descriptor is stored in a field/global or returned (factories). */
  storedSites(aliases: Map<string, SocketAlias>, extraHelpers: HelperNames): StoredSite[] {
    const out = this.storedSitesHere(aliases, extraHelpers);
    if (this.alternate) {
      const seen = new Set(out.map((s) => `${s.line}:${s.fn}`));
      out.push(...this.alternate.storedSitesHere(aliases, extraHelpers).filter((s) => !seen.has(`${s.line}:${s.fn}`)));
    }
    return out;
  }

  private storedSitesHere(aliases: Map<string, SocketAlias>, extraHelpers: HelperNames): StoredSite[] {
    const out: StoredSite[] = [];
    for (const site of findSites(this.src, this.root, aliases)) {
      if (site.api !== 'socket') continue;
      const fnNode = enclosingFunction(site.call);
      if (!fnNode) continue;
      const fs = this.fnScope(fnNode);
      const e = localSiteEffects(fs, site, extraHelpers);
      if (!e.stored?.length && !e.returned?.length && !e.edges?.length) continue;
      const env: ValueEnv = { scope: fs };
      out.push({
        keys: e.stored ?? [],
        args: site.args.slice(0, 3).map((a, k) => {
          const u = a ? unwrap(a) : undefined;
          const pi = u && u.type === 'identifier' ? fs.params.indexOf(textOf(this.src, u)) : -1;
          const extra = site.fixed?.[k];
          return pi >= 0 ? { atoms: extra === undefined ? [] : [...fixedAtoms(extra)], param: pi } : { atoms: [...siteArgAtoms(site, k, env)] };
        }),
        fn: fs.name,
        line: site.call.startRow + 1,
        file: this.file,
        effects: e,
      });
    }
    return out;
  }

  /** setsockopt(SO_KEEPALIVE)/connect/listen applied to a field or global, directly or via a local copy. */
  fieldUses(): FieldUse[] {
    const out = this.fieldUsesHere();
    if (this.alternate) {
      const seen = new Set(out.map((u) => `${u.line}:${u.key}:${u.kind}`));
      out.push(...this.alternate.fieldUsesHere().filter((u) => !seen.has(`${u.line}:${u.key}:${u.kind}`)));
    }
    return out;
  }

  private fieldUsesHere(): FieldUse[] {
    const out: FieldUse[] = [];
    const src = this.src;
    for (const fn of this.scope.functions) {
      if (!textMatches(src, fn, FIELD_USE_HINT)) continue;
      const fs = this.fnScope(fn);
      // `int cfd = conn->handle.fd;` makes cfd stand for the field.
      const copies = new Map<string, string>();
      walk(fn, (n) => {
        if (n.type === 'init_declarator' || n.type === 'assignment_expression') {
          const l = child(n, n.type === 'init_declarator' ? 'declarator' : 'left');
          const r = child(n, n.type === 'init_declarator' ? 'value' : 'right');
          if (l && r && unwrap(r).type === 'field_expression') {
            const fk = fieldKey(fs, unwrap(r));
            if (fk) copies.set(keyOf(src, l).replace(/^\*+/, ''), fk);
          }
          return;
        }
        if (n.type !== 'call_expression') return;
        const name = callName(src, n);
        if (name !== 'setsockopt' && name !== 'connect' && name !== 'listen') {
          // A descriptor field handed to a project function: its summary decides (resolved later).
          if (!/^[A-Za-z_]\w*$/.test(name)) return;
          callArgs(n).forEach((a, j) => {
            const u = unwrap(a);
            if (u.type !== 'field_expression') return;
            const f = child(u, 'field');
            if (!f || !SOCKET_FIELD.test(textOf(src, f))) return;
            const key = fieldKey(fs, u);
            if (key) out.push({ key, kind: 'passed', line: n.startRow + 1, file: this.file, callee: name, arg: j, args: callArgs(n).map((x) => argInfoOf(fs, x)) });
          });
          return;
        }
        const a0 = callArgs(n)[0] && unwrap(callArgs(n)[0]!);
        if (!a0) return;
        const k0 = keyOf(src, a0);
        const key = copies.get(k0) ?? (a0.type === 'identifier' && fs.locals.has(k0) ? '' : fieldKey(fs, a0));
        if (!key) return;
        const line = n.startRow + 1;
        if (name === 'setsockopt') {
          const tagged = track({ env: { scope: fs }, holders: new Map([[k0, '']]), containers: new Map(), from: n.start, resultDepth: 0 });
          const ka = tagged['']?.keepalive;
          if (ka) out.push({ key, kind: 'keepalive', line, file: this.file, keepalive: ka });
        } else out.push({ key, kind: name, line, file: this.file });
      });
    }
    return out;
  }
}

export function enclosingFunction(node: CNode): CNode | undefined {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'function_definition') return p;
  return undefined;
}

/** The descriptor's local effects right after a site (edges unresolved). */
export function localSiteEffects(fs: FnScope, site: RawSite, extraHelpers: HelperNames): Effects {
  const src = fs.file.src;
  const t = site.target;
  let initial: Effects = {};
  const holders = new Map<string, string>();
  const containers = new Map<string, string>();
  if (t.key) {
    holders.set(t.key, '');
    const tn = t.node ? unwrap(t.node) : undefined;
    if (tn && (tn.type === 'field_expression' || tn.type === 'subscript_expression' || tn.type === 'pointer_expression')) {
      const fk = fieldKey(fs, tn);
      if (fk) initial.stored = [fk];
      const baseNode = child(tn, 'argument');
      const baseKey = baseNode ? keyOf(src, baseNode) : '';
      if (tn.type === 'field_expression' && /^[A-Za-z_]\w*$/.test(baseKey) && fs.locals.has(baseKey) && !fs.params.includes(baseKey)) {
        const f = child(tn, 'field');
        if (f) containers.set(baseKey, textOf(src, f));
      }
      if (!fs.locals.has(baseKey) || fs.params.includes(baseKey)) initial.escape = `stored in ${t.key}`;
    } else if (tn && tn.type === 'identifier' && !fs.locals.has(t.key)) {
      initial.stored = [`::${t.key}`];
      initial.escape = `stored in global ${t.key}`;
    }
  } else if (t.kind === 'return') {
    initial = { returned: [''], escape: 'returned' };
  } else if (t.kind === 'argument') {
    const outer = site.call.parent?.parent;
    if (outer && outer.type === 'call_expression') {
      const idx = callArgs(outer).findIndex((a) => a.start <= site.call.start && a.end >= site.call.end);
      initial = { escape: `passed to ${callName(src, outer)}()` };
      if (idx >= 0) initial.edges = [{ callee: callName(src, outer), arg: idx, path: '', args: [], line: outer.startRow + 1, file: fs.file.file }];
    }
  }
  if (!holders.size) return initial;
  const tagged = track({ env: { scope: fs }, holders, containers, from: site.call.end, resultDepth: 1, extraHelpers });
  return mergeInto(initial, tagged[''] ?? {});
}

function mergeInto(a: Effects, b: Effects): Effects {
  const out: Effects = { ...b };
  if (a.stored) out.stored = [...new Set([...a.stored, ...(b.stored ?? [])])];
  if (a.escape) out.escape ??= a.escape;
  if (a.returned) out.returned = [...new Set([...a.returned, ...(b.returned ?? [])])];
  if (a.edges) out.edges = [...a.edges, ...(b.edges ?? [])];
  return out;
}

export function argInfoOf(fs: FnScope, a: CNode): ArgInfo {
  const src = fs.file.src;
  const u = unwrap(a);
  if (u.type === 'identifier') {
    const pi = fs.params.indexOf(textOf(src, u));
    if (pi >= 0) return { k: 'param', index: pi };
  }
  if (u.type === 'string_literal' && LOOPBACK_STRING.test(textOf(src, u))) return { k: 'const', atoms: [textOf(src, u)] };
  if (u.type === 'number_literal' || u.type === 'identifier' || u.type === 'binary_expression' || u.type === 'field_expression' || u.type === 'true' || u.type === 'false') {
    const atoms = atomsOf(u, { scope: fs });
    if (!atoms.has(UNKNOWN) && [...atoms].some((x) => SOCKETISH.test(x) || /^\d+$/.test(x))) return { k: 'const', atoms: [...atoms] };
  }
  return { k: 'other', text: textOf(src, u).slice(0, 60) };
}

/** What a caller does with a call's result: returns it, or keeps it in a variable and uses it. */
export function resultUseOf(fs: FnScope, call: CNode, extraHelpers: HelperNames): TaggedEffects | undefined {
  const src = fs.file.src;
  const name = callName(src, call);
  if (NOT_FACTORIES.test(name)) return undefined;
  const n = valueCarrier(call);
  // `fd = conn->fd = make()`: every target of a chained assignment holds the result.
  const targets: CNode[] = [];
  let p = n.parent;
  let cur = n;
  while (p) {
    if (p.type === 'assignment_expression' && cur.field === 'right') {
      const l = child(p, 'left');
      if (l) targets.push(l);
    } else if (p.type === 'init_declarator' && cur.field === 'value') {
      const d = child(p, 'declarator');
      if (d) targets.push(d);
      break;
    } else if (p.type !== 'parenthesized_expression') break;
    cur = p;
    p = p.parent;
  }
  if (targets.length === 0) {
    if (n.parent?.type === 'return_statement') return { '': { returned: [''], escape: 'returned' }, '*': { returned: ['?'], escape: 'returned' } };
    return undefined;
  }
  const holders = new Map<string, string>();
  const containers = new Map<string, string>();
  const stored: string[] = [];
  for (const t of targets) {
    const u = unwrap(t);
    const key = keyOf(src, u).replace(/^\*+/, '');
    if (u.type === 'identifier' || u.type === 'pointer_declarator' || u.type === 'init_declarator') {
      if (!maySocket(fs.locals.get(key))) return undefined;
      holders.set(key, '');
      containers.set(key, '*');
    } else {
      holders.set(key, '');
      const fk = fieldKey(fs, u);
      if (fk) stored.push(fk);
    }
  }
  const use = track({ env: { scope: fs }, holders, containers, from: call.end, resultDepth: 1, extraHelpers });
  if (stored.length) {
    const main = (use[''] ??= {});
    main.stored = [...new Set([...(main.stored ?? []), ...stored])];
    main.escape ??= `stored in ${stored[0]}`;
  }
  return Object.values(use).some((e) => !isEmpty(e)) ? use : undefined;
}

export type { Tcp };
