// jscodeshift transform: a thin adapter over the TS/JS backend. It analyses file.source with the
// same backend and rules as the CLI (with the surrounding project scanned for cross-file facts),
// and returns the source with the safe fixes applied, or undefined when nothing changes.
//   npx jscodeshift -t node_modules/ka-audit/dist/jscodeshift/transform.js --extensions=ts,tsx,js,mjs,cjs src/
// Options: --keepidle=<s> --keepintvl=<s> --keepcnt=<n> (values used by fixes), --unsafe (also apply unsafe fixes).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { planFile } from '../engine/apply.js';
import type { BackendOptions } from '../engine/backend.js';
import { discoverFiles, displayPath, langOf } from '../engine/files.js';
import { findingsForFile } from '../engine/findings.js';
import { decodeSource } from '../engine/source.js';
import { applySuppressions, parseDirectives } from '../engine/suppress.js';
import { DEFAULT_KEEPALIVE, type KeepaliveValues } from '../engine/types.js';
import { tsBackend } from '../lang/ts/index.js';
import type { TsScan } from '../lang/ts/scan.js';

export interface FileInfo {
  path: string;
  source: string;
}

export interface Api {
  report?: (msg: string) => void;
}

export type Options = Record<string, unknown>;

interface RootContext {
  scans: Map<string, TsScan>;
  texts: Map<string, string | null>;
}

/** Scans of every TS/JS file under a project root, made once per process and root. */
const roots = new Map<string, Promise<RootContext>>();

export default async function transform(file: FileInfo, api: Api, options: Options = {}): Promise<string | undefined> {
  if (langOf(file.path) !== 'ts') return undefined;
  if (file.source.includes('\uFFFD')) {
    // jscodeshift decoded the file as UTF-8 and lost bytes; writing it back would corrupt it.
    api.report?.('not valid UTF-8: skipped (run ka-audit --fix, which keeps the original bytes)');
    return undefined;
  }
  const bom = file.source.startsWith('\uFEFF') ? '\uFEFF' : '';
  const text = bom ? file.source.slice(1) : file.source;
  const abs = resolve(file.path);
  const root = projectRoot(abs);
  const ctx = await rootContext(root);
  const display = displayPath(root, abs);
  const opts: BackendOptions = { keepalive: keepaliveOf(options), helpers: helpersOf(options), fixes: true };
  const scans = new Map(ctx.scans);
  scans.set(display, tsBackend.scan(text));
  const load = (d: string): string | undefined => {
    if (d === display) return text;
    if (!ctx.texts.has(d)) {
      const decoded = readDecoded(join(root, d));
      ctx.texts.set(d, decoded ?? null);
    }
    return ctx.texts.get(d) ?? undefined;
  };
  const project = tsBackend.createProject(scans, load, opts);
  const { sites } = tsBackend.analyze(project, display, opts);
  if (sites.length === 0) return undefined;
  const findings = findingsForFile(display, text, sites, { includeUnknown: false, severity: {} });
  // Suppression comments (ka-audit-ignore-next-line …) keep their findings unfixed, as with --fix.
  applySuppressions(findings, parseDirectives(text), text.split('\n').length);
  const plan = planFile(text, findings, options['unsafe'] === true);
  return plan.text === undefined ? undefined : bom + plan.text;
}

/** The nearest directory above the file with a package.json or .git: the project it belongs to. */
function projectRoot(abs: string): string {
  for (let d = dirname(abs); ; ) {
    if (existsSync(join(d, 'package.json')) || existsSync(join(d, '.git'))) return d;
    const up = dirname(d);
    if (up === d) return dirname(abs);
    d = up;
  }
}

function rootContext(root: string): Promise<RootContext> {
  let p = roots.get(root);
  if (!p) {
    p = (async () => {
      const { files } = await discoverFiles({ cwd: root, paths: ['.'], gitignore: true, langs: new Set(['ts']) });
      const scans = new Map<string, TsScan>();
      const texts = new Map<string, string | null>();
      for (const f of files) {
        const t = readDecoded(f.path);
        if (t === undefined) continue;
        scans.set(f.display, tsBackend.scan(t));
        texts.set(f.display, t);
      }
      return { scans, texts };
    })();
    roots.set(root, p);
  }
  return p;
}

function readDecoded(path: string): string | undefined {
  try {
    const d = decodeSource(readFileSync(isAbsolute(path) ? path : resolve(path)));
    return d.ok ? d.source.text : undefined;
  } catch {
    return undefined;
  }
}

function keepaliveOf(o: Options): KeepaliveValues {
  const num = (v: unknown, d: number) => (typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v)) ? Number(v) : d);
  return {
    idle: num(o['keepidle'], DEFAULT_KEEPALIVE.idle),
    interval: num(o['keepintvl'], DEFAULT_KEEPALIVE.interval),
    count: num(o['keepcnt'], DEFAULT_KEEPALIVE.count),
  };
}

function helpersOf(o: Options): string[] {
  const h = o['helpers'];
  return typeof h === 'string' ? h.split(',').filter(Boolean) : [];
}
