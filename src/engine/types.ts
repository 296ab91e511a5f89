// The shared vocabulary of every language analyser, printer and front.
// Offsets are UTF-16 code-unit indices into the file's text with any BOM removed
// (the same convention as ESLint's SourceCode.text); lines and columns are 1-based.

export type Lang = 'c' | 'ts';
export type Tcp = 'yes' | 'no' | 'unknown';
export type Role = 'client' | 'listener' | 'accepted' | 'server' | 'wrap' | 'other' | 'unknown';
export type Evidence = 'direct' | 'option' | 'wrapper' | 'inherited' | 'conditional' | 'none';
export type Severity = 'error' | 'warning';

export interface Span {
  start: number;
  end: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

export interface Fix {
  /** Safe fixes are applied by --fix; unsafe ones are only offered (suggestions). */
  safe: boolean;
  description: string;
  edits: TextEdit[];
}

/** A call that yields a socket, with everything the analysis learned about it. */
export interface Site {
  lang: Lang;
  /** The API called: socket, accept, accept4, net.connect, tls.createServer, … */
  api: string;
  span: Span;
  /** The expression that holds the socket (`fd`, `c->fd`, `sock`), or '' when unnamed. */
  name: string;
  tcp: Tcp;
  role: Role;
  keepalive: Evidence;
  /** Loopback-only sockets are never reported. */
  loopback: boolean;
  /** Why the analysis decided as it did, in order; printed by --list-sites and in messages. */
  notes: string[];
  /** For keepalive evidence: where it was found (1-based line), when it was. */
  evidenceLine?: number;
  /** Extra facts a rule needs (e.g. `keepAliveOptionIgnored` for tls). */
  flags?: Record<string, boolean | string | number>;
  fix?: Fix | null;
  noFixReason?: string;
}

export interface Finding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  ruleId: string;
  severity: Severity;
  message: string;
  site: { api: string; tcp: Tcp; role: Role; keepalive: Evidence; name: string };
  fix: Fix | null;
  noFixReason?: string;
  /** Stable across line shifts: rule, file, api, socket name and the normalized source line. */
  fingerprint: string;
  /** Present when a suppression comment matched; suppressed findings are not printed. */
  suppressed?: { reason: string };
}

export interface ToolError {
  file: string;
  message: string;
  severity?: Severity;
}

export interface Stats {
  files: number;
  parsed: number;
  sites: number;
  findings: number;
  ms: number;
  /** With --cache: files read to compute the cache key (the others' stat was unchanged). */
  hashed?: number;
  /** Threads that analysed (1: all in the main thread). */
  threads?: number;
  /** Why the worker threads failed, when the run fell back to the main thread. */
  workerFailure?: string;
}

export interface KeepaliveValues {
  /** Seconds of idle before the first probe. */
  idle: number;
  /** Seconds between probes. */
  interval: number;
  /** Unanswered probes before the connection is dropped. */
  count: number;
}

export const DEFAULT_KEEPALIVE: KeepaliveValues = { idle: 60, interval: 10, count: 5 };
