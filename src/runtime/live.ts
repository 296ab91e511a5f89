// `ka-audit live`: which established TCP connections on this machine run without a keepalive
// timer, and which process owns them. Reads <procRoot>/net/tcp{,6} (the kernel shows the timer
// it has armed for each socket) and maps socket inodes to processes through <procRoot>/<pid>/fd.
// Classification, summary and output are pure; the ProcFs reader is the only edge.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type Picocolors from 'picocolors';
import requireCjs from '../engine/cjs.cjs';
import { RUNTIME_EXIT, type RuntimeFormat } from './common.js';
import {
  hostEndianness,
  isLoopbackAddress,
  parseProcNetTcp,
  TCP_ESTABLISHED,
  TIMER,
  timerName,
  USER_HZ,
  type AddressFamily,
  type Endianness,
  type Endpoint,
  type ProcTcpEntry,
} from './proc-net-tcp.js';

const pc = requireCjs('picocolors') as typeof Picocolors;

export const LIVE_JSON_VERSION = 1;

/** on: keepalive timer armed; off: no timer at all; unknown: another timer hides it. */
export type KeepaliveState = 'on' | 'off' | 'unknown';

export interface ProcessRef {
  pid: number;
  /** /proc/<pid>/comm */
  command: string;
  /** /proc/<pid>/cmdline, arguments joined by spaces (shortened). */
  cmdline: string;
}

export interface LiveConnection {
  family: AddressFamily;
  local: Endpoint;
  remote: Endpoint;
  inode: number;
  uid: number;
  txQueue: number;
  rxQueue: number;
  timer: { code: number; name: string; expiresInSeconds: number };
  keepalive: KeepaliveState;
  loopback: boolean;
  /** Lacks keepalive and counts toward the exit code (not loopback, or --include-loopback). */
  counted: boolean;
  processes: ProcessRef[];
}

export interface LiveStats {
  established: number;
  keepaliveOn: number;
  keepaliveOff: number;
  keepaliveUnknown: number;
  loopback: number;
  /** The number the exit code is about: connections without keepalive that are counted. */
  withoutKeepalive: number;
  /** Connections no readable process holds (another user's process, or an orphaned socket). */
  unmapped: number;
  /** Processes whose fd directory could not be read (EACCES/EPERM): skipped quietly. */
  unreadableProcesses: number;
}

/** The `--format json` object. Versioned; fields are only ever added. */
export interface LiveReport {
  version: typeof LIVE_JSON_VERSION;
  procRoot: string;
  pid: number | null;
  includeLoopback: boolean;
  samples: number;
  /** The tables read, e.g. /proc/net/tcp and /proc/net/tcp6. */
  sources: string[];
  /** Every ESTABLISHED connection seen (restricted to --pid's sockets when given). */
  connections: LiveConnection[];
  stats: LiveStats;
  notes: string[];
  errors: { message: string }[];
}

export const LIVE_NOTES: readonly string[] = [
  'The kernel shows one timer per socket: while data is in flight (or the peer advertises a zero window) it shows the retransmit (or zero-window probe) timer instead of the keepalive timer, so such a connection is "unknown"; run again, or use --samples N to look several times.',
  'Loopback connections (127.0.0.0/8, ::1, ::ffff:127.x) are marked and not counted unless --include-loopback is given: no middlebox sits on them.',
  'Only this network namespace\'s connections are listed; with --pid, the namespace of that process (its /proc/<pid>/net/tcp).',
];

// ---- pure ------------------------------------------------------------------------------

export function keepaliveFromTimer(timer: number): KeepaliveState {
  if (timer === TIMER.keepalive) return 'on';
  if (timer === TIMER.none) return 'off';
  return 'unknown';
}

/** Several looks at one connection: any keepalive timer proves it on; any bare look proves it off. */
export function mergeKeepaliveStates(states: readonly KeepaliveState[]): KeepaliveState {
  if (states.includes('on')) return 'on';
  if (states.includes('off')) return 'off';
  return 'unknown';
}

function connectionKey(e: ProcTcpEntry): string {
  return `${e.family} ${e.local.address}:${e.local.port} ${e.remote.address}:${e.remote.port}`;
}

export interface ClassifyOptions {
  includeLoopback: boolean;
  /** Keep only these socket inodes (--pid). */
  onlyInodes?: ReadonlySet<number>;
}

