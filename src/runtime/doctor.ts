// `ka-audit doctor`: what will this machine's kernel actually do for a socket that asks for
// keepalive? Reads tcp_keepalive_{time,intvl,probes}, computes the time to detect a dead peer
// and compares it with the idle timeouts of common middleboxes (rules/catalog/idle-timeouts.json).
// Everything but readKernelKeepalive() and loadIdleTimeouts() is pure.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Picocolors from 'picocolors';
import requireCjs from '../engine/cjs.cjs';
import { rulesDir } from '../engine/paths.js';
import { DEFAULT_KEEPALIVE } from '../engine/types.js';
import { formatDuration, RUNTIME_EXIT, type RuntimeFormat } from './common.js';

const pc = requireCjs('picocolors') as typeof Picocolors;

export const DOCTOR_JSON_VERSION = 1;
export const DEFAULT_PROC_ROOT = '/proc';
export const SYSCTL_FILE = '/etc/sysctl.d/90-tcp-keepalive.conf';

/** The three kernel-wide defaults, named as in /proc/sys/net/ipv4/tcp_keepalive_<name>. */
export interface KernelKeepalive {
  /** Seconds a connection is idle before the first probe. */
  time: number;
  /** Seconds between unanswered probes. */
  intvl: number;
  /** Unanswered probes before the connection is dropped. */
  probes: number;
}

export const KERNEL_KEEPALIVE_KEYS = ['time', 'intvl', 'probes'] as const;

/** The values ka-audit --fix writes per socket (60/10/5: a dead peer is found after 110 s). */
export const RECOMMENDED_KEEPALIVE: KernelKeepalive = {
  time: DEFAULT_KEEPALIVE.idle,
  intvl: DEFAULT_KEEPALIVE.interval,
  probes: DEFAULT_KEEPALIVE.count,
};

export interface IdleTimeout {
  id: string;
  name: string;
  idleTimeoutSeconds: number;
  configurable?: string;
  source: string;
  note?: string;
}

export interface TimeoutCheck {
  id: string;
  name: string;
  idleTimeoutSeconds: number;
  source: string;
  /** The first probe goes out before the middlebox forgets the flow, so an idle flow stays open. */
  keepsFlowAlive: boolean;
  /** A dead peer is detected (time + intvl × probes) within the idle timeout. */
  detectsDeadPeerInTime: boolean;
  status: 'ok' | 'too-slow';
}

export interface SysctlFix {
  /** One `sysctl -w` line per setting, to run as root: effective at once, lost on reboot. */
  commands: string[];
  /** A drop-in file that makes the values persistent. */
  file: string;
  fileContent: string;
  /** Loads the drop-in without a reboot. */
  apply: string;
}

export type DoctorVerdict = 'ok' | 'too-slow' | 'unavailable';

/** The `--format json` object. Versioned; fields are only ever added. */
export interface DoctorReport {
  version: typeof DOCTOR_JSON_VERSION;
  procRoot: string;
  settings: KernelKeepalive | null;
  timeToDetectSeconds: number | null;
  verdict: DoctorVerdict;
  strictest: { id: string; name: string; idleTimeoutSeconds: number } | null;
  timeouts: TimeoutCheck[];
  recommended: KernelKeepalive & { timeToDetectSeconds: number };
  fix: SysctlFix | null;
  notes: string[];
  errors: { message: string }[];
}

export const DOCTOR_NOTES: readonly string[] = [
  'These kernel values apply only to sockets that set SO_KEEPALIVE: a socket that never asks for keepalive is never probed, whatever they say (TCP Keepalive HOWTO, section 3). Find such code with `ka-audit [paths]`; see running connections with `ka-audit live`.',
  'A socket that sets TCP_KEEPIDLE / TCP_KEEPINTVL / TCP_KEEPCNT (Node: socket.setKeepAlive(true, ms) sets TCP_KEEPIDLE) overrides these defaults for itself.',
  'The values are per network namespace on current kernels: a container starts with the kernel defaults (7200/75/9), not the host\'s values; set them for the container (docker run --sysctl, a Kubernetes pod\'s securityContext.sysctls).',
];

