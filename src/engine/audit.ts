// audit(): discover → prefilter → pass 1 (project facts) → pass 2 (sites) → findings.
// The core never prints; fronts turn an AuditResult into output and an exit code.
import { readFile } from 'node:fs/promises';
import type { AliasTable, Backend, BackendOptions } from './backend.js';
import { discoverFiles, errMessage, type FoundFile } from './files.js';
import { findingsForFile, type RuleSetting } from './findings.js';
import { decodeSource, DEFAULT_MAX_FILE_BYTES, type SourceText } from './source.js';
import { DEFAULT_KEEPALIVE, type Finding, type KeepaliveValues, type Lang, type Site, type Stats, type ToolError } from './types.js';
import { backendFor } from './backends.js';

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
}

export async function audit(options: AuditOptions): Promise<AuditResult> {
  const started = performance.now();
  const errors: ToolError[] = [];
  const { files, errors: walkErrors } = await discoverFiles({
    cwd: options.cwd,
    paths: options.paths,
    gitignore: options.gitignore ?? true,
    ...(options.include ? { include: options.include } : {}),
    ...(options.exclude ? { exclude: options.exclude } : {}),
  });
  errors.push(...walkErrors);
  const backendOpts = (lang: Lang): BackendOptions => ({
    keepalive: options.keepalive ?? DEFAULT_KEEPALIVE,
    helpers: options.helpers?.[lang] ?? [],
    fixes: options.fixes ?? true,
  });
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const byLang = new Map<Lang, FoundFile[]>();
  for (const f of files) byLang.set(f.lang, [...(byLang.get(f.lang) ?? []), f]);

  const findings: Finding[] = [];
  const sites: SiteRecord[] = [];
  const audited = new Map<string, AuditedFile>();
  let parsed = 0;
  const reportedRead = new Set<string>();

  const load = async (f: FoundFile): Promise<SourceText | undefined> => {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(f.path);
    } catch (e) {
      if (!reportedRead.has(f.display)) errors.push({ file: f.display, message: `cannot read: ${errMessage(e)}` });
      reportedRead.add(f.display);
      return undefined;
    }
    const decoded = decodeSource(bytes, maxBytes);
    if (!decoded.ok) {
      if (!reportedRead.has(f.display)) errors.push({ file: f.display, message: decoded.message });
      reportedRead.add(f.display);
      return undefined;
    }
    if (decoded.warning && !reportedRead.has(f.display)) {
      errors.push({ file: f.display, message: decoded.warning, severity: 'warning' });
      reportedRead.add(f.display);
    }
    return decoded.source;
  };

  for (const [lang, list] of byLang) {
    const backend = backendFor(lang) as Backend<unknown, unknown> | undefined;
    if (!backend) continue;
    await backend.init();
    const opts = backendOpts(lang);
    // Pass 0: names other files must know (macro aliases of socket()).
    const aliases: AliasTable = {};
    const texts = new Map<string, SourceText>();
    for (const f of list) {
      const src = await load(f);
      if (!src) continue;
      Object.assign(aliases, backend.scanAliases(src.text));
    }
    // Pass 1: project facts from every file that could hold any.
    const facts: unknown[] = [];
    for (const f of list) {
      const src = texts.get(f.path) ?? (await load(f));
      if (!src) continue;
      if (!options.noPrefilter && !backend.mayHaveFacts(src.text, aliases)) continue;
      try {
        const r = backend.facts(f.display, src.text, aliases);
        facts.push(r.facts);
      } catch (e) {
        errors.push({ file: f.display, message: `internal error while collecting facts: ${errMessage(e)}` });
      }
    }
    const project = backend.project(facts, aliases, opts);
    // Pass 2: sites and findings.
    for (const f of list) {
      const src = await load(f);
      if (!src) continue;
      if (!options.noPrefilter && !backend.mayHaveSites(src.text, aliases)) continue;
      parsed++;
      try {
        const r = backend.analyze(f.display, src.text, project, opts);
        for (const d of r.diagnostics) errors.push({ file: f.display, message: d.message, severity: d.severity });
        for (const s of r.sites) sites.push({ file: f.display, ...s });
        const fileFindings = findingsForFile(f.display, src.text, r.sites, {
          includeUnknown: options.includeUnknown ?? false,
          severity: options.severity ?? {},
        });
        if (fileFindings.length) audited.set(f.display, { path: f.path, display: f.display, lang, source: src });
        findings.push(...fileFindings);
      } catch (e) {
        errors.push({ file: f.display, message: `internal error while analysing: ${errMessage(e)}` });
      }
    }
  }
  findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
  sites.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.span.line - b.span.line || a.span.column - b.span.column));
  return {
    version: 1,
    findings,
    sites,
    errors,
    stats: { files: files.length, parsed, sites: sites.length, findings: findings.length, ms: Math.round(performance.now() - started) },
    files: audited,
  };
}
