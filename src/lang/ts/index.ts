// The TypeScript/JavaScript backend: parse-only analysis of net/tls sockets with the TypeScript
// parser, cross-file facts through the project's import graph, and text-edit fixes.
import type { Backend, BackendOptions } from '../../engine/backend.js';
import type { Site } from '../../engine/types.js';
import { analyzeFile } from './analyze.js';
import { planFixes } from './fix.js';
import { TsProject } from './project.js';
import { scanTs, type TsScan } from './scan.js';
import { newContext } from './track.js';

export const tsBackend: Backend<TsScan, TsProject> = {
  lang: 'ts',
  async init() {
    /* the TypeScript parser needs no loading */
  },
  scan: scanTs,
  createProject(scans, load, opts) {
    return new TsProject(scans, load, opts.helpers);
  },
  siteFiles(_project, scans, all) {
    return [...scans].filter(([, s]) => all || s.sites).map(([file]) => file);
  },
  analyze(project, file, opts: BackendOptions) {
    const f = project.file(file);
    if (!f) return { sites: [], diagnostics: [] };
    const ctx = newContext(project, opts.helpers);
    const sites = analyzeFile(f, ctx);
    if (opts.fixes) planFixes(f, sites, opts);
    const out: Site[] = sites.map(({ raw: _raw, calls: _calls, ...site }) => site);
    return { sites: out, diagnostics: sites.length ? f.diagnostics() : [] };
  },
  parsedCount(project) {
    return project.parsedFiles.size;
  },
};