export function timeToDetect(s: KernelKeepalive): number {
  return s.time + s.intvl * s.probes;
}

export function checkTimeouts(settings: KernelKeepalive, timeouts: readonly IdleTimeout[]): TimeoutCheck[] {
  const detect = timeToDetect(settings);
  return timeouts.map((t) => {
    const detectsDeadPeerInTime = detect <= t.idleTimeoutSeconds;
    return {
      id: t.id,
      name: t.name,
      idleTimeoutSeconds: t.idleTimeoutSeconds,
      source: t.source,
      keepsFlowAlive: settings.time < t.idleTimeoutSeconds,
      detectsDeadPeerInTime,
      status: detectsDeadPeerInTime ? 'ok' : 'too-slow',
    };
  });
}

export function strictestTimeout(timeouts: readonly IdleTimeout[]): IdleTimeout | undefined {
  return [...timeouts].sort((a, b) => a.idleTimeoutSeconds - b.idleTimeoutSeconds)[0];
}

export function sysctlFix(values: KernelKeepalive, file: string = SYSCTL_FILE): SysctlFix {
  const keys = KERNEL_KEEPALIVE_KEYS.map((k) => [`net.ipv4.tcp_keepalive_${k}`, values[k]] as const);
  return {
    commands: keys.map(([name, v]) => `sysctl -w ${name}=${v}`),
    file,
    fileContent:
      `# TCP keepalive: detect a dead peer after ${timeToDetect(values)} s (${values.time} + ${values.intvl} × ${values.probes}).\n` +
      `# Applies only to sockets that set SO_KEEPALIVE. Written for ka-audit doctor.\n` +
      keys.map(([name, v]) => `${name} = ${v}\n`).join(''),
    apply: `sysctl -p ${file}`,
  };
}

/** The verdict for known settings (pure). */
export function assessKernelKeepalive(
  settings: KernelKeepalive,
  timeouts: readonly IdleTimeout[],
  procRoot: string,
  recommended: KernelKeepalive = RECOMMENDED_KEEPALIVE,
): DoctorReport {
  const checks = checkTimeouts(settings, timeouts);
  const strictest = strictestTimeout(timeouts);
  const strictestCheck = checks.find((c) => c.id === strictest?.id);
  const verdict: DoctorVerdict = !strictestCheck || strictestCheck.status === 'ok' ? 'ok' : 'too-slow';
  return {
    ...emptyReport(procRoot, recommended),
    settings,
    timeToDetectSeconds: timeToDetect(settings),
    verdict,
    strictest: strictest ? { id: strictest.id, name: strictest.name, idleTimeoutSeconds: strictest.idleTimeoutSeconds } : null,
    timeouts: checks,
    fix: verdict === 'ok' ? null : sysctlFix(recommended),
  };
}

export function unavailableReport(procRoot: string, message: string, recommended: KernelKeepalive = RECOMMENDED_KEEPALIVE): DoctorReport {
  return { ...emptyReport(procRoot, recommended), errors: [{ message }] };
}

function emptyReport(procRoot: string, recommended: KernelKeepalive): DoctorReport {
  return {
    version: DOCTOR_JSON_VERSION,
    procRoot,
    settings: null,
    timeToDetectSeconds: null,
    verdict: 'unavailable',
    strictest: null,
    timeouts: [],
    recommended: { ...recommended, timeToDetectSeconds: timeToDetect(recommended) },
    fix: null,
    notes: [...DOCTOR_NOTES],
    errors: [],
  };
}

export function doctorExitCode(report: DoctorReport): number {
  if (report.verdict === 'unavailable') return RUNTIME_EXIT.error;
  return report.verdict === 'ok' ? RUNTIME_EXIT.clean : RUNTIME_EXIT.findings;
}

