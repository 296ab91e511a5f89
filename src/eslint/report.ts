// Turning engine findings into ESLint reports: exact locations, safe fixes as autofixes, unsafe
// fixes as suggestions. Shared by every rule file; detection stays in the engine.
import type { Rule } from 'eslint';
import type { Finding, TextEdit } from '../engine/types.js';
import { engineFindings } from './analyze.js';

/** Message ids every plugin rule declares; the engine writes the text. */
export const MESSAGES = {
  finding: '{{message}}',
  findingNoFix: '{{message}} (no fix: {{reason}})',
  suggestedFix: '{{description}}',
} as const;

/** ESLint's location of a finding: lines stay 1-based, the engine's 1-based columns become 0-based. */
export function locOf(f: Finding): { start: { line: number; column: number }; end: { line: number; column: number } } {
  return { start: { line: f.line, column: f.column - 1 }, end: { line: f.endLine, column: f.endColumn - 1 } };
}

/** Engine edits (UTF-16 offsets into the BOM-less text, as SourceCode.text) as ESLint fixes. */
export function fixerFor(edits: TextEdit[]): Rule.ReportFixer {
  const unique = [...new Map(edits.map((e) => [`${e.start}:${e.end}:${e.text}`, e])).values()];
  return (fixer) => unique.map((e) => fixer.replaceTextRange([e.start, e.end], e.text));
}

/** Reports the engine's findings of one rule on the linted file. */
export function reportFindings(context: Rule.RuleContext, ruleId: string): void {
  for (const f of engineFindings(context)) {
    if (f.ruleId !== ruleId) continue;
    const base = { loc: locOf(f) };
    if (f.fix?.safe) {
      context.report({ ...base, messageId: 'finding', data: { message: f.message }, fix: fixerFor(f.fix.edits) });
    } else if (f.fix) {
      context.report({
        ...base,
        messageId: 'finding',
        data: { message: f.message },
        suggest: [{ messageId: 'suggestedFix', data: { description: f.fix.description }, fix: fixerFor(f.fix.edits) }],
      });
    } else if (f.noFixReason) {
      context.report({ ...base, messageId: 'findingNoFix', data: { message: f.message, reason: f.noFixReason } });
    } else {
      context.report({ ...base, messageId: 'finding', data: { message: f.message } });
    }
  }
}
