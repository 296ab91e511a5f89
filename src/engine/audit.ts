// audit(): discover → prefilter → pass 1 (project facts) → pass 2 (sites) → findings.
// The core never prints; fronts turn an AuditResult into output and an exit code.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { pathToFileURL } from 'node:url';
import type { Piscina } from 'piscina';
import type { BackendOptions } from './backend.js';
import { discoverFiles, errMessage, type FoundFile } from './files.js';
import type { RuleSetting } from './findings.js';
import { builtFile } from './paths.js';
import type { LanguageInput, LanguageOutput } from './work.js';
import { decodeSource, DEFAULT_MAX_FILE_BYTES, type SourceText } from './source.js';
import { DEFAULT_KEEPALIVE, type Finding, type KeepaliveValues, type Lang, type Site, type Stats, type ToolError } from './types.js';
import { cachedResult, cacheKey, openCache, writeCache } from './cache.js';
import { applySuppressions, directiveProblems, type Directive } from './suppress.js';

export interface AuditOptions {
  cwd: string;
  paths: string[];
  gitignore?: boolean;
  include?: string[];
  exclude?: string[];
  includeUnknown?: boolean;
  keepalive?: KeepaliveValues;
  /** Extra keepalive helpers per language (config `helpers`). */
  helpers?: { c?: string[]; ts?: string[] };
  severity?: Record<string, RuleSetting>;
  /** Compute fixes (edits) for findings. */
  fixes?: boolean;
  /** Skip the prefilter (parse every file): a test proves results are identical. */
  noPrefilter?: boolean;
  /** Report suppression comments that suppress nothing (`unused-suppression`). */
  reportUnusedSuppressions?: boolean;
  /** Worker threads (default: the number of cores; 1 runs everything in this thread). */
  jobs?: number;
  /** Heap bound of each worker in MB (tests set a tiny one to exercise the repeat). */
  workerHeapMb?: number;
  /** Heap bound in MB of the worker that repeats a failed run (default: this thread's own bound). */
  repeatHeapMb?: number;
  /** Files from which worker threads are used (tests lower it to exercise them). */
  parallelMinFiles?: number;
  /** Start helper threads (pass 0, C parsing ahead) however small the input: tests use it. */
  helpersAlways?: boolean;
  /** Reuse the previous result when nothing changed (a directory under cwd, e.g. `.ka-audit-cache`). */
  cacheDir?: string;
  maxFileBytes?: number;
}

export interface SiteRecord extends Site {
  file: string;
}

export interface AuditedFile {
  path: string;
  display: string;
  lang: Lang;
  source: SourceText;
}

export interface AuditResult {
  version: 1;
  findings: Finding[];
  sites: SiteRecord[];
  errors: ToolError[];
  stats: Stats;
  /** Files with findings, with their decoded source (for applying fixes). */
  files: Map<string, AuditedFile>;
  /** Set when the result came from --cache without analysing anything. */
  cached?: boolean;
}

/**
 * From this many files on, languages run in worker threads with a bounded heap: the main
 * thread's heap cannot be limited from inside, and V8 lets an unbounded heap fill with garbage
 * (measured here: 600 MB peak RSS on 10,000 files, under 300 MB with the limit, same speed).
 * Smaller trees run in this thread: starting workers would cost more than it saves.
 */
const LARGE_TREE_FILES = 1500;
/**
 * From this many files the heaps grow by a fixed 20 % over what the last full GC kept. V8 picks
 * the factor itself (1.1–4×, trading memory for fewer collections), and on large trees that
 * headroom was much of the peak's growth. Peak RSS at 80,000 files 484–501 against 548–570 MB
 * (6 runs each, alternating; ~7 % longer, medians 44.4 against 41.4 s), at 40,000 348–371
 * against 377–394 MB (4 each; the same time), at 20,000 298–304 against 310–317 MB (3 each).
 * The real servers (4,831 files) and 10,000 files gained nothing (4 and 3 runs), so they keep
 * V8's choice. 40 % gained at 80,000 files only.
 */
const TIGHT_HEAP_FILES = 20_000;

