// The C backend: tree-sitter-c parsing, on-demand project facts, sites and fixes.
import type { Backend, BackendOptions, FileDiagnostic, ProjectFiles } from '../../engine/backend.js';
import { builtFile } from '../../engine/paths.js';
import { Preparser, startStandby, stopStandby } from './preparse.js';
import type { Site } from '../../engine/types.js';
import { analyzeCFile } from './analyze.js';
import { planFixes } from './fix.js';
import { CFileModel, guessedModelHeap } from './model.js';
import { bodyCounts, chooseParse, coveredBytes, loadCParser, mirrorTop, parseCWith, skipCounts, type BodyWanted, type ChosenParse, type ParsedC } from './parse.js';
import { reasonReads, seedPassesRead, siteCallHint } from './hints.js';
import { siteNames } from './sites.js';
import { CProject, type LoadReason } from './project.js';
import { KeptParses } from './kept-parses.js';
import { MODEL_CACHE_HEAP } from './model-cache.js';
import { scanC, type CScan } from './scan.js';
import { branchView } from './preproc.js';
import { walk } from './ast.js';

type Parser = Awaited<ReturnType<typeof loadCParser>>;
let parser: Parser | undefined;

export function parseC(text: string): ParsedC {
  return parseCWith(ctx(), text);
}

