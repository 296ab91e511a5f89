// The per-language work of an audit, as functions of plain data so the same code runs in the
// main thread and in worker threads: build a project from the pass-0 scans, optionally compute
// project-wide facts for a share of the files, then analyse a share of the site files.
import { readFileSync } from 'node:fs';
import type { Backend, BackendOptions, FileDiagnostic } from './backend.js';
import { backendFor } from './backends.js';
import { findingsForFile, type RuleSetting } from './findings.js';
import { decodeSource } from './source.js';
import type { Finding, Lang, Site, ToolError } from './types.js';
import { errMessage } from './files.js';
import { parseDirectives, type Directive } from './suppress.js';

export interface RunSpec {
  /** Identifies one audit: a worker reuses the project it built for the same run. */
  runId: string;
  lang: Lang;
  /** display path → absolute path, for every file of this language that scanned fine. */
  paths: Record<string, string>;
  scans: Record<string, unknown>;
  opts: BackendOptions;
  maxBytes: number;
  includeUnknown: boolean;
  severity: Record<string, RuleSetting>;
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
  factsAdopted: boolean;
}

let current: Built | undefined;

/** The project for this run, built once per thread (the scans are the same for every task). */
async function projectFor(spec: RunSpec): Promise<Built> {
  if (current?.runId === spec.runId && current.backend.lang === spec.lang) return current;
  const backend = await backendFor(spec.lang);
  if (!backend) throw new Error(`no backend for ${spec.lang}`);
  await backend.init();
  const project = backend.createProject(new Map(Object.entries(spec.scans)), (file) => textOf(spec, file), spec.opts);
  current = { runId: spec.runId, backend, project, factsAdopted: false };
  return current;
}

/** Phase 1 (optional per backend): project-wide facts from a share of the files. */
export async function factsFor(spec: RunSpec, files: string[]): Promise<unknown> {
  const b = await projectFor(spec);
  return b.backend.shardFacts ? b.backend.shardFacts(b.project, files) : undefined;
}

/** Phase 2: sites and findings of a share of the site files. */
export async function sitesFor(spec: RunSpec, files: string[], facts?: unknown): Promise<{ outcomes: FileOutcome[]; parsed: number }> {
  const b = await projectFor(spec);
  if (facts !== undefined && b.backend.adoptFacts && !b.factsAdopted) {
    b.backend.adoptFacts(b.project, facts);
    b.factsAdopted = true;
  }
  const outcomes: FileOutcome[] = [];
  for (const file of files) {
    try {
      const r = b.backend.analyze(b.project, file, spec.opts);
      let findings: Finding[] = [];
      if (r.sites.length) {
        const text = textOf(spec, file);
        if (text !== undefined) findings = findingsForFile(file, text, r.sites, { includeUnknown: spec.includeUnknown, severity: spec.severity });
      }
      outcomes.push({ file, sites: r.sites, findings, diagnostics: r.diagnostics });
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

export interface LanguageOutput {
  outcomes: FileOutcome[];
  parsed: number;
  /** Read/decode problems, one per file. */
  problems: ToolError[];
  /** Files with ka-audit suppression comments. */
  directives: Array<[string, { directives: Directive[]; lines: number }]>;
  /** Pass-0 results, for a caller that shards the rest itself. */
  spec: RunSpec;
  sizes: Array<[string, number]>;
  plan: { factFiles: string[]; siteFiles: string[] };
}

/**
 * Pass 0 (read, decode, text scan, suppression comments) of one language's files, and the
 * plan. `analyse` then also runs its sites here (the whole language in one thread).
 */
export async function runLanguage(input: LanguageInput, analyse: boolean): Promise<LanguageOutput> {
  const backend = await backendFor(input.lang);
  if (!backend) throw new Error(`no backend for ${input.lang}`);
  await backend.init();
  const problems: ToolError[] = [];
  const directives: LanguageOutput['directives'] = [];
  const scans: Record<string, unknown> = {};
  const paths: Record<string, string> = {};
  const sizes: Array<[string, number]> = [];
  for (const f of input.files) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(f.path);
    } catch (e) {
      problems.push({ file: f.display, message: `cannot read: ${errMessage(e)}` });
      continue;
    }
    const decoded = decodeSource(bytes, input.maxBytes);
    if (!decoded.ok) {
      problems.push({ file: f.display, message: decoded.message });
      continue;
    }
    if (decoded.warning) problems.push({ file: f.display, message: decoded.warning, severity: 'warning' });
    const text = decoded.source.text;
    scans[f.display] = backend.scan(text);
    paths[f.display] = f.path;
    sizes.push([f.display, text.length]);
    const found = parseDirectives(text);
    if (found.length) directives.push([f.display, { directives: found, lines: text.split('\n').length }]);
  }
  const spec: RunSpec = {
    runId: input.runId,
    lang: input.lang,
    paths,
    scans,
    opts: input.opts,
    maxBytes: input.maxBytes,
    includeUnknown: input.includeUnknown,
    severity: input.severity,
  };
  const plan = await planFor(spec, input.noPrefilter);
  if (!analyse) return { outcomes: [], parsed: 0, problems, directives, spec, sizes, plan };
  const r = await sitesFor(spec, plan.siteFiles);
  // Across threads, the spec's scans are dead weight: only the outcomes travel back.
  return { outcomes: r.outcomes, parsed: r.parsed, problems, directives, spec: { ...spec, scans: {} }, sizes: [], plan };
}

/** The files a backend wants phase 1 to cover, and the site files for phase 2. */
export async function planFor(spec: RunSpec, all: boolean): Promise<{ factFiles: string[]; siteFiles: string[] }> {
  const b = await projectFor(spec);
  const scans = new Map(Object.entries(spec.scans));
  return {
    factFiles: b.backend.factFiles ? b.backend.factFiles(b.project) : [],
    siteFiles: b.backend.siteFiles(b.project, scans, all),
  };
}

export async function mergeFactsFor(lang: Lang, parts: unknown[]): Promise<unknown> {
  const backend = await backendFor(lang);
  return backend?.mergeFacts ? backend.mergeFacts(parts) : undefined;
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
