// The rule registry: every rule the engine runs, in report order.
import { requireKeepalive } from './require-keepalive.js';
import type { Rule } from './rule.js';
import { tlsKeepaliveIgnored } from './tls-keepalive-ignored.js';

export const RULES: readonly Rule[] = [requireKeepalive, tlsKeepaliveIgnored];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}

export type { Rule };