/** Parse problems worth telling the user: many errors, or errors where a socket call sits. */
export function parseDiagnostics(text: string, parsed: Pick<ParsedC, 'errors'>): FileDiagnostic[] {
  if (parsed.errors.length === 0) return [];
  const errorBytes = coveredBytes(parsed.errors);
  if (text.length > 0 && errorBytes / text.length > 0.3) {
    return [
      {
        severity: 'error',
        message: `could not be parsed as C (${Math.round((100 * errorBytes) / text.length)}% of the file is in parse errors, first at line ${parsed.errors[0]!.startRow + 1}); results for this file are incomplete`,
      },
    ];
  }
  const near = parsed.errors.find((e) => /\b(socket|accept4?|setsockopt)\s*\(/.test(text.slice(e.start, e.end)));
  if (near) return [{ severity: 'warning', message: `parse error at line ${near.startRow + 1} around a socket call; it may be analysed incompletely` }];
  return [];
}

type ParserCtx = NonNullable<typeof parser>;

function ctx(): ParserCtx {
  if (!parser) throw new Error('C parser not initialised: call cBackend.init() first');
  return parser;
}

/**
 * A file's model, from its chosen parse (made here, by the pre-parse thread, or kept from an
 * earlier model of it). `wanted`: the bodies to record with the top level when it is parsed
 * here (see BodyWanted). `keep`: given the parse, with the bodies read since, when the model is
 * let go.
 */
export function modelOf(file: string, text: string, chosen?: ChosenParse, wanted?: BodyWanted, keep?: (chosen: ChosenParse) => void): CFileModel {
  chosen ??= chooseParse(ctx(), text, wanted);
  if (chosen.view === 'first') {
    const first = mirrorTop(ctx(), branchView(text, 'first'), chosen.top);
    const note = 'parsed per preprocessor configuration: its #if branches split statements';
    const lastTop = chosen.last;
    // The last-branch view, once made, is kept with the first when the model is let go: made
    // again from the text, its bodies were parsed again on every reload.
    let lastParsed: ParsedC | undefined;
    const alternate = () => {
      const lastView = branchView(text, 'last');
      const last = (lastParsed = lastTop ? mirrorTop(ctx(), lastView, lastTop) : parseC(lastView));
      return new CFileModel(file, text, last.root, last.nodes, last.errors, note, undefined, last.dispose);
    };
    const release = keep
      ? () => {
          const last = lastParsed?.records() ?? lastTop;
          keep({ view: 'first', top: first.records(), ...(last ? { last } : {}) });
        }
      : undefined;
    return new CFileModel(file, text, first.root, first.nodes, first.errors, note, alternate, release);
  }
  const parsed = mirrorTop(ctx(), text, chosen.top);
  const release = keep ? () => keep({ view: 'whole', top: parsed.records() }) : undefined;
  return new CFileModel(file, text, parsed.root, parsed.nodes, parsed.errors, undefined, undefined, release);
}

const preparsers = new WeakMap<CProject, Preparser>();
const keptParses = new WeakMap<CProject, KeptParses>();

/** How many models a project mirrored again from kept parses instead of parsing (tests). */
export function reusedParses(project: CProject): number {
  return keptParses.get(project)?.reused ?? 0;
}

/** A project's helper thread, if it has one (tests check that it did work). */
export function preparserOf(project: CProject): Preparser | undefined {
  return preparsers.get(project);
}

/**
 * The cache when the seed files alone overflow MODEL_CACHE_HEAP. The analysis goes over the seed
 * files twice in the same order (field facts, then sites), so only a fixed part of them is kept
 * between the two passes whatever the cache's size (ModelCache), and the rest are mirrored again
 * from their kept parses; holding more of them costs memory for little time. 23,440 C files
 * (2,440 seeds), 2 runs each: 40 MB against 128, peak RSS 349-350 against 435-439 MB, 8.9-9.7
 * against 8.6-8.8 s; 24 MB against 40, 323-340 against 347-381 MB, 9.2-9.5 against 9.3-11.7 s.
 */
const CYCLING_CACHE_HEAP = 24 << 20;

function seedHeap(seeds: string[], files: ProjectFiles): number {
  let n = 0;
  for (const f of seeds) n += guessedModelHeap(files.sizes[f] ?? 0);
  return n;
}

/** Bytes of parse records kept for models the cache let go (KeptParses): ~0.3-1 byte a source byte. */
const KEPT_PARSE_BYTES = 32 << 20;

/** Under 1 MiB of seed files (~0.25 s of parsing) a helper, which needs ~0.1 s to start, gains little. */
const HELPER_MIN_BYTES = 1 << 20;

/** A thread that parses the seed files ahead, when a spare one is allowed and worth it. */
function startPreparser(seeds: string[], siteNames: string[], opts: BackendOptions, files: ProjectFiles | undefined, parseHere?: ConstructorParameters<typeof Preparser>[6]): Preparser | undefined {
  if (!files || !opts.spareThreads) return undefined;
  const list = seeds.filter((f) => files.paths[f] !== undefined);
  const bytes = list.reduce((n, f) => n + (files.sizes[f] ?? 0), 0);
  const workerFile = builtFile('lang', 'c', 'preparse-worker.js');
  if (!workerFile || list.length === 0 || (bytes < HELPER_MIN_BYTES && !opts.helpersAlways)) return undefined;
  return new Preparser(list, list.map((f) => files.paths[f]!), files.maxBytes, workerFile, opts.spareThreads, siteNames, parseHere);
}

export const cBackend: Backend<CScan, CProject> = {
  lang: 'c',
  prepare(opts, files) {
    // The pre-parse helper needs ~0.2 s to come up: start it while the project is built, where
    // it may be wanted (all C files are an upper bound of the seed files, known only then).
    const spare = opts.spareThreads ? new Int32Array(opts.spareThreads) : undefined;
    if (!spare || Atomics.load(spare, 0) < 1) return;
    const bytes = Object.values(files.sizes).reduce((n, b) => n + b, 0);
    const workerFile = builtFile('lang', 'c', 'preparse-worker.js');
    if (workerFile && (bytes >= HELPER_MIN_BYTES || opts.helpersAlways)) startStandby(workerFile);
  },
  async init() {
    parser ??= await loadCParser();
  },
  scan: scanC,
  createProject(scans, load, opts, files) {
    let ahead: Preparser | undefined;
    // The bodies to record with a file when it is parsed: set once the project knows its seeds.
    let wantedFor: (file: string, text: string, reason?: LoadReason) => BodyWanted | undefined = () => undefined;
    const kept = new KeptParses(KEPT_PARSE_BYTES);
    const project = new CProject(scans, (file, reason) => {
      const text = load(file);
      if (text === undefined) return undefined;
      const keep = (chosen: ChosenParse) => kept.keep(file, text.length, chosen);
      return modelOf(file, text, kept.take(file, text.length) ?? ahead?.take(file, text), wantedFor(file, text, reason), keep);
    }, opts.helpers, opts.noPrefilter ?? false, opts.modelCacheHeap ?? MODEL_CACHE_HEAP);
    const seeds = new Set(project.seedFiles);
    if (opts.modelCacheHeap === undefined && files && seedHeap(project.seedFiles, files) > MODEL_CACHE_HEAP) project.cacheHeap = CYCLING_CACHE_HEAP;
    const names = siteNames(project.socketAliases);
    const siteHint = siteCallHint(names);
    // A seed file's passes read known bodies, and a file loaded for a name those of the functions
    // that define or call it: record them from the whole-file tree (hints.ts) rather than parse
    // each again when it is read.
    wantedFor = (file, text, reason) => {
      if (seeds.has(file)) return (fn, body) => seedPassesRead(text, fn, body, siteHint);
      return reason && reasonReads(text, reason);
    };
    const parseHere = (file: string) => {
      const text = load(file);
      return text === undefined ? undefined : { length: text.length, chosen: chooseParse(ctx(), text, wantedFor(file, text)) };
    };
    keptParses.set(project, kept);
    ahead = startPreparser(project.seedFiles, names, opts, files, parseHere);
    if (ahead) preparsers.set(project, ahead);
    else stopStandby();
    return project;
  },
  async dispose(project) {
    const ahead = preparsers.get(project);
    // KA_AUDIT_TIMING=1 (profiling): how much of the parsing the helper took over.
    if (ahead && process.env.KA_AUDIT_TIMING) process.stderr.write(`ka-audit timing: c helper parsed ${ahead.taken} of ${project.seedFiles.length} seed files (${project.loads} loads); the analysis waited ${Math.round(ahead.waitedMs)} ms for it and parsed ${ahead.parsedHere} ahead itself\n`);
    if (process.env.KA_AUDIT_TIMING) process.stderr.write(`ka-audit timing: c function bodies mirrored from records: ${bodyCounts.ahead}, parsed when read: ${bodyCounts.parsed}; models mirrored again from kept parses: ${keptParses.get(project)?.reused ?? 0}; parses in this thread without unread bodies: ${skipCounts.parses} (${skipCounts.bodies} bodies, ${skipCounts.bytes} characters), parsed whole after the check: ${skipCounts.wholeAgain}\n`);
    await ahead?.close();
    stopStandby();
    preparsers.delete(project);
  },
  siteFiles(project, scans, all) {
    return [...scans].filter(([file, s]) => all || project.hasSites(file, s)).map(([file]) => file);
  },
  analyze(project, file, opts: BackendOptions) {
    const model = project.model(file);
    if (!model) return { sites: [], diagnostics: [] };
    return project.pinnedTo(model, () => {
      const sites = analyzeCFile(model, project, { extraHelpers: opts.helpers });
      if (opts.fixes) planFixes(model, sites, project, opts);
      const out: Site[] = sites.map(({ raw: _raw, model: _m, effects: _e, listener: _l, fnName: _f, ...site }) => site);
      return { sites: out, diagnostics: parseDiagnostics(model.src, model) };
    });
  },
  parsedCount(project) {
    return project.parsedFiles.size;
  },
  parseErrorCount(text) {
    const parsed = parseC(text);
    let missing = 0;
    walk(parsed.root, (n) => {
      if (n.missing) missing++; // MISSING tokens inside bodies are found by mirroring them
    });
    return parsed.errors.filter((e) => !e.missing).length + missing;
  },
};
