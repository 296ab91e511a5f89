// The per-language work of an audit, as functions of plain data so the same code runs in the
// main thread and in worker threads: pass 0 (read, decode, text scan) of a share of the files,
// then a project built from every file's scan, which analyses the site files (or a share).
import { readFileSync } from 'node:fs';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { builtFile } from './paths.js';
import type { Backend, BackendOptions, FileDiagnostic } from './backend.js';
import { backendFor, scannerFor } from './backends.js';
import { findingsForFile, type RuleSetting } from './findings.js';
import { decodeSource } from './source.js';
import type { Finding, Lang, Site, ToolError } from './types.js';
import { errMessage } from './files.js';
import { parseDirectives, type Directive } from './suppress.js';
import { detachDeep, forgetInterned } from './strings.js';

export interface RunSpec {
  /** Identifies one audit: a worker reuses the project it built for the same run. */
  runId: string;
  lang: Lang;
  /** display path → absolute path, for every file of this language that scanned fine. */
  paths: Record<string, string>;
  scans: Record<string, unknown>;
  sizes: Record<string, number>;
  opts: BackendOptions;
  maxBytes: number;
  includeUnknown: boolean;
  severity: Record<string, RuleSetting>;
  noPrefilter: boolean;
}

export interface FileOutcome {
  file: string;
  sites: Site[];
  findings: Finding[];
  diagnostics: FileDiagnostic[];
  internalError?: string;
}

interface Built {
  runId: string;
  backend: Backend<unknown, unknown>;
  project: unknown;
  scans: Map<string, unknown>;
}

/** This thread's projects for the current run, one per language (their tasks interleave). */
const built = new Map<Lang, Built>();

/** The project for this run, built once per thread (the scans are the same for every task). */
async function projectFor(spec: RunSpec): Promise<Built> {
  const have = built.get(spec.lang);
  if (have?.runId === spec.runId) return have;
  for (const [lang, b] of built) if (b.runId !== spec.runId) await drop(lang);
  const backend = await backendFor(spec.lang);
  if (!backend) throw new Error(`no backend for ${spec.lang}`);
  const files = { paths: spec.paths, sizes: spec.sizes, maxBytes: spec.maxBytes };
  backend.prepare?.(spec.opts, files);
  await backend.init();
  const scans = new Map(Object.entries(spec.scans));
  const project = backend.createProject(scans, (file) => textOf(spec, file), spec.opts, files);
  const b: Built = { runId: spec.runId, backend, project, scans };
  built.set(spec.lang, b);
  return b;
}

/** Forgets this thread's project of a language, stopping what it started. */
async function drop(lang: Lang): Promise<void> {
  const b = built.get(lang);
  built.delete(lang);
  await b?.backend.dispose?.(b.project);
}

/** Sites and findings of the site files (the prefilter's choice). */
export async function sitesFor(spec: RunSpec): Promise<{ outcomes: FileOutcome[]; parsed: number }> {
  if (!spec.noPrefilter && !(await scannerFor(spec.lang)).mayHaveSites(Object.values(spec.scans))) return { outcomes: [], parsed: 0 };
  const b = await projectFor(spec);
  const files = b.backend.siteFiles(b.project, b.scans, spec.noPrefilter);
  const outcomes: FileOutcome[] = [];
  for (const file of files) {
    try {
      const r = b.backend.analyze(b.project, file, spec.opts);
      let findings: Finding[] = [];
      if (r.sites.length) {
        const text = textOf(spec, file);
        if (text !== undefined) findings = findingsForFile(file, text, r.sites, { includeUnknown: spec.includeUnknown, severity: spec.severity });
      }
      // Held until the language is done: a note built around a name cut out of a file's text (a
      // V8 sliced string) kept that whole text alive, 9.4 MB of 1,372 texts on 32,035 TS/JS files.
      outcomes.push(detachDeep({ file, sites: r.sites, findings, diagnostics: r.diagnostics }));
    } catch (e) {
      outcomes.push({ file, sites: [], findings: [], diagnostics: [], internalError: (e as Error).stack ?? String(e) });
    }
  }
  return { outcomes, parsed: b.backend.parsedCount(b.project) };
}

export interface LanguageInput {
  runId: string;
  lang: Lang;
  files: Array<{ path: string; display: string }>;
  opts: BackendOptions;
  maxBytes: number;
  includeUnknown: boolean;
  severity: Record<string, RuleSetting>;
  noPrefilter: boolean;
}

/** Pass 0 of a share of one language's files. */
export interface ScanShare {
  scans: Record<string, unknown>;
  /** display path → absolute path, for every file that scanned fine. */
  paths: Record<string, string>;
  /** display path → characters (a helper weighs what it would parse). */
  sizes: Record<string, number>;
  /** Read/decode problems, one per file. */
  problems: ToolError[];
  /** Files with ka-audit suppression comments. */
  directives: Array<[string, { directives: Directive[]; lines: number }]>;
}

