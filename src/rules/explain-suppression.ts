// explain-suppression: a ka-audit suppression comment must say why (after ` -- `) and name
// only rules that exist. Checked on comments by the engine, not on sites.
import type { Rule } from './rule.js';

export const explainSuppression: Rule = {
  id: 'explain-suppression',
  meta: {
    description: 'Require a reason on every ka-audit suppression comment, and known rule names',
    severity: 'warning',
    fixable: false,
    langs: [],
  },
  check: () => undefined,
};