/** Old-generation heap for a worker: a base plus what the scans and indexes of its files need. */
function heapLimitMb(override: number | undefined, langs: Array<[Lang, FoundFile[]]>): number {
  if (override) return override;
  // A worker holds one language's project at a time.
  const files = Math.max(0, ...langs.map(([, list]) => list.length));
  return Math.ceil(160 + files * 0.016);
}

/**
 * What to tell the user about an exception while analysing a file. The parsers (TypeScript's,
 * tree-sitter's error recovery) recurse as deep as the code nests, so a file nested thousands of
 * levels deep can exhaust the stack; ka-audit's own walks do not recurse.
 */
export function internalErrorMessage(stack: string): string {
  const first = stack.split('\n')[0]!;
  if (/^RangeError: Maximum call stack size exceeded/.test(first)) return 'nested too deeply to be parsed (the stack ran out); this file was not analysed';
  return `internal error while analysing: ${first}`;
}

/** What one language's failed run is reported as: once, on the directory that holds its files. */
function notAnalysed(lang: Lang, list: FoundFile[], heapMb: number, why: string): ToolError {
  const dirs = list.map((f) => f.display.split('/').slice(0, -1));
  let common = dirs[0] ?? [];
  for (const d of dirs) {
    const differs = common.findIndex((part, i) => d[i] !== part);
    if (differs !== -1) common = common.slice(0, differs);
  }
  const label = lang === 'c' ? 'C' : 'TS/JS';
  return { file: common.join('/') || '.', message: `not analysed: the ${label} analysis of ${list.length} file(s) failed in a worker thread, and again when repeated alone with a ${heapMb} MB heap (${why})` };
}

/** Loaded only for a pool: its modules took ~20 ms of every small or cached run (CPU profile). */
async function makePool(n: number, heapMb: number): Promise<Piscina | undefined> {
  // Workers run compiled JS; from sources without a build (some test setups) stay in-thread.
  const file = builtFile('engine', 'worker.js');
  if (!file) return undefined;
  const { Piscina } = await import('piscina');
  return new Piscina({
    filename: pathToFileURL(file).href,
    // A thread exits as soon as it is idle: a finished language's worker kept its heap while the
    // other language (and its helper) peaked: 10k-file corpus 356-366 -> 326-338 MB, same time.
    minThreads: 0,
    maxThreads: n,
    idleTimeout: 0,
    // A 16 MB young generation (was 8): the C thread spent 750-850 ms of the real tree's run in GC,
    // 470-520 ms with 16, at the same peak RSS there (+8-31 MB on 10,000-12,000 files; 32
    // cost 25 MB more on the real tree for no further gain).
    resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 16 },
  });
}

