// The C backend: tree-sitter-c parsing, pass-1 facts, pass-2 sites, and fixes.
import type { AliasTable, Backend, BackendOptions, FileDiagnostic } from '../../engine/backend.js';
import type { Site } from '../../engine/types.js';
import { analyzeCFile } from './analyze.js';
import { extractFileFacts, type FileFacts } from './facts.js';
import { planFixes } from './fix.js';
import { loadCParser, parseCWith, type ParsedC } from './parse.js';
import { CProject } from './project.js';
import { socketAliasOf, type SocketAlias } from './sites.js';

type Parser = Awaited<ReturnType<typeof loadCParser>>;
let parser: Parser | undefined;

const ALIAS_DEFINE = /^[ \t]*#[ \t]*define[ \t]+(\w+)(\(([^)]*)\))?[ \t]+(\(?[ \t]*(?:socket|accept4?)\b[^\n]*)$/gm;

function aliasMap(aliases: AliasTable): Map<string, SocketAlias> {
  return new Map(Object.entries(aliases) as Array<[string, SocketAlias]>);
}

function aliasNames(aliases: AliasTable): string[] {
  return Object.keys(aliases);
}

export function parseC(text: string): ParsedC {
  if (!parser) throw new Error('C parser not initialised: call cBackend.init() first');
  return parseCWith(parser, text);
}

/** Parse problems worth telling the user: many errors, or errors where a socket call sits. */
export function parseDiagnostics(text: string, parsed: ParsedC): FileDiagnostic[] {
  if (parsed.errors.length === 0) return [];
  const errorBytes = parsed.errors.reduce((n, e) => n + (e.end - e.start), 0);
  const out: FileDiagnostic[] = [];
  if (text.length > 0 && errorBytes / text.length > 0.3) {
    out.push({ severity: 'error', message: `could not be parsed as C (${Math.round((100 * errorBytes) / text.length)}% of the file is in parse errors, first at line ${parsed.errors[0]!.startRow + 1}); results for this file are incomplete` });
    return out;
  }
  const near = parsed.errors.find((e) => /\b(socket|accept4?|setsockopt)\s*\(/.test(text.slice(e.start, e.end)));
  if (near) out.push({ severity: 'warning', message: `parse error at line ${near.startRow + 1} around a socket call; it may be analysed incompletely` });
  return out;
}

export const cBackend: Backend<FileFacts, CProject> = {
  lang: 'c',
  async init() {
    parser ??= await loadCParser();
  },
  scanAliases(text) {
    const out: Record<string, SocketAlias> = {};
    if (!text.includes('define')) return out;
    for (const m of text.matchAll(ALIAS_DEFINE)) {
      const params = m[2] ? m[3]!.split(',').map((s) => s.trim()).filter(Boolean) : null;
      const alias = socketAliasOf(params, m[4]!.replace(/\/\*.*?\*\/|\/\/.*$/g, '').trim());
      if (alias) out[m[1]!] = alias;
    }
    return out;
  },
  mayHaveFacts(text, aliases) {
    return /sock|accept|connect|listen|keep_?alive|\bfd\b|getaddrinfo/i.test(text) || aliasNames(aliases).some((a) => text.includes(a));
  },
  mayHaveSites(text, aliases) {
    return /\b(socket|accept4?)\s*\(/.test(text) || aliasNames(aliases).some((a) => text.includes(a));
  },
  facts(file, text, aliases) {
    const parsed = parseC(text);
    return { facts: extractFileFacts(file, text, parsed.root, aliasMap(aliases)), diagnostics: [] };
  },
  project(facts, aliases, opts) {
    const p = new CProject(facts, opts.helpers);
    for (const [k, v] of aliasMap(aliases)) if (!p.socketAliases.has(k)) p.socketAliases.set(k, v);
    return p;
  },
  analyze(file, text, project, opts: BackendOptions) {
    const parsed = parseC(text);
    const sites = analyzeCFile(file, text, parsed.root, project, { extraHelpers: opts.helpers });
    if (opts.fixes) planFixes(text, parsed.root, sites, project, opts);
    const out: Site[] = sites.map(({ raw: _raw, effects: _e, listener: _l, fnName: _f, ...site }) => site);
    return { sites: out, diagnostics: parseDiagnostics(text, parsed) };
  },
};
