// The per-language work of an audit, as functions of plain data so the same code runs in the
// main thread and in worker threads: build a project from the pass-0 scans, optionally compute
// project-wide facts for a share of the files, then analyse a share of the site files.
import { readFileSync } from 'node:fs';
import type { Backend, BackendOptions, FileDiagnostic } from './backend.js';
import { backendFor } from './backends.js';
import { findingsForFile, type RuleSetting } from './findings.js';
import { decodeSource } from './source.js';
import type { Finding, Lang, Site } from './types.js';

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