/** A value file holds one decimal number and a newline. */
export function parseSettingValue(text: string): number | undefined {
  return /^\s*\d+\s*$/.test(text) ? Number(text.trim()) : undefined;
}

// ---- the edge: file system -------------------------------------------------------------

export type ReadText = (path: string) => string;

const readText: ReadText = (path) => readFileSync(path, 'utf8');

export function keepaliveSettingPath(procRoot: string, key: (typeof KERNEL_KEEPALIVE_KEYS)[number]): string {
  return join(procRoot, 'sys', 'net', 'ipv4', `tcp_keepalive_${key}`);
}

/** Reads the three values; these files are world-readable, so no root is needed. */
export function readKernelKeepalive(procRoot: string, read: ReadText = readText): { settings: KernelKeepalive } | { error: string } {
  const values: Partial<KernelKeepalive> = {};
  for (const key of KERNEL_KEEPALIVE_KEYS) {
    const path = keepaliveSettingPath(procRoot, key);
    let text: string;
    try {
      text = read(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return { error: `cannot read ${path}${code ? ` (${code})` : ''}: the kernel's TCP keepalive settings are not available here` };
    }
    const value = parseSettingValue(text);
    if (value === undefined) return { error: `${path} does not hold a number: ${JSON.stringify(text.slice(0, 40))}` };
    values[key] = value;
  }
  return { settings: values as KernelKeepalive };
}

let defaultTimeouts: IdleTimeout[] | undefined;

/** The catalog shipped in rules/ (cached), or another file of the same shape. */
export function loadIdleTimeouts(file?: string): IdleTimeout[] {
  if (file === undefined) return (defaultTimeouts ??= parseIdleTimeouts(join(rulesDir(), 'catalog', 'idle-timeouts.json')));
  return parseIdleTimeouts(file);
}

function parseIdleTimeouts(file: string): IdleTimeout[] {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { timeouts?: unknown };
  if (!Array.isArray(raw.timeouts)) throw new Error(`${file}: "timeouts" must be an array`);
  return raw.timeouts.map((t: Partial<IdleTimeout>, i: number) => {
    if (typeof t.id !== 'string' || typeof t.name !== 'string' || typeof t.source !== 'string' || !(Number(t.idleTimeoutSeconds) > 0)) {
      throw new Error(`${file}: timeouts[${i}] needs id, name, source and a positive idleTimeoutSeconds`);
    }
    return t as IdleTimeout;
  });
}

export interface DoctorOptions {
  /** Default /proc. Given explicitly, it is read on any OS (a copied /proc, a test fixture). */
  procRoot?: string;
  platform?: NodeJS.Platform;
  timeouts?: readonly IdleTimeout[];
  read?: ReadText;
}

export function runDoctor(opts: DoctorOptions = {}): DoctorReport {
  const procRoot = opts.procRoot ?? DEFAULT_PROC_ROOT;
  const platform = opts.platform ?? process.platform;
  if (platform !== 'linux' && opts.procRoot === undefined) {
    return unavailableReport(procRoot, nonLinuxMessage(platform));
  }
  const read = readKernelKeepalive(procRoot, opts.read);
  if ('error' in read) return unavailableReport(procRoot, read.error);
  return assessKernelKeepalive(read.settings, opts.timeouts ?? loadIdleTimeouts(), procRoot);
}

export function nonLinuxMessage(platform: string): string {
  const bsd = platform === 'darwin' || platform === 'freebsd' || platform === 'openbsd';
  return (
    `cannot read the kernel's TCP keepalive settings on ${platform}: ka-audit doctor reads Linux's /proc/sys/net/ipv4/tcp_keepalive_*` +
    (bsd ? ' (the equivalents here are the sysctls net.inet.tcp.keepidle and net.inet.tcp.keepintvl, in milliseconds, and net.inet.tcp.keepcnt)' : '')
  );
}

// ---- output ----------------------------------------------------------------------------

export function formatDoctor(report: DoctorReport, format: RuntimeFormat, color: boolean): string {
  return format === 'json' ? JSON.stringify(report, null, 2) + '\n' : formatDoctorStylish(report, color);
}

export function formatDoctorStylish(report: DoctorReport, color: boolean): string {
  const c = pc.createColors(color);
  const out: string[] = [];
  if (report.verdict === 'unavailable' || !report.settings) {
    for (const e of report.errors) out.push(`${c.red('ka-audit doctor:')} ${e.message}`);
    return out.join('\n') + '\n';
  }
  const s = report.settings;
  const detect = report.timeToDetectSeconds ?? timeToDetect(s);
  out.push(c.bold(`Kernel TCP keepalive defaults (${join(report.procRoot, 'sys/net/ipv4')})`));
  const w = Math.max(...KERNEL_KEEPALIVE_KEYS.map((k) => String(s[k]).length));
  out.push(`  tcp_keepalive_time    ${String(s.time).padStart(w)} s  idle time before the first probe`);
  out.push(`  tcp_keepalive_intvl   ${String(s.intvl).padStart(w)} s  between unanswered probes`);
  out.push(`  tcp_keepalive_probes  ${String(s.probes).padStart(w)}    unanswered probes before the connection is dropped`);
  out.push(`  → a dead peer is detected after ${s.time} + ${s.intvl} × ${s.probes} = ${formatDuration(detect)}`);
  out.push('');
  out.push(c.bold('Against common idle timeouts'));
  const nameWidth = Math.max(...report.timeouts.map((t) => t.name.length));
  for (const t of report.timeouts) {
    const mark = t.status === 'ok' ? c.green('✔') : c.red('✖');
    out.push(`  ${mark} ${t.name.padEnd(nameWidth)}  ${String(t.idleTimeoutSeconds).padStart(4)} s  ${timeoutExplanation(t, s)}`);
    out.push(c.dim(`      ${t.source}`));
  }
  out.push('');
  if (report.verdict === 'ok') {
    out.push(c.green(`✔ a dead peer is detected within the strictest idle timeout (${report.strictest?.name}, ${report.strictest?.idleTimeoutSeconds} s)`));
  } else {
    out.push(
      c.red(c.bold(`✖ too slow: a dead peer is detected after ${formatDuration(detect)}, later than the strictest idle timeout (${report.strictest?.name}, ${report.strictest?.idleTimeoutSeconds} s)`)),
    );
  }
  if (report.fix) {
    const r = report.recommended;
    out.push('');
    out.push(`Fix — detection after ${r.time} + ${r.intvl} × ${r.probes} = ${r.timeToDetectSeconds} s. As root, now (lost on reboot):`);
    for (const cmd of report.fix.commands) out.push(`  ${cmd}`);
    out.push(`and to keep it, write ${report.fix.file}:`);
    for (const line of report.fix.fileContent.trimEnd().split('\n')) out.push(`  ${line}`);
    out.push(`then load it with: ${report.fix.apply}`);
  }
  out.push('');
  out.push(c.bold('Notes'));
  for (const n of report.notes) out.push(`  • ${n}`);
  return out.join('\n') + '\n';
}

function timeoutExplanation(t: TimeoutCheck, s: KernelKeepalive): string {
  const detect = timeToDetect(s);
  if (t.status === 'ok') return `ok: first probe at ${s.time} s, dead peer found at ${detect} s`;
  if (t.keepsFlowAlive) return `too slow: the first probe (${s.time} s) keeps an idle flow open, but a dead peer is found only at ${detect} s`;
  return `too slow: the flow is forgotten at ${t.idleTimeoutSeconds} s, before the first probe at ${s.time} s`;
}
