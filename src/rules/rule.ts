// One rule = one file under src/rules/, one doc under rules/<id>.md, one test under test/rules/.
import type { Lang, Severity, Site } from '../engine/types.js';

export interface RuleMeta {
  description: string;
  severity: Severity;
  fixable: boolean;
  langs: Lang[];
}

export interface RuleOptions {
  /** Report sites whose TCP-ness could not be decided (`tcp: unknown`). */
  includeUnknown: boolean;
}

export interface Rule {
  id: string;
  meta: RuleMeta;
  /** A message when the site breaks the rule; severity may be lowered for uncertain sites. */
  check(site: Site, opts: RuleOptions): { message: string; severity?: Severity } | undefined;
}

export const DOCS_BASE = 'https://github.com/ka-audit/ka-audit/blob/main/rules/';

export function docsUrl(id: string): string {
  return `${DOCS_BASE}${id}.md`;
}
