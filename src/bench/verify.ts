// Compares ka-audit's JSON report on a generated corpus with the generator's manifest.
import type { Manifest } from './corpus.js';

export interface KaReport {
  version: number;
  findings: { file: string; line: number; ruleId: string; site?: { api: string; tcp: string; role: string; keepalive: string } }[];
  sites?: { file: string; line: number; api: string; tcp: string; role: string; keepalive: string }[];
  errors: { file: string; message: string; severity?: string }[];
  stats: { files: number; parsed?: number; sites?: number; findings?: number; ms?: number };
}

export interface Mismatch {
  kind: 'missing-finding' | 'unexpected-finding' | 'missing-site' | 'unexpected-site' | 'error';
  file: string;
  line: number;
  detail: string;
}

const key = (file: string, line: number, what: string) => `${file}:${line}:${what}`;

/**
 * Findings must match exactly (file, line, rule). Sites are checked when the report lists them
 * (`--list-sites`): every site the generator wrote must be found, with its api and TCP-ness.
 * `prefix` is prepended to manifest paths (ka-audit prints paths relative to its cwd).
 */
export function compareWithManifest(report: KaReport, manifest: Manifest, prefix = ''): Mismatch[] {
  const out: Mismatch[] = [];
  const expected = new Map<string, string>();
  for (const s of manifest.sites) if (s.finding) expected.set(key(prefix + s.file, s.line, s.finding), s.why);
  const actual = new Set<string>();
  for (const f of report.findings) {
    const k = key(f.file, f.line, f.ruleId);
    actual.add(k);
    if (!expected.has(k)) {
      out.push({ kind: 'unexpected-finding', file: f.file, line: f.line, detail: `${f.ruleId} ${f.site ? `${f.site.api} ${f.site.role}/${f.site.keepalive}/${f.site.tcp}` : ''}` });
    }
  }
  for (const [k, why] of expected) {
    if (!actual.has(k)) {
      const [file, line, rule] = splitKey(k);
      out.push({ kind: 'missing-finding', file, line, detail: `${rule} (${why})` });
    }
  }
  if (report.sites) {
    const got = new Map<string, (typeof report.sites)[number]>();
    for (const s of report.sites) got.set(key(s.file, s.line, s.api), s);
    const want = new Set<string>();
    for (const s of manifest.sites) {
      const k = key(prefix + s.file, s.line, s.api);
      want.add(k);
      const g = got.get(k);
      if (!g) out.push({ kind: 'missing-site', file: prefix + s.file, line: s.line, detail: `${s.api} (${s.why})` });
      else if (g.tcp !== s.tcp) out.push({ kind: 'missing-site', file: prefix + s.file, line: s.line, detail: `${s.api} tcp ${g.tcp}, expected ${s.tcp} (${s.why})` });
    }
    for (const [k, s] of got) if (!want.has(k)) out.push({ kind: 'unexpected-site', file: s.file, line: s.line, detail: `${s.api} ${s.role}/${s.keepalive}/${s.tcp}` });
  }
  for (const e of report.errors) out.push({ kind: 'error', file: e.file, line: 0, detail: e.message });
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}

function splitKey(k: string): [string, number, string] {
  const m = /^(.*):(\d+):([^:]*)$/.exec(k)!;
  return [m[1]!, Number(m[2]), m[3]!];
}