export async function audit(options: AuditOptions): Promise<AuditResult> {
  const started = performance.now();
  // KA_AUDIT_TIMING=1: when each phase ends, on stderr (for profiling; not part of any output).
  const trace = process.env.KA_AUDIT_TIMING ? (what: string) => process.stderr.write(`ka-audit timing: ${Math.round(performance.now() - started)} ms ${what}\n`) : () => {};
  const errors: ToolError[] = [];
  const { files, errors: walkErrors } = await discoverFiles({
    cwd: options.cwd,
    paths: options.paths,
    gitignore: options.gitignore ?? true,
    ...(options.include ? { include: options.include } : {}),
    ...(options.exclude ? { exclude: options.exclude } : {}),
  });
  errors.push(...walkErrors);
  const jobs = Math.max(1, options.jobs ?? availableParallelism());
  // Cores no language's thread holds, shared with the threads: a C project's helper parses
  // ahead only while one is free (on a 2-core machine it slowed a tree whose TS thread was busy).
  const spare = new Int32Array(new SharedArrayBuffer(4));
  const freeCores = (n: number) => {
    Atomics.store(spare, 0, n);
    Atomics.notify(spare, 0);
  };
  const backendOpts = (lang: Lang): BackendOptions => ({
    keepalive: options.keepalive ?? DEFAULT_KEEPALIVE,
    helpers: options.helpers?.[lang] ?? [],
    fixes: options.fixes ?? true,
    ...(options.noPrefilter ? { noPrefilter: true } : {}),
    // A spare core may take half of a language's pass 0, and parse a C project's files ahead.
    ...(jobs > 1 ? { spareThreads: spare.buffer as SharedArrayBuffer } : {}),
    ...(options.helpersAlways ? { helpersAlways: true } : {}),
  });
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const byLang = new Map<Lang, FoundFile[]>();
  for (const f of files) {
    const list = byLang.get(f.lang);
    if (list) list.push(f);
    else byLang.set(f.lang, [f]);
  }

  const findings: Finding[] = [];
  const suppressions = new Map<string, { directives: Directive[]; lines: number }>();
  const sites: SiteRecord[] = [];
  const audited = new Map<string, AuditedFile>();
  let parsed = 0;
  const reported = new Set<string>();
  const report = (file: string, message: string, severity?: 'warning') => {
    if (reported.has(file)) return;
    reported.add(file);
    errors.push(severity ? { file, message, severity } : { file, message });
  };

  /** Reads and decodes one file; problems become one diagnostic per file. */
  const loadSync = (f: FoundFile): SourceText | undefined => {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(f.path);
    } catch (e) {
      report(f.display, `cannot read: ${errMessage(e)}`);
      return undefined;
    }
    const decoded = decodeSource(bytes, maxBytes);
    if (!decoded.ok) {
      report(f.display, decoded.message);
      return undefined;
    }
    if (decoded.warning) report(f.display, decoded.warning, 'warning');
    return decoded.source;
  };

  const store = options.cacheDir ? openCache(options.cacheDir, options.cwd) : undefined;
  const key = store ? cacheKey(options, files, store) : undefined;
  const hit = store && key ? cachedResult(store, key.key) : undefined;
  if (store && key && hit) {
    // A hit can still teach the cache which files no longer need reading.
    if (key.learned) writeCache(store, key, hit);
    const byDisplay = new Map(files.map((f) => [f.display, f]));
    for (const f of hit.findings) {
      if (audited.has(f.file)) continue;
      const found = byDisplay.get(f.file);
      const src = found && loadSync(found);
      if (found && src) audited.set(f.file, { path: found.path, display: f.file, lang: found.lang, source: src });
    }
    const stats = { ...hit.stats, parsed: 0, hashed: key.hashed, ms: Math.round(performance.now() - started) };
    return { version: 1, ...hit, stats, files: audited, cached: true };
  }
  const runId = randomUUID();
  let threads = 1;
  const langs = [...byLang].filter(([lang]) => lang === 'c' || lang === 'ts');
  const inputFor = (lang: Lang, list: FoundFile[]): LanguageInput => ({
    runId,
    lang,
    files: list.map((f) => ({ path: f.path, display: f.display })),
    opts: backendOpts(lang),
    maxBytes,
    includeUnknown: options.includeUnknown ?? false,
    severity: options.severity ?? {},
    noPrefilter: options.noPrefilter ?? false,
  });
  let pool: Piscina | undefined;
  const results: Array<{ lang: Lang; out: LanguageOutput }> = [];
  let workerFailure: string | undefined;
  // A thread per language, and only the threads the plan keeps busy (an idle worker cost
  // ~10 MB and start-up time, measured); other cores go to helpers (spareThreads).
  const useful = Math.max(1, Math.min(jobs, langs.length));
  // A V8 flag is the process's, not the pool's: it is set back when the pool is done.
  const tightHeap = files.length >= TIGHT_HEAP_FILES;
  if (tightHeap) setFlagsFromString('--heap-growing-percent=20');
  try {
    if (files.length >= (options.parallelMinFiles ?? LARGE_TREE_FILES) && (pool = await makePool(useful, heapLimitMb(options.workerHeapMb, langs)))) {
      // A large tree: the work runs in worker threads with a bounded heap, and this thread
      // stays small. A language is one task; languages run side by side. (Splitting a language's
      // analysis over threads was measured and dropped: see README, Design notes.)
      const p = pool;
      // A worker that dies between tasks (e.g. at start) is reported by the pool, not by a task:
      // treat it as the run's failure, or the queued tasks could wait for ever.
      const poolDied = new Promise<never>((_, reject) => p.on('error', reject));
      threads = useful;
      // Each unfinished language keeps a thread busy: what is left of `jobs` is spare.
      let running = langs.length;
      freeCores(Math.max(0, jobs - running));
      const work = Promise.all(
        langs.map(async ([lang, list]) => {
          const out = (await p.run(inputFor(lang, list), { name: 'language' })) as LanguageOutput;
          trace(`${lang} done (${list.length} files)`);
          freeCores(Math.max(0, jobs - --running));
          return { lang, out };
        }),
      );
      for (const done of await Promise.race([work, poolDied])) results.push(done);
    }
  } catch (e) {
    // A worker that dies (its heap bound hit by unusual input, or a crash) must not lose the
    // run: the same analysis runs again, and stats say so.
    workerFailure = errMessage(e);
    results.length = 0;
    threads = 1;
  } finally {
    await pool?.destroy();
    if (tightHeap) setFlagsFromString('--heap-growing-percent=0');
  }
  if (workerFailure) {
    // Each language again, alone, in a worker with this thread's own heap bound: in this thread,
    // running out of memory aborted the whole process (V8's fatal error, no report); in a worker
    // it is one language's error, reported, and the other's results stay.
    freeCores(jobs - 1);
    const heapMb = options.repeatHeapMb ?? Math.floor(getHeapStatistics().heap_size_limit / 2 ** 20);
    for (const [lang, list] of langs) {
      const alone = (await makePool(1, heapMb))!;
      try {
        const died = new Promise<never>((_, reject) => alone.on('error', reject));
        results.push({ lang, out: (await Promise.race([alone.run(inputFor(lang, list), { name: 'language' }), died])) as LanguageOutput });
      } catch (e) {
        errors.push(notAnalysed(lang, list, heapMb, errMessage(e)));
      } finally {
        await alone.destroy();
      }
    }
  } else if (!pool) {
    // A small tree: everything here, one language after the other; every other core is spare.
    freeCores(jobs - 1);
    // Loaded only here: a warm --cache run never needs the analysis.
    const { runLanguage } = await import('./work.js');
    for (const [lang, list] of langs) results.push({ lang, out: await runLanguage(inputFor(lang, list)) });
  }
  for (const { lang, out } of results) {
    for (const e of out.problems) report(e.file, e.message, e.severity === 'warning' ? 'warning' : undefined);
    for (const [file, d] of out.directives) suppressions.set(file, d);
    parsed += out.parsed;
    const byDisplay = new Map((byLang.get(lang) ?? []).map((f) => [f.display, f]));
    for (const o of out.outcomes) {
      if (o.internalError) errors.push({ file: o.file, message: internalErrorMessage(o.internalError) });
      for (const d of o.diagnostics) errors.push({ file: o.file, message: d.message, severity: d.severity });
      for (const s of o.sites) sites.push({ file: o.file, ...s });
      if (o.findings.length) {
        const f = byDisplay.get(o.file)!;
        const src = loadSync(f);
        if (src) audited.set(o.file, { path: f.path, display: o.file, lang, source: src });
        findings.push(...o.findings);
      }
    }
  }
  // Suppression comments: mark what they cover, then report the comments' own problems.
  for (const [file, s] of suppressions) {
    applySuppressions(
      findings.filter((f) => f.file === file),
      s.directives,
      s.lines,
    );
    for (const f of directiveProblems(file, s.directives, options.reportUnusedSuppressions ?? false)) {
      const setting = options.severity?.[f.ruleId];
      if (setting === 'off') continue;
      findings.push(setting ? { ...f, severity: setting } : f);
    }
  }
  findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
  sites.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.span.line - b.span.line || a.span.column - b.span.column));
  const result: AuditResult = {
    version: 1,
    findings,
    sites,
    errors,
    stats: { files: files.length, parsed, sites: sites.length, findings: findings.filter((f) => !f.suppressed).length, ms: Math.round(performance.now() - started), threads, ...(key ? { hashed: key.hashed } : {}), ...(workerFailure ? { workerFailure } : {}) },
    files: audited,
  };
  if (store && key) writeCache(store, key, result);
  return result;
}