/** One LiveConnection per ESTABLISHED socket seen in any sample, its keepalive state merged over samples. */
export function classifyConnections(
  samples: readonly (readonly ProcTcpEntry[])[],
  owners: ReadonlyMap<number, readonly ProcessRef[]>,
  opts: ClassifyOptions,
): LiveConnection[] {
  const seen = new Map<string, { entry: ProcTcpEntry; states: KeepaliveState[] }>();
  for (const sample of samples) {
    for (const e of sample) {
      if (e.state !== TCP_ESTABLISHED) continue;
      if (opts.onlyInodes && !opts.onlyInodes.has(e.inode)) continue;
      const key = connectionKey(e);
      const prior = seen.get(key);
      if (prior) prior.states.push(keepaliveFromTimer(e.timer));
      else seen.set(key, { entry: e, states: [keepaliveFromTimer(e.timer)] });
    }
  }
  return [...seen.values()].map(({ entry: e, states }) => {
    const keepalive = mergeKeepaliveStates(states);
    const loopback = isLoopbackAddress(e.remote.address) || isLoopbackAddress(e.local.address);
    return {
      family: e.family,
      local: e.local,
      remote: e.remote,
      inode: e.inode,
      uid: e.uid,
      txQueue: e.txQueue,
      rxQueue: e.rxQueue,
      timer: { code: e.timer, name: timerName(e.timer), expiresInSeconds: e.timerTicks / USER_HZ },
      keepalive,
      loopback,
      counted: keepalive === 'off' && (!loopback || opts.includeLoopback),
      processes: [...(owners.get(e.inode) ?? [])],
    };
  });
}

export function summarizeConnections(connections: readonly LiveConnection[], unreadableProcesses: number): LiveStats {
  const count = (p: (c: LiveConnection) => boolean) => connections.filter(p).length;
  return {
    established: connections.length,
    keepaliveOn: count((c) => c.keepalive === 'on'),
    keepaliveOff: count((c) => c.keepalive === 'off'),
    keepaliveUnknown: count((c) => c.keepalive === 'unknown'),
    loopback: count((c) => c.loopback),
    withoutKeepalive: count((c) => c.counted),
    unmapped: count((c) => c.processes.length === 0),
    unreadableProcesses,
  };
}

export function liveExitCode(report: LiveReport): number {
  if (report.errors.length) return RUNTIME_EXIT.error;
  return report.stats.withoutKeepalive > 0 ? RUNTIME_EXIT.findings : RUNTIME_EXIT.clean;
}

/** The socket inode of an fd link target such as `socket:[12345]`. */
export function socketInodeOfLink(target: string): number | undefined {
  const m = /^socket:\[(\d+)\]$/.exec(target);
  return m ? Number(m[1]) : undefined;
}

// ---- the edge: /proc -------------------------------------------------------------------

/** The few file-system calls live makes; injectable so tests can simulate EACCES as root. */
export interface ProcFs {
  readFile(path: string): string;
  readdir(path: string): string[];
  readlink(path: string): string;
}

export const nodeProcFs: ProcFs = {
  readFile: (p) => readFileSync(p, 'utf8'),
  readdir: (p) => readdirSync(p),
  readlink: (p) => readlinkSync(p),
};

const errnoOf = (e: unknown): string | undefined => (e as NodeJS.ErrnoException)?.code;
const isPermissionError = (e: unknown) => errnoOf(e) === 'EACCES' || errnoOf(e) === 'EPERM';
/** The process or fd went away between listing and reading: not worth a word. */
const isGoneError = (e: unknown) => errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ESRCH';

export type ProcessSockets = { inodes: number[] } | { error: unknown };

export function readProcessSocketInodes(procRoot: string, pid: number, fs: ProcFs): ProcessSockets {
  const fdDir = join(procRoot, String(pid), 'fd');
  let fds: string[];
  try {
    fds = fs.readdir(fdDir);
  } catch (error) {
    return { error };
  }
  const inodes: number[] = [];
  for (const fd of fds) {
    let target: string;
    try {
      target = fs.readlink(join(fdDir, fd));
    } catch {
      continue; // closed meanwhile, or not a link
    }
    const inode = socketInodeOfLink(target);
    if (inode !== undefined) inodes.push(inode);
  }
  return { inodes };
}

export function readProcessRef(procRoot: string, pid: number, fs: ProcFs): ProcessRef {
  const tryRead = (name: string) => {
    try {
      return fs.readFile(join(procRoot, String(pid), name));
    } catch {
      return '';
    }
  };
  const cmdline = tryRead('cmdline').split('\0').filter(Boolean).join(' ');
  return { pid, command: tryRead('comm').trim(), cmdline: cmdline.length > 200 ? `${cmdline.slice(0, 199)}…` : cmdline };
}

export interface SocketOwners {
  owners: Map<number, ProcessRef[]>;
  unreadableProcesses: number;
}

