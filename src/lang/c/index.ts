// The C backend: tree-sitter-c parsing, on-demand project facts, sites and fixes.
import type { Backend, BackendOptions, FileDiagnostic } from '../../engine/backend.js';
import type { Site } from '../../engine/types.js';
import { analyzeCFile } from './analyze.js';
import { planFixes } from './fix.js';
import { CFileModel } from './model.js';
import { loadCParser, parseCWith, type ParsedC } from './parse.js';
import { CProject } from './project.js';
import { scanC, type CScan } from './scan.js';
import { branchView } from './preproc.js';
import { walk } from './ast.js';

type Parser = Awaited<ReturnType<typeof loadCParser>>;
let parser: Parser | undefined;

export function parseC(text: string): ParsedC {
  if (!parser) throw new Error('C parser not initialised: call cBackend.init() first');
  return parseCWith(parser, text);
}

/** Parse problems worth telling the user: many errors, or errors where a socket call sits. */
export function parseDiagnostics(text: string, parsed: Pick<ParsedC, 'errors'>): FileDiagnostic[] {
  if (parsed.errors.length === 0) return [];
  const errorBytes = parsed.errors.reduce((n, e) => n + (e.end - e.start), 0);
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

const errorBytes = (p: ParsedC) => p.errors.reduce((n, e) => n + (e.end - e.start), 0);

/**
 * Parses a file for analysis. When #if branches split statements so badly that much of the
 * file is one parse error, two preprocessor configurations are parsed instead (same offsets):
 * the first branch of every #if, and the last one, so a site in an #else is not lost.
 */
export function modelOf(file: string, text: string): CFileModel {
  const parsed = parseC(text);
  const bad = errorBytes(parsed);
  if (bad > 0.05 * text.length && /^[ \t]*#[ \t]*(if|ifdef|ifndef)\b/m.test(text)) {
    const first = parseC(branchView(text, 'first'));
    if (errorBytes(first) < bad / 2) {
      parsed.dispose();
      const note = 'parsed per preprocessor configuration: its #if branches split statements';
      const alternate = () => {
        const last = parseC(branchView(text, 'last'));
        return new CFileModel(file, text, last.root, 0, last.errors, note, undefined, last.dispose);
      };
      return new CFileModel(file, text, first.root, text.length, first.errors, note, alternate, first.dispose);
    }
  }
  return new CFileModel(file, text, parsed.root, text.length, parsed.errors, undefined, undefined, parsed.dispose);
}

export const cBackend: Backend<CScan, CProject> = {
  lang: 'c',
  async init() {
    parser ??= await loadCParser();
  },
  scan: scanC,
  createProject(scans, load, opts) {
    return new CProject(scans, (file) => {
      const text = load(file);
      return text === undefined ? undefined : modelOf(file, text);
    }, opts.helpers, opts.noPrefilter ?? false);
  },
  siteFiles(project, scans, all) {
    return [...scans].filter(([file, s]) => all || project.hasSites(file, s)).map(([file]) => file);
  },
  analyze(project, file, opts: BackendOptions) {
    const model = project.model(file);
    if (!model) return { sites: [], diagnostics: [] };
    const sites = analyzeCFile(model, project, { extraHelpers: opts.helpers });
    if (opts.fixes) planFixes(model, sites, project, opts);
    const out: Site[] = sites.map(({ raw: _raw, model: _m, effects: _e, listener: _l, fnName: _f, ...site }) => site);
    return { sites: out, diagnostics: parseDiagnostics(model.src, model) };
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
