// Shared by the table-driven fixture tests: load a case, audit it, normalise the results.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { audit, type AuditOptions } from '../../src/engine/audit.js';

export interface ExpectedFinding {
  file: string;
  line: number;
  ruleId: string;
}

export interface ExpectedSite {
  file: string;
  line: number;
  api: string;
  tcp: string;
  role: string;
  keepalive: string;
  loopback?: boolean;
}

export interface FixtureCase {
  name: string;
  dir: string;
  description: string;
  options: Partial<AuditOptions>;
  findings: ExpectedFinding[];
  sites: ExpectedSite[];
  /** How fixed output is checked: compile flags for C, or false when the case is not compiled. */
  compile?: { std?: string; flags?: string[] } | false;
}

export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');

/** Expected fixed outputs sit beside their inputs as `<name>.fixed.<ext>`; never audited as inputs. */
export const FIXED_GLOB = '**/*.fixed.*';

export function loadCases(lang: 'c' | 'ts'): FixtureCase[] {
  const root = join(FIXTURES, lang);
  return readdirSync(root)
    .filter((n) => statSync(join(root, n)).isDirectory())
    .sort()
    .map((name) => {
      const dir = join(root, name);
      const spec = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Omit<FixtureCase, 'name' | 'dir'>;
      return { name, dir, ...spec, options: spec.options ?? {} };
    });
}

export function inputFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const n of readdirSync(d).sort()) {
      const full = join(d, n);
      const r = rel ? `${rel}/${n}` : n;
      if (statSync(full).isDirectory()) walk(full, r);
      else if (/\.(c|h|ts|tsx|mts|cts|js|jsx|mjs|cjs)$/.test(n) && !/\.fixed\./.test(n)) out.push(r);
    }
  };
  walk(dir, '');
  return out;
}

export function fixedPathOf(file: string): string {
  return file.replace(/(\.[^./]+)$/, '.fixed$1');
}

export function hasFixed(dir: string, file: string): boolean {
  return existsSync(join(dir, fixedPathOf(file)));
}

export async function auditCase(c: FixtureCase, extra: Partial<AuditOptions> = {}) {
  return audit({ cwd: c.dir, paths: ['.'], exclude: [FIXED_GLOB], ...c.options, ...extra });
}

export function actualFindings(r: Awaited<ReturnType<typeof audit>>): ExpectedFinding[] {
  return r.findings.map((f) => ({ file: f.file, line: f.line, ruleId: f.ruleId })).sort(byFileLine);
}

export function actualSites(r: Awaited<ReturnType<typeof audit>>): ExpectedSite[] {
  return r.sites
    .map((s) => ({ file: s.file, line: s.span.line, api: s.api, tcp: s.tcp, role: s.role, keepalive: s.keepalive, loopback: s.loopback }))
    .sort(byFileLine);
}

export function byFileLine(a: { file: string; line: number }, b: { file: string; line: number }): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line;
}