/** Every process's socket inodes; processes we may not inspect are skipped and counted. */
export function readAllSocketOwners(procRoot: string, fs: ProcFs): SocketOwners {
  const owners = new Map<number, ProcessRef[]>();
  let unreadableProcesses = 0;
  let entries: string[];
  try {
    entries = fs.readdir(procRoot);
  } catch {
    return { owners, unreadableProcesses };
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const sockets = readProcessSocketInodes(procRoot, pid, fs);
    if ('error' in sockets) {
      // EACCES/EPERM (another user's process) is expected without root: count it, say nothing.
      if (!isGoneError(sockets.error)) unreadableProcesses++;
      continue;
    }
    if (!sockets.inodes.length) continue;
    const ref = readProcessRef(procRoot, pid, fs);
    for (const inode of sockets.inodes) owners.set(inode, [...(owners.get(inode) ?? []), ref]);
  }
  return { owners, unreadableProcesses };
}

export interface TcpTables {
  entries: ProcTcpEntry[];
  sources: string[];
}

/** tcp is required (no TCP/IPv4 means no /proc to read); tcp6 is optional (IPv6 may be off). */
export function readTcpTables(netDir: string, fs: ProcFs, endian: Endianness): TcpTables | { error: string } {
  const entries: ProcTcpEntry[] = [];
  const sources: string[] = [];
  for (const [file, family] of [
    ['tcp', 'ipv4'],
    ['tcp6', 'ipv6'],
  ] as const) {
    const path = join(netDir, file);
    let text: string;
    try {
      text = fs.readFile(path);
    } catch (e) {
      if (family === 'ipv6' && isGoneError(e)) continue;
      return { error: `cannot read ${path}${errnoOf(e) ? ` (${errnoOf(e)})` : ''}: the kernel's TCP connection table is not available here` };
    }
    entries.push(...parseProcNetTcp(text, family, endian));
    sources.push(path);
  }
  return { entries, sources };
}

export interface LiveOptions {
  /** Default /proc. Given explicitly, it is read on any OS (tests, a captured /proc). */
  procRoot?: string;
  pid?: number;
  includeLoopback?: boolean;
  /** Read the tables this many times to see past retransmit timers (default 1). */
  samples?: number;
  sampleIntervalMs?: number;
  platform?: NodeJS.Platform;
  fs?: ProcFs;
  endian?: Endianness;
}

export async function runLive(opts: LiveOptions = {}): Promise<LiveReport> {
  const procRoot = opts.procRoot ?? '/proc';
  const fs = opts.fs ?? nodeProcFs;
  const samples = Math.max(1, opts.samples ?? 1);
  const includeLoopback = opts.includeLoopback ?? false;
  const base: LiveReport = {
    version: LIVE_JSON_VERSION,
    procRoot,
    pid: opts.pid ?? null,
    includeLoopback,
    samples,
    sources: [],
    connections: [],
    stats: summarizeConnections([], 0),
    notes: [...LIVE_NOTES],
    errors: [],
  };
  const fail = (message: string): LiveReport => ({ ...base, errors: [{ message }] });
  const platform = opts.platform ?? process.platform;
  if (platform !== 'linux' && opts.procRoot === undefined) {
    return fail(`cannot list TCP connections on ${platform}: ka-audit live reads Linux's /proc/net/tcp and /proc/net/tcp6`);
  }

  let owners: SocketOwners;
  let onlyInodes: Set<number> | undefined;
  const netDirs = [join(procRoot, 'net')];
  if (opts.pid !== undefined) {
    const sockets = readProcessSocketInodes(procRoot, opts.pid, fs);
    if ('error' in sockets) {
      const why = isPermissionError(sockets.error)
        ? "permission denied (run as root or as the process's user)"
        : isGoneError(sockets.error)
          ? 'no such process'
          : String(errnoOf(sockets.error) ?? sockets.error);
      return fail(`cannot read the sockets of process ${opts.pid}: ${why}`);
    }
    onlyInodes = new Set(sockets.inodes);
    const ref = readProcessRef(procRoot, opts.pid, fs);
    owners = { owners: new Map(sockets.inodes.map((i) => [i, [ref]])), unreadableProcesses: 0 };
    // The process's own view of the network first: right even when it lives in another namespace.
    netDirs.unshift(join(procRoot, String(opts.pid), 'net'));
  } else {
    owners = readAllSocketOwners(procRoot, fs);
  }

  const endian = opts.endian ?? hostEndianness();
  const tables: ProcTcpEntry[][] = [];
  let sources: string[] = [];
  for (let i = 0; i < samples; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, opts.sampleIntervalMs ?? 200));
    let read = readTcpTables(netDirs[0]!, fs, endian);
    if ('error' in read && i === 0 && netDirs.length > 1) {
      netDirs.shift();
      read = readTcpTables(netDirs[0]!, fs, endian);
    }
    if ('error' in read) return fail(read.error);
    tables.push(read.entries);
    sources = read.sources;
  }
  const connections = sortConnections(classifyConnections(tables, owners.owners, { includeLoopback, ...(onlyInodes ? { onlyInodes } : {}) }));
  return { ...base, sources, connections, stats: summarizeConnections(connections, owners.unreadableProcesses) };
}

