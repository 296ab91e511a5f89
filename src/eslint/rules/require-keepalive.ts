// ka-audit/require-keepalive: the engine's require-keepalive rule inside ESLint.
import type { Rule } from 'eslint';
import { requireKeepalive } from '../../rules/require-keepalive.js';
import { docsUrl } from '../../rules/rule.js';
import { OPTIONS_SCHEMA } from '../options.js';
import { MESSAGES, reportFindings } from '../report.js';

const rule: Rule.RuleModule = {
  meta: {
    type: 'problem',
    docs: { description: requireKeepalive.meta.description, url: docsUrl(requireKeepalive.id), recommended: true },
    fixable: 'code',
    hasSuggestions: true,
    messages: MESSAGES,
    schema: OPTIONS_SCHEMA,
  },
  create(context) {
    reportFindings(context, requireKeepalive.id);
    return {};
  },
};

export default rule;
