// Runs the engine on the text ESLint lints: the TS/JS backend and the engine's rules, exactly as
// the CLI and the jscodeshift transform do, never the ESTree AST (so any parser works). One
// analysis per file and option set, shared by the plugin's rules through a cache keyed on the
// SourceCode object ESLint hands every rule of one lint pass.
import { isAbsolute, join, resolve } from 'node:path';
import type { Rule, SourceCode } from 'eslint';
import type { BackendOptions } from '../engine/backend.js';
import { displayPath, langOf } from '../engine/files.js';
import { findingsForFile } from '../engine/findings.js';
import { applySuppressions, parseDirectives } from '../engine/suppress.js';
import type { Finding } from '../engine/types.js';
import { tsBackend } from '../lang/ts/index.js';
import type { TsScan } from '../lang/ts/scan.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import { projectRoot, projectScans, readProjectText } from './project.js';

const cache = new WeakMap<SourceCode, Map<string, Finding[]>>();

/** The engine's unsuppressed findings for the linted file (every rule's). */
export function engineFindings(context: Rule.RuleContext): Finding[] {
  const opts = resolveOptions(context.options[0], context.settings);
  const abs = isAbsolute(context.filename) ? context.filename : resolve(context.cwd, context.filename);
  const key = `${abs}\0${JSON.stringify(opts)}`;
  const sourceCode = context.sourceCode;
  let byKey = cache.get(sourceCode);
  if (!byKey) cache.set(sourceCode, (byKey = new Map()));
  let findings = byKey.get(key);
  if (!findings) byKey.set(key, (findings = analyzeText(abs, sourceCode.text, opts)));
  return findings;
}

/** Whether the file is TS/JS by its name; a name without an extension (`<input>`, stdin) counts as JS. */
function analysedName(abs: string): string | undefined {
  if (langOf(abs) === 'ts') return abs;
  return /\.[^./\\]+$/.test(abs) ? undefined : `${abs}.js`;
}

/** Findings for one text (BOM-less, as ESLint's SourceCode.text) at an absolute path. */
export function analyzeText(absPath: string, text: string, opts: ResolvedOptions): Finding[] {
  const abs = analysedName(absPath);
  if (abs === undefined) return [];
  const scan = tsBackend.scan(text);
  if (!scan.sites) return []; // the engine's prefilter: no net/tls import, no site
  const backendOpts: BackendOptions = { keepalive: opts.keepalive, helpers: opts.helpers, fixes: true };
  let scans: Map<string, TsScan>;
  let display: string;
  let load: (d: string) => string | undefined;
  if (opts.project) {
    const root = projectRoot(abs);
    display = displayPath(root, abs);
    scans = projectScans(root);
    load = (d) => (d === display ? text : readProjectText(join(root, d)));
  } else {
    display = displayPath(resolve(abs, '..'), abs);
    scans = new Map();
    load = (d) => (d === display ? text : undefined);
  }
  scans.set(display, scan);
  const project = tsBackend.createProject(scans, load, backendOpts);
  const { sites } = tsBackend.analyze(project, display, backendOpts);
  if (sites.length === 0) return [];
  const findings = findingsForFile(display, text, sites, { includeUnknown: false, severity: {} });
  // ka-audit suppression comments keep working under ESLint (as with the CLI and --fix).
  applySuppressions(findings, parseDirectives(text), text.split('\n').length);
  return findings.filter((f) => !f.suppressed);
}
