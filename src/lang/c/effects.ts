// What happens to one socket value inside one function, and how two such records combine.
// Effects are plain JSON: pass 1 stores them in project facts (cross-file, across workers).

export type KaKind = 'direct' | 'wrapper' | 'conditional';

export interface KaEvidence {
  kind: KaKind;
  line: number;
  file: string;
  /** How it was found: `setsockopt(SO_KEEPALIVE)`, `anetKeepAlive()`, `ops->keepalive()`… */
  via: string;
  /** The keepalive is on only when this parameter of the enclosing function is non-zero. */
  valueParam?: number;
}

export interface Loc {
  line: number;
  file: string;
}

/** Describes one argument of a recorded call, so callee conditions can be judged at the call. */
export type ArgInfo = { k: 'const'; atoms: string[] } | { k: 'param'; index: number } | { k: 'other'; text: string };

/**
 * A call that receives the tracked value and whose callee is resolved later (pass 1 cannot see
 * other files). `path` says how the value is passed: '' the fd itself, 'f' a struct whose field f
 * holds it, '?' a struct whose holding field is the one the caller asks about.
 */
export interface Edge {
  callee: string;
  arg: number;
  path: string;
  args: ArgInfo[];
  line: number;
  file: string;
  /** Under an `if` unrelated to the socket: anything the callee does is conditional. */
  conditional?: boolean;
  /** What the caller then does with the call's result, when it keeps it (for callee factories). */
  result?: TaggedEffects;
}

/** A connect()/bind(): loopback-only or not, and the address family its buffer's type shows. */
export interface Endpoint {
  line: number;
  loopback: boolean;
  family?: 'inet' | 'unix';
}

export interface Effects {
  connect?: Endpoint;
  bind?: Endpoint;
  listen?: number;
  acceptFrom?: number;
  close?: number;
  /** Data moved over it (read/write/send/recv…): a real connection, not a probe. */
  io?: number;
  /** Set on a site's effects: connected or accepted, then closed with nothing in between. */
  probe?: boolean;
  /** Why the value leaves the analysis: returned, stored in a field, handed to an unknown function. */
  escape?: string;
  /** Paths at which the value is returned ('' = the fd itself). */
  returned?: string[];
  /** Field/global keys the value is stored in (`conn.fd`, `::listen_fd`). */
  stored?: string[];
  keepalive?: KaEvidence;
  /** SO_KEEPALIVE explicitly set to 0. */
  disabled?: Loc;
  /** A TCP-level option set on the socket: proves it is TCP. */
  tcpOption?: string;
  /** setsockopt() with option and level from a table or variables (a generic option setter). */
  optionTable?: Loc;
  /** TCP_KEEPIDLE and friends without SO_KEEPALIVE: tuned but never switched on. */
  tunedOnly?: Loc;
  edges?: Edge[];
}

/** Effects per tag: '' the value itself; 'f' the value as field f of a tracked struct; '*' edges that pass the struct on. */
export type TaggedEffects = Record<string, Effects>;

const KA_RANK: Record<KaKind, number> = { direct: 3, wrapper: 2, conditional: 1 };

export function betterKa(a: KaEvidence | undefined, b: KaEvidence | undefined): KaEvidence | undefined {
  if (!a) return b;
  if (!b) return a;
  if (a.valueParam !== undefined && b.valueParam === undefined) return b;
  if (b.valueParam !== undefined && a.valueParam === undefined) return a;
  return KA_RANK[b.kind] > KA_RANK[a.kind] ? b : a;
}

/** Combines what two paths of the same function do (union of uses; strongest evidence). */
export function mergeEffects(a: Effects, b: Effects): Effects {
  const out: Effects = { ...a };
  if (b.connect) out.connect = a.connect ? joinEndpoints(a.connect, b.connect) : b.connect;
  if (b.bind) out.bind = a.bind ? joinEndpoints(a.bind, b.bind) : b.bind;
  out.listen ??= b.listen;
  out.acceptFrom ??= b.acceptFrom;
  out.close ??= b.close;
  out.io ??= b.io;
  out.escape ??= b.escape;
  if (b.returned) out.returned = [...new Set([...(a.returned ?? []), ...b.returned])];
  if (b.stored) out.stored = [...new Set([...(a.stored ?? []), ...b.stored])];
  out.keepalive = betterKa(a.keepalive, b.keepalive);
  out.disabled ??= b.disabled;
  out.tcpOption ??= b.tcpOption;
  out.tunedOnly ??= b.tunedOnly;
  out.optionTable ??= b.optionTable;
  if (b.edges?.length) out.edges = [...(a.edges ?? []), ...b.edges];
  return out;
}

function joinEndpoints(a: Endpoint, b: Endpoint): Endpoint {
  const out: Endpoint = { line: a.line, loopback: a.loopback && b.loopback };
  if (a.family && a.family === b.family) out.family = a.family;
  return out;
}

/** Connected (or accepted) and closed again with nothing in between: a reachability probe. */
export function isProbe(e: Effects): boolean {
  return e.close !== undefined && e.io === undefined && !e.escape && !e.stored?.length && !e.returned?.length && !e.edges?.length && !e.keepalive && e.listen === undefined;
}

export function isEmpty(e: Effects): boolean {
  return Object.keys(e).every((k) => {
    const v = (e as Record<string, unknown>)[k];
    return v === undefined || (Array.isArray(v) && v.length === 0);
  });
}