/** Files per claim when threads share a pass 0: ~10 ms of work, so nobody waits long at the end. */
export const SCAN_CHUNK = 32;

/**
 * Pass 0 (read, decode, text scan, suppression comments) of the input's files, or of the chunks
 * of SCAN_CHUNK files that `claim` hands out (it returns a chunk's first index; past the end: done).
 */
export async function scanFiles(input: LanguageInput, claim?: () => number): Promise<ScanShare> {
  const backend = await scannerFor(input.lang);
  const out = emptyShare();
  const scan = (f: LanguageInput['files'][number]) => scanFile(f, input.maxBytes, (text) => backend.scan(text), out);
  if (!claim) input.files.forEach(scan);
  else for (let from = claim(); from < input.files.length; from = claim()) input.files.slice(from, from + SCAN_CHUNK).forEach(scan);
  return out;
}

function scanFile(f: { path: string; display: string }, maxBytes: number, scan: (text: string) => unknown, out: ScanShare): void {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(f.path);
  } catch (e) {
    out.problems.push({ file: f.display, message: `cannot read: ${errMessage(e)}` });
    return;
  }
  const decoded = decodeSource(bytes, maxBytes);
  if (!decoded.ok) {
    out.problems.push({ file: f.display, message: decoded.message });
    return;
  }
  if (decoded.warning) out.problems.push({ file: f.display, message: decoded.warning, severity: 'warning' });
  const text = decoded.source.text;
  out.scans[f.display] = scan(text);
  out.paths[f.display] = f.path;
  out.sizes[f.display] = text.length;
  const found = parseDirectives(text);
  if (found.length) out.directives.push([f.display, { directives: found, lines: text.split('\n').length }]);
}

