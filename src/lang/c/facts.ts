// Pass 1: what one C file tells the rest of the project. Pure: (path, text, tree) → FileFacts.
// The facts are plain JSON so workers can send them and a cache can keep them.
import { callArgs, callName, child, keyOf, textOf, unwrap, walk } from './ast.js';
import { cCatalog } from './catalog.js';
import type { ArgInfo, Effects, KaEvidence, TaggedEffects } from './effects.js';
import { isEmpty } from './effects.js';
import type { CNode } from './parse.js';
import { buildFileScope, buildFnScope, type FileScope, type FnScope } from './scope.js';
import { findSites, socketAliasOf, type SocketAlias } from './sites.js';
import { fieldKey, track } from './track.js';
import { atomsOf, tcpVerdict, UNKNOWN, type ValueEnv } from './values.js';
import type { Tcp } from '../../engine/types.js';

export interface FnFacts {
  name: string;
  file: string;
  isStatic: boolean;
  arity: number;
  /** Summaries per parameter: `0` the fd itself, `0.fd` field fd of the struct, `0.*` edges passing the struct on. */
  params: Record<string, Effects>;
}

export interface CallFacts {
  callee: string;
  caller: string;
  file: string;
  args: ArgInfo[];
}

export interface ResultUse {
  callee: string;
  caller: string;
  file: string;
  line: number;
  use: TaggedEffects;
}

/** What one site, seen locally, says about the struct fields or globals it is stored in. */
export interface StoredSite {
  keys: string[];
  tcp: Tcp;
  listener: boolean;
  client: boolean;
  keepalive?: KaEvidence;
  loopback: boolean;
  line: number;
  file: string;
  /** Unresolved calls the local view could not follow (resolved at project level). */
  effects: Effects;
}

export interface FieldUse {
  key: string;
  kind: 'keepalive' | 'connect' | 'listen';
  line: number;
  file: string;
  keepalive?: KaEvidence;
}

export interface FileFacts {
  file: string;
  functions: FnFacts[];
  calls: CallFacts[];
  results: ResultUse[];
  socketAliases: Record<string, SocketAlias>;
  /** `#define KA(fd) setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, …)`: macro → the argument holding the fd. */
  keepaliveMacros: Record<string, number>;
  closeMacros: string[];
  /** Object-like #defines whose value names socket constants (shared across files). */
  defines: Record<string, string>;
  stored: StoredSite[];
  fieldUses: FieldUse[];
}

const SOCKETISH = /\b(AF_|PF_|SOCK_|IPPROTO_|SOL_|SO_)/;

/** Callee names whose results are never sockets: skip tracking their results. */
const NOT_FACTORIES = /^(str\w*|mem\w*|malloc|calloc|realloc|free|printf|fprintf|snprintf|sprintf|sizeof|htons|htonl|ntohs|ntohl|strerror|getenv|atoi|atol|strtol\w*|time|open|fopen|read|write|send|recv|getaddrinfo|freeaddrinfo|inet_\w+|fcntl|ioctl|setsockopt|getsockopt|connect|bind|listen|close|select|poll|epoll_\w+|pthread_\w+|assert|isdigit|isspace|tolower|toupper|abs|errno)$/;

export function extractFileFacts(file: string, src: string, root: CNode, aliases: Map<string, SocketAlias> = new Map()): FileFacts {
  const scope = buildFileScope(file, src, root);
  const facts: FileFacts = {
    file,
    functions: [],
    calls: [],
    results: [],
    socketAliases: {},
    keepaliveMacros: {},
    closeMacros: [],
    defines: {},
    stored: [],
    fieldUses: [],
  };
  collectMacros(scope, facts);
  const allAliases = new Map(aliases);
  for (const [k, v] of Object.entries(facts.socketAliases)) allAliases.set(k, v);
  const extraHelpers = new Set(Object.keys(facts.keepaliveMacros));
  for (const fn of scope.functions) {
    const fs = buildFnScope(scope, fn);
    if (!fs.name) continue;
    const env: ValueEnv = { scope: fs };
    facts.functions.push(functionFacts(fs, env, extraHelpers));
    collectCalls(fs, env, facts, extraHelpers);
    collectStoredSites(fs, env, facts, allAliases, extraHelpers);
    collectFieldUses(fs, env, facts);
  }
  return facts;
}

