// Inline suppressions, the same in C and TS/JS comments:
//   // ka-audit-ignore-next-line require-keepalive -- the peer is a local daemon
//   /* ka-audit-ignore-line */
//   /* ka-audit-disable require-keepalive -- generated code */ … /* ka-audit-enable */
// A suppression must say why (after ` -- `); one that matches nothing can be reported.
import { createHash } from 'node:crypto';
import { RULES } from '../rules/index.js';
import { LineIndex } from './lines.js';
import type { Finding } from './types.js';

export type DirectiveKind = 'ignore-next-line' | 'ignore-line' | 'disable' | 'enable';

export interface Directive {
  kind: DirectiveKind;
  /** Rule ids it applies to; empty means every rule. */
  rules: string[];
  reason?: string;
  line: number;
  column: number;
  endLine: number;
  /** Set when it suppressed at least one finding. */
  used: boolean;
}

const COMMENT = /\/\/[^\n]*|\/\*[\s\S]*?\*\//g;
const DIRECTIVE = /\bka-audit-(ignore-next-line|ignore-line|disable|enable)\b([^\n]*?)(?:\*\/)?\s*$/;

export function parseDirectives(text: string): Directive[] {
  if (!text.includes('ka-audit-')) return [];
  const out: Directive[] = [];
  const lines = new LineIndex(text);
  const lineOf = (offset: number) => lines.row(offset) + 1;
  for (const m of text.matchAll(COMMENT)) {
    const body = m[0].replace(/^\/[/*]\s*/, '').replace(/\*\/$/, '').trim();
    const d = DIRECTIVE.exec(body);
    if (!d || !body.startsWith('ka-audit-')) continue;
    const [head, reason] = splitReason(d[2]!);
    const line = lineOf(m.index!);
    out.push({
      kind: d[1] as DirectiveKind,
      rules: head.split(/[\s,]+/).filter(Boolean),
      ...(reason ? { reason } : {}),
      line,
      column: lines.col(m.index!) + 1,
      endLine: lineOf(m.index! + m[0].length - 1),
      used: false,
    });
  }
  return out;
}

function splitReason(rest: string): [string, string | undefined] {
  const i = rest.indexOf('--');
  if (i < 0) return [rest.trim(), undefined];
  const reason = rest.slice(i + 2).trim();
  return [rest.slice(0, i).trim(), reason || undefined];
}

function covers(d: Directive, ruleId: string): boolean {
  return d.rules.length === 0 || d.rules.includes(ruleId);
}

/** Marks suppressed findings (they stay in the result, flagged, for SARIF and counts). */
export function applySuppressions(findings: Finding[], directives: Directive[], lineCount: number): void {
  if (directives.length === 0) return;
  // Block ranges: disable … enable (or end of file), per directive.
  const ranges: Array<{ d: Directive; from: number; to: number }> = [];
  directives.forEach((d, i) => {
    if (d.kind !== 'disable') return;
    const end = directives.slice(i + 1).find((e) => e.kind === 'enable' && (e.rules.length === 0 || d.rules.every((r) => e.rules.includes(r))));
    ranges.push({ d, from: d.line, to: end ? end.line : lineCount });
  });
  for (const f of findings) {
    const hit =
      directives.find((d) => d.kind === 'ignore-next-line' && d.endLine + 1 === f.line && covers(d, f.ruleId)) ??
      directives.find((d) => d.kind === 'ignore-line' && d.line <= f.line && d.endLine >= f.line && covers(d, f.ruleId)) ??
      ranges.find((r) => r.from <= f.line && f.line <= r.to && covers(r.d, f.ruleId))?.d;
    if (hit) {
      hit.used = true;
      f.suppressed = { reason: hit.reason ?? '' };
    }
  }
}

/** Problems with the directives themselves: no reason, unknown rules, and (on request) unused ones. */
export function directiveProblems(file: string, directives: Directive[], reportUnused: boolean): Finding[] {
  const known = new Set(RULES.map((r) => r.id));
  const out: Finding[] = [];
  const problem = (d: Directive, ruleId: string, message: string) =>
    out.push({
      file,
      line: d.line,
      column: d.column,
      endLine: d.endLine,
      endColumn: d.column,
      ruleId,
      severity: 'warning',
      message,
      site: { api: 'comment', tcp: 'unknown', role: 'other', keepalive: 'none', name: '' },
      fix: null,
      fingerprint: createHash('sha256').update(`${ruleId}\0${file}\0${d.kind}\0${d.rules.join(',')}\0${d.reason ?? ''}`).digest('hex').slice(0, 16),
    });
  for (const d of directives) {
    if (d.kind === 'enable') continue;
    const unknown = d.rules.filter((r) => !known.has(r));
    if (unknown.length) problem(d, 'explain-suppression', `ka-audit-${d.kind} names unknown rule(s) ${unknown.join(', ')} (known: ${[...known].join(', ')})`);
    if (!d.reason) problem(d, 'explain-suppression', `ka-audit-${d.kind} without a reason: say why after " -- " (for example: -- peer is a local daemon)`);
    if (reportUnused && !d.used) problem(d, 'unused-suppression', `unused ka-audit-${d.kind}${d.rules.length ? ` ${d.rules.join(', ')}` : ''}: no finding here to suppress`);
  }
  return out;
}
