// unused-suppression: with --report-unused-suppressions, a suppression comment that
// suppresses nothing is reported, so stale ones do not hide future findings.
import type { Rule } from './rule.js';

export const unusedSuppression: Rule = {
  id: 'unused-suppression',
  meta: {
    description: 'Report ka-audit suppression comments that suppress nothing (with --report-unused-suppressions)',
    severity: 'warning',
    fixable: false,
    langs: [],
  },
  check: () => undefined,
};