function collectMacros(scope: FileScope, facts: FileFacts): void {
  for (const [name, body] of scope.defines) {
    const alias = socketAliasOf(null, body);
    if (alias) facts.socketAliases[name] = alias;
    else if (SOCKETISH.test(body) && body.length < 200) facts.defines[name] = body;
    if (/^\(?\s*(close|closesocket)\s*\)?$/.test(body)) facts.closeMacros.push(name);
  }
  for (const [name, m] of scope.macros) {
    const alias = socketAliasOf(m.params, m.body);
    if (alias) {
      facts.socketAliases[name] = alias;
      continue;
    }
    const ka = /setsockopt\s*\(\s*\(?\s*(\w+)\s*\)?\s*,\s*SOL_SOCKET\s*,\s*SO_KEEPALIVE\b/.exec(m.body);
    if (ka) {
      const idx = m.params.indexOf(ka[1]!);
      if (idx >= 0) facts.keepaliveMacros[name] = idx;
    }
    if (/^\(?\s*(close|closesocket)\s*\(\s*\(?\s*\w+\s*\)?\s*\)\s*\)?$/.test(m.body)) facts.closeMacros.push(name);
  }
}

function functionFacts(fs: FnScope, env: ValueEnv, extraHelpers: Set<string>): FnFacts {
  const params: Record<string, Effects> = {};
  fs.params.forEach((p, i) => {
    if (!p) return;
    const tagged = track({
      env,
      holders: new Map([[p, '']]),
      containers: new Map([[p, '*']]),
      from: 0,
      resultDepth: 1,
      extraHelpers,
    });
    for (const [tag, eff] of Object.entries(tagged)) {
      if (isEmpty(eff)) continue;
      params[tag === '' ? `${i}` : `${i}.${tag}`] = eff;
    }
  });
  return { name: fs.name, file: fs.file.file, isStatic: fs.isStatic, arity: fs.params.length, params };
}

/** Calls that pass socket constants or forward parameters: they decide callees' socket() arguments. */
function collectCalls(fs: FnScope, env: ValueEnv, facts: FileFacts, extraHelpers: Set<string>): void {
  const src = fs.file.src;
  walk(fs.node, (n) => {
    if (n.type !== 'call_expression') return;
    const name = callName(src, n);
    if (!/^[A-Za-z_]\w*$/.test(name) || NOT_FACTORIES.test(name)) return;
    const args = callArgs(n);
    let interesting = false;
    const infos: ArgInfo[] = args.map((a) => {
      const u = unwrap(a);
      if (u.type === 'identifier') {
        const pi = fs.params.indexOf(textOf(src, u));
        if (pi >= 0) {
          interesting = true;
          return { k: 'param', index: pi };
        }
      }
      if (u.type === 'number_literal' || u.type === 'identifier' || u.type === 'binary_expression' || u.type === 'field_expression') {
        const atoms = atomsOf(u, env);
        if (!atoms.has(UNKNOWN) && [...atoms].some((x) => SOCKETISH.test(x) || /^\d+$/.test(x))) {
          if ([...atoms].some((x) => SOCKETISH.test(x))) interesting = true;
          return { k: 'const', atoms: [...atoms] };
        }
      }
      return { k: 'other', text: '' };
    });
    if (interesting) facts.calls.push({ callee: name, caller: fs.name, file: fs.file.file, args: infos });
    // Results of project calls: the callee may be a socket factory (resolved later).
    recordResultUse(fs, env, n, name, facts, extraHelpers);
  });
}

function recordResultUse(fs: FnScope, env: ValueEnv, call: CNode, name: string, facts: FileFacts, extraHelpers: Set<string>): void {
  const src = fs.file.src;
  let n = call;
  while (n.parent && (n.parent.type === 'parenthesized_expression' || n.parent.type === 'cast_expression')) n = n.parent;
  const p = n.parent;
  if (!p) return;
  let use: TaggedEffects | undefined;
  if (p.type === 'return_statement') use = { '': { returned: [''], escape: 'returned' }, '*': { returned: ['?'], escape: 'returned' } };
  else {
    let target: CNode | undefined;
    if (p.type === 'assignment_expression' && n.field === 'right') target = child(p, 'left');
    if (p.type === 'init_declarator' && n.field === 'value') target = child(p, 'declarator');
    if (target) {
      const t = unwrap(target);
      const key = keyOf(src, t).replace(/^\*+/, '');
      const holders = new Map([[key, '']]);
      const containers = new Map<string, string>(t.type === 'identifier' || p.type === 'init_declarator' ? [[key, '*']] : []);
      use = track({ env, holders, containers, from: call.end, resultDepth: 1, extraHelpers });
      // A result stored straight into a field/global is shared state (`srv->fd = make_listener()`).
      if (t.type !== 'identifier' && p.type !== 'init_declarator') {
        const fk = fieldKey(fs, t);
        if (fk) (use[''] ??= {}).stored = [...new Set([...(use['']?.stored ?? []), fk])];
      }
    }
  }
  if (!use) return;
  const nonEmpty = Object.values(use).some((e) => !isEmpty(e));
  if (!nonEmpty) return;
  facts.results.push({ callee: name, caller: fs.name, file: fs.file.file, line: call.startRow + 1, use });
}

/** Sites whose descriptor lands in a struct field or global: listeners accepted elsewhere. */
function collectStoredSites(fs: FnScope, env: ValueEnv, facts: FileFacts, aliases: Map<string, SocketAlias>, extraHelpers: Set<string>): void {
  const src = fs.file.src;
  for (const site of findSites(src, fs.node, aliases)) {
    if (site.api !== 'socket' || !site.target.key) continue;
    const keyNode = site.target.node;
    const holders = new Map([[site.target.key, '']]);
    const tagged = track({ env, holders, containers: new Map(), from: site.call.end, resultDepth: 1, extraHelpers });
    const e = tagged[''] ?? {};
    const keys = new Set(e.stored ?? []);
    if (keyNode && unwrap(keyNode).type !== 'identifier') {
      const fk = fieldKey(fs, keyNode);
      if (fk) keys.add(fk);
    }
    const verdict = tcpVerdict(atomsOf(site.args[0], env), atomsOf(site.args[1], env), atomsOf(site.args[2], env));
    const tcp: Tcp = verdict.tcp === 'unknown' && e.tcpOption ? 'yes' : verdict.tcp;
    facts.stored.push({
      keys: [...keys],
      tcp,
      listener: e.listen !== undefined,
      client: e.connect !== undefined,
      ...(e.keepalive ? { keepalive: e.keepalive } : {}),
      loopback: !!(e.bind?.loopback || e.connect?.loopback),
      line: site.call.startRow + 1,
      file: fs.file.file,
      effects: e,
    });
  }
}

/** setsockopt(SO_KEEPALIVE)/connect/listen applied directly to a field or global anywhere. */
function collectFieldUses(fs: FnScope, env: ValueEnv, facts: FileFacts): void {
  const src = fs.file.src;
  walk(fs.node, (n) => {
    if (n.type !== 'call_expression') return;
    const name = callName(src, n);
    if (name !== 'setsockopt' && name !== 'connect' && name !== 'listen') return;
    const args = callArgs(n);
    const a0 = args[0] && unwrap(args[0]);
    if (!a0) return;
    const key = a0.type === 'identifier' && fs.locals.has(textOf(src, a0)) ? '' : fieldKey(fs, a0);
    if (!key) return;
    const line = n.startRow + 1;
    if (name === 'setsockopt') {
      const tagged = track({ env, holders: new Map([[keyOf(src, a0), '']]), containers: new Map(), from: n.start, resultDepth: 0 });
      const ka = tagged['']?.keepalive;
      if (ka) facts.fieldUses.push({ key, kind: 'keepalive', line, file: fs.file.file, keepalive: ka });
    } else facts.fieldUses.push({ key, kind: name, line, file: fs.file.file });
  });
}