/** Pass-0 shares of one language, merged in the files' own order (which later steps rely on). */
export function mergeScans(parts: ScanShare[], order: string[]): ScanShare {
  const out: ScanShare = { scans: {}, paths: {}, sizes: {}, problems: [], directives: [] };
  const from = new Map<string, ScanShare>();
  for (const p of parts) for (const f of Object.keys(p.scans)) from.set(f, p);
  for (const f of order) {
    const p = from.get(f);
    if (!p) continue;
    out.scans[f] = p.scans[f];
    out.paths[f] = p.paths[f]!;
    out.sizes[f] = p.sizes[f]!;
  }
  // Problems too, so that messages come in the same order as from one thread.
  const rank = new Map(order.map((f, i) => [f, i]));
  out.problems = parts.flatMap((p) => p.problems).sort((a, b) => (rank.get(a.file) ?? 0) - (rank.get(b.file) ?? 0));
  out.directives = parts.flatMap((p) => p.directives).sort(([a], [b]) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
  return out;
}

/** The run's spec of one language, from its merged pass 0. */
export function specOf(input: LanguageInput, scanned: ScanShare): RunSpec {
  return {
    runId: input.runId,
    lang: input.lang,
    paths: scanned.paths,
    scans: scanned.scans,
    sizes: scanned.sizes,
    opts: input.opts,
    maxBytes: input.maxBytes,
    includeUnknown: input.includeUnknown,
    severity: input.severity,
    noPrefilter: input.noPrefilter,
  };
}

export interface LanguageOutput {
  outcomes: FileOutcome[];
  parsed: number;
  problems: ToolError[];
  directives: ScanShare['directives'];
}

/** A whole language in this thread: pass 0, then every site file. */
export async function runLanguage(input: LanguageInput): Promise<LanguageOutput> {
  const started = performance.now();
  // KA_AUDIT_TIMING=1 (profiling): how long this language's pass 0 and analysis took, on stderr.
  const trace = process.env['KA_AUDIT_TIMING'] ? (what: string) => process.stderr.write(`ka-audit timing: ${input.lang} ${what} after ${Math.round(performance.now() - started)} ms\n`) : () => {};
  const scanned = await passZero(input);
  forgetInterned();
  trace(`pass 0 of ${input.files.length} files done`);
  const r = await sitesFor(specOf(input, scanned));
  trace(`analysis done`);
  // Nothing else of this run needs the project here: free it before the next language.
  await drop(input.lang);
  return { outcomes: r.outcomes, parsed: r.parsed, problems: scanned.problems, directives: scanned.directives };
}

/** Below this many files, starting a thread for half of pass 0 (~0.1 s) gains little. */
const SPLIT_SCAN_MIN_FILES = 1000;

/**
 * Chunks a pass-0 helper scans before it posts them. Its share once came in one message at the
 * end: the helper's heap, the message and its copy here all held half the tree's scans at once,
 * the run's peak on large trees (47,965 generated C files: the RSS high-water mark rose ~45 MB
 * in that last moment, and fell ~100 MB when the helper exited).
 */
export const SCAN_CHUNKS_PER_PART = 8;

/**
 * Pass 0 in this thread and, once a core is spare (BackendOptions.spareThreads), in a helper
 * thread too: both claim chunks of files from a shared counter, and the shares are merged in
 * file order, so the result is the one thread's. The helper posts its chunks as it goes, and this
 * thread takes them between its own chunks, so neither holds a second copy of half the scans.
 * Chunks a failed helper claimed but never posted are scanned here.
 * The helper starts only when a core is free (an idle thread still costs ~20 MB).
 */
export async function passZero(input: LanguageInput, file = builtFile('engine', 'scan-helper.js')): Promise<ScanShare> {
  const spare = input.opts.spareThreads ? new Int32Array(input.opts.spareThreads) : undefined;
  const n = input.files.length;
  const minFiles = input.opts.helpersAlways ? 0 : SPLIT_SCAN_MIN_FILES;
  if (!file || !spare || n < minFiles) return scanFiles(input);
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const parts: ScanShare[] = [];
  /** First indexes of the chunks scanned (here, or posted by the helper). */
  const done = new Set<number>();
  let helper: { port: MessagePort; ended: Promise<void> } | undefined;
  let tried = false;
  /** Takes what the helper has posted so far. */
  const take = () => {
    for (let m = helper && receiveMessageOnPort(helper.port); m; m = receiveMessageOnPort(helper!.port)) {
      const msg = m.message as ScanHelperMessage;
      parts.push(msg.part);
      for (const from of msg.chunks) done.add(from);
    }
  };
  const start = () => {
    tried = true;
    const { port1, port2 } = new MessageChannel();
    const job: ScanHelperJob = { input, counter: counter.buffer as SharedArrayBuffer, port: port2 };
    let worker: Worker;
    try {
      worker = new Worker(file, { workerData: job, transferList: [port2], resourceLimits: { maxOldGenerationSizeMb: 64 + n / 64 } });
    } catch {
      port1.close();
      return; // no thread to be had: this thread scans everything
    }
    const ended = new Promise<void>((resolve) => {
      worker.once('error', () => resolve());
      worker.once('exit', () => resolve());
    });
    helper = { port: port1, ended };
  };
  const own = await scanFiles(input, () => {
    take();
    const from = Atomics.add(counter, 0, SCAN_CHUNK);
    if (from < n) done.add(from);
    if (!tried && Atomics.load(spare, 0) >= 1 && n - from >= minFiles / 2) start();
    return from;
  });
  if (!helper) return own;
  // Its last chunks. A message is in this port's queue once posted, so when the helper has
  // ended, everything it posted can be taken; the chunks it claimed and did not post (it failed)
  // are scanned here.
  await helper.ended;
  take();
  helper.port.close();
  const rest = input.files.filter((_f, k) => !done.has(k - (k % SCAN_CHUNK)));
  return mergeScans(
    [own, ...parts, ...(rest.length ? [await scanFiles({ ...input, files: rest })] : [])],
    input.files.map((f) => f.display),
  );
}

/** What a pass-0 helper thread gets (scan-helper.ts). */
export interface ScanHelperJob {
  input: LanguageInput;
  /** The next chunk's first file index, shared by both threads. */
  counter: SharedArrayBuffer;
  /** Where it posts its chunks (ScanHelperMessage). */
  port: MessagePort;
}

/** A pass-0 helper's message: some of its chunks' scans, and the chunks (by first index). */
export interface ScanHelperMessage {
  part: ScanShare;
  chunks: number[];
}

/** A pass-0 helper's work: claims chunks until none is left, posting every SCAN_CHUNKS_PER_PART. */
export async function helpScan(job: ScanHelperJob): Promise<void> {
  const counter = new Int32Array(job.counter);
  const n = job.input.files.length;
  for (let left = true; left; ) {
    const chunks: number[] = [];
    // A claim past the end ends scanFiles: so does the claim after a part's last chunk.
    const part = await scanFiles(job.input, () => {
      if (chunks.length === SCAN_CHUNKS_PER_PART) return n;
      const from = Atomics.add(counter, 0, SCAN_CHUNK);
      if (from < n) chunks.push(from);
      else left = false;
      return from;
    });
    if (chunks.length) job.port.postMessage({ part, chunks } satisfies ScanHelperMessage);
  }
}

function emptyShare(): ScanShare {
  return { scans: {}, paths: {}, sizes: {}, problems: [], directives: [] };
}

/** A file's decoded text; problems were already reported once by the main thread's pass 0. */
function textOf(spec: RunSpec, file: string): string | undefined {
  const path = spec.paths[file];
  if (!path) return undefined;
  try {
    const decoded = decodeSource(readFileSync(path), spec.maxBytes);
    return decoded.ok ? decoded.source.text : undefined;
  } catch {
    return undefined;
  }
}
