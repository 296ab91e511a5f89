// audit(): discover → prefilter → pass 1 (project facts) → pass 2 (sites) → findings.
// The core never prints; fronts turn an AuditResult into output and an exit code.
import { readFileSync } from 'node:fs';
import type { Backend, BackendOptions } from './backend.js';
import { discoverFiles, errMessage, type FoundFile } from './files.js';
import { findingsForFile, type RuleSetting } from './findings.js';
import { decodeSource, DEFAULT_MAX_FILE_BYTES, type SourceText } from './source.js';
import { DEFAULT_KEEPALIVE, type Finding, type KeepaliveValues, type Lang, type Site, type Stats, type ToolError } from './types.js';
import { backendFor } from './backends.js';
import { applySuppressions, directiveProblems, parseDirectives, type Directive } from './suppress.js';

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

  for (const [lang, list] of byLang) {
    const backend = backendFor(lang) as Backend<unknown, unknown> | undefined;
    if (!backend) continue;
    await backend.init();
    const opts = backendOpts(lang);
    const byDisplay = new Map(list.map((f) => [f.display, f]));
    // Pass 0: a cheap text scan of every file (and its suppression comments, if any).
    const scans = new Map<string, unknown>();
    for (const f of list) {
      const src = loadSync(f);
      if (!src) continue;
      scans.set(f.display, backend.scan(src.text));
      const directives = parseDirectives(src.text);
      if (directives.length) suppressions.set(f.display, { directives, lines: src.text.split('\n').length });
    }
    const load = (display: string) => {
      const f = byDisplay.get(display);
      return f ? loadSync(f)?.text : undefined;
    };
    const project = backend.createProject(scans, load, opts);
    // Pass 1+2: sites in every file that may hold one; other files are parsed on demand.
    for (const display of backend.siteFiles(project, scans, options.noPrefilter ?? false)) {
      const f = byDisplay.get(display)!;
      try {
        const r = backend.analyze(project, display, opts);
        for (const d of r.diagnostics) errors.push({ file: display, message: d.message, severity: d.severity });
        for (const s of r.sites) sites.push({ file: display, ...s });
        if (r.sites.length === 0) continue;
        const src = loadSync(f);
        if (!src) continue;
        const fileFindings = findingsForFile(display, src.text, r.sites, {
          includeUnknown: options.includeUnknown ?? false,
          severity: options.severity ?? {},
        });
        if (fileFindings.length) audited.set(display, { path: f.path, display, lang, source: src });
        findings.push(...fileFindings);
      } catch (e) {
        errors.push({ file: display, message: `internal error while analysing: ${errMessage(e)}` });
      }
    }
    parsed += backend.parsedCount(project);
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
  return {
    version: 1,
    findings,
    sites,
    errors,
    stats: { files: files.length, parsed, sites: sites.length, findings: findings.filter((f) => !f.suppressed).length, ms: Math.round(performance.now() - started) },
    files: audited,
  };
}
