// The ESLint plugin (flat config): `import kaAudit from 'ka-audit/eslint'`, then
// `export default [kaAudit.configs.recommended]` in eslint.config.js. Each rule is a thin
// adapter that runs the ka-audit engine on the linted text; see README "ESLint plugin".
import type { ESLint, Linter, Rule } from 'eslint';
import { VERSION } from '../engine/version.js';
import requireKeepalive from './rules/require-keepalive.js';
import tlsKeepaliveIgnored from './rules/tls-keepalive-ignored.js';

export type { PluginOptions } from './options.js';

export interface KaAuditPlugin extends ESLint.Plugin {
  meta: { name: string; version: string };
  rules: { 'require-keepalive': Rule.RuleModule; 'tls-keepalive-ignored': Rule.RuleModule };
  configs: { recommended: Linter.Config };
}

const plugin: KaAuditPlugin = {
  meta: { name: 'ka-audit', version: VERSION },
  rules: {
    'require-keepalive': requireKeepalive,
    'tls-keepalive-ignored': tlsKeepaliveIgnored,
  },
  configs: { recommended: {} },
};

plugin.configs.recommended = {
  name: 'ka-audit/recommended',
  plugins: { 'ka-audit': plugin },
  rules: {
    'ka-audit/require-keepalive': 'error',
    'ka-audit/tls-keepalive-ignored': 'error',
  },
};

export default plugin;
