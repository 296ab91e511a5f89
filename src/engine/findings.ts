// Sites → findings: run every rule on every site, attach fixes and stable fingerprints.
import { createHash } from 'node:crypto';
import { RULES } from '../rules/index.js';
import type { Finding, Severity, Site } from './types.js';

export type RuleSetting = Severity | 'off';

export interface FindingOptions {
  includeUnknown: boolean;
  severity: Record<string, RuleSetting>;
}

export function findingsForFile(file: string, text: string, sites: Site[], opts: FindingOptions): Finding[] {
  const out: Finding[] = [];
  const lines = text.split('\n');
  const seen = new Map<string, number>();
  for (const site of sites) {
    for (const rule of RULES) {
      if (!rule.meta.langs.includes(site.lang)) continue;
      const setting = opts.severity[rule.id];
      if (setting === 'off') continue;
      const verdict = rule.check(site, { includeUnknown: opts.includeUnknown });
      if (!verdict) continue;
      const severity: Severity = setting ?? verdict.severity ?? rule.meta.severity;
      const lineText = (lines[site.span.line - 1] ?? '').replace(/\s+/g, ' ').trim();
      const base = [rule.id, file, site.api, site.name, lineText].join('\0');
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      const finding: Finding = {
        file,
        line: site.span.line,
        column: site.span.column,
        endLine: site.span.endLine,
        endColumn: site.span.endColumn,
        ruleId: rule.id,
        severity,
        message: verdict.message,
        site: { api: site.api, tcp: site.tcp, role: site.role, keepalive: site.keepalive, name: site.name },
        fix: rule.meta.fixable && site.fix ? site.fix : null,
        fingerprint: createHash('sha256').update(`${base}\0${n}`).digest('hex').slice(0, 16),
      };
      if (!finding.fix && site.noFixReason) finding.noFixReason = site.noFixReason;
      out.push(finding);
    }
  }
  return out;
}
