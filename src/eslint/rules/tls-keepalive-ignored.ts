// ka-audit/tls-keepalive-ignored: the engine's tls-keepalive-ignored rule inside ESLint.
import type { Rule } from 'eslint';
import { docsUrl } from '../../rules/rule.js';
import { tlsKeepaliveIgnored } from '../../rules/tls-keepalive-ignored.js';
import { OPTIONS_SCHEMA } from '../options.js';
import { MESSAGES, reportFindings } from '../report.js';

const rule: Rule.RuleModule = {
  meta: {
    type: 'problem',
    docs: { description: tlsKeepaliveIgnored.meta.description, url: docsUrl(tlsKeepaliveIgnored.id), recommended: true },
    fixable: 'code',
    hasSuggestions: true,
    messages: MESSAGES,
    schema: OPTIONS_SCHEMA,
  },
  create(context) {
    reportFindings(context, tlsKeepaliveIgnored.id);
    return {};
  },
};

export default rule;
