// The rule registry: every rule the engine runs, in report order.
import { explainSuppression } from './explain-suppression.js';
import { requireKeepalive } from './require-keepalive.js';
import type { Rule } from './rule.js';
import { tlsKeepaliveIgnored } from './tls-keepalive-ignored.js';
import { unusedSuppression } from './unused-suppression.js';

export const RULES: readonly Rule[] = [requireKeepalive, tlsKeepaliveIgnored, explainSuppression, unusedSuppression];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}

export type { Rule };