/** Counted first, then by process and address, so the output reads top-down by urgency. */
export function sortConnections(list: LiveConnection[]): LiveConnection[] {
  const rank = (c: LiveConnection) => (c.counted ? 0 : c.keepalive === 'off' ? 1 : c.keepalive === 'unknown' ? 2 : 3);
  return [...list].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.processes[0]?.pid ?? Infinity) - (b.processes[0]?.pid ?? Infinity) ||
      formatEndpoint(a.local).localeCompare(formatEndpoint(b.local)),
  );
}

// ---- output ----------------------------------------------------------------------------

export function formatEndpoint(e: Endpoint): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

export interface LivePrintOptions {
  color: boolean;
  /** List every established connection, not only those without keepalive. */
  all: boolean;
}

export function formatLive(report: LiveReport, format: RuntimeFormat, opts: LivePrintOptions): string {
  return format === 'json' ? JSON.stringify(report, null, 2) + '\n' : formatLiveStylish(report, opts);
}

export function formatLiveStylish(report: LiveReport, opts: LivePrintOptions): string {
  const c = pc.createColors(opts.color);
  const out: string[] = [];
  if (report.errors.length) {
    for (const e of report.errors) out.push(`${c.red('ka-audit live:')} ${e.message}`);
    return out.join('\n') + '\n';
  }
  const shown = report.connections.filter((x) => opts.all || x.keepalive !== 'on');
  const scope = report.pid !== null ? ` of process ${report.pid}` : '';
  if (shown.length) {
    out.push(c.bold(`${opts.all ? 'ESTABLISHED TCP connections' : 'ESTABLISHED TCP connections without a keepalive timer'}${scope} (${report.sources.join(', ')})`));
    const rows = shown.map((x) => [
      `${formatEndpoint(x.local)} → ${formatEndpoint(x.remote)}`,
      x.processes.length ? x.processes.map((p) => `${p.command || '?'}[${p.pid}]`).join(',') : c.dim('(process not readable)'),
      describeKeepalive(x),
      x.loopback ? (x.counted ? 'loopback' : c.dim('loopback, not counted')) : '',
    ]);
    const widths = [0, 1].map((i) => Math.max(...rows.map((r) => visibleLength(r[i]!))));
    shown.forEach((x, i) => {
      const [addr, proc, state, lo] = rows[i]!;
      const mark = x.counted ? c.red('✖') : x.keepalive === 'on' ? c.green('✔') : x.keepalive === 'unknown' ? c.yellow('?') : c.dim('·');
      out.push(`  ${mark} ${pad(addr!, widths[0]!)}  ${pad(proc!, widths[1]!)}  ${state}${lo ? `  ${lo}` : ''}`.trimEnd());
    });
    out.push('');
  }
  const s = report.stats;
  if (s.withoutKeepalive > 0) {
    out.push(c.red(c.bold(`✖ ${s.withoutKeepalive} connection${s.withoutKeepalive === 1 ? '' : 's'} without keepalive`)));
  } else {
    out.push(c.green(`✔ no ${report.includeLoopback ? '' : 'non-loopback '}connection without keepalive`));
  }
  const loopbackOff = report.connections.filter((x) => x.loopback && x.keepalive === 'off' && !x.counted).length;
  const without = `${s.keepaliveOff} without${loopbackOff ? ` (${loopbackOff} of them on loopback, not counted; --include-loopback counts them)` : ''}`;
  const unknown = s.keepaliveUnknown ? `, ${s.keepaliveUnknown} unknown (another timer shown)` : '';
  out.push(c.dim(`  ${s.established} established${scope}: ${s.keepaliveOn} with keepalive, ${without}${unknown}`));
  if (s.unreadableProcesses) {
    out.push(c.dim(`  ${s.unreadableProcesses} process${s.unreadableProcesses === 1 ? '' : 'es'} could not be inspected (permission denied); their connections show no process. Run as root to see them.`));
  }
  out.push(c.dim('  Note: while data is in flight a connection shows its retransmit timer instead of keepalive (listed as unknown); --samples N looks again.'));
  return out.join('\n') + '\n';
}

function describeKeepalive(x: LiveConnection): string {
  if (x.keepalive === 'on') return `keepalive timer (fires in ${formatSeconds(x.timer.expiresInSeconds)})`;
  if (x.keepalive === 'off') return 'no keepalive timer';
  return `unknown: ${x.timer.name} timer shown (data in flight)`;
}

function formatSeconds(s: number): string {
  if (s < 0.1) return '< 0.1 s';
  return s >= 10 ? `${Math.round(s)} s` : `${s.toFixed(1)} s`;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const visibleLength = (s: string) => s.replace(ANSI, '').length;
const pad = (s: string, width: number) => s + ' '.repeat(Math.max(0, width - visibleLength(s)));
