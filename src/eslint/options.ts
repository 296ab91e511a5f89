// The plugin's options: the same knobs as the `ka-audit` config file. A rule's own options win
// over the shared `settings['ka-audit']`, which win over the defaults (60/10/5, as --fix).
import type { Rule } from 'eslint';
import { DEFAULT_KEEPALIVE, type KeepaliveValues } from '../engine/types.js';

export interface PluginOptions {
  /** Values written by fixes (seconds, seconds, probes); TS/JS fixes use `idle`. */
  keepalive?: Partial<KeepaliveValues>;
  /** Project functions that turn keepalive on for the socket passed to them. */
  helpers?: string[];
  /** Scan the project around the file for cross-file facts (default true); false analyses the file alone. */
  project?: boolean;
}

export interface ResolvedOptions {
  keepalive: KeepaliveValues;
  helpers: string[];
  project: boolean;
}

type Schema = Exclude<NonNullable<Rule.RuleMetaData['schema']>, false | unknown[]>;

const positiveInt: Schema = { type: 'integer', minimum: 1 };

export const OPTIONS_SCHEMA: Schema[] = [
  {
    type: 'object',
    properties: {
      keepalive: {
        type: 'object',
        properties: { idle: positiveInt, interval: positiveInt, count: positiveInt },
        additionalProperties: false,
      },
      helpers: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
      project: { type: 'boolean' },
    },
    additionalProperties: false,
  },
];

/** Merges rule options over `settings['ka-audit']` over the defaults. Settings are not schema-checked by ESLint, so they are read defensively. */
export function resolveOptions(ruleOptions: PluginOptions | undefined, settings: Record<string, unknown> | undefined): ResolvedOptions {
  const shared = (isObject(settings?.['ka-audit']) ? settings['ka-audit'] : {}) as Record<string, unknown>;
  const own = ruleOptions ?? {};
  const sharedKa = (isObject(shared['keepalive']) ? shared['keepalive'] : {}) as Record<string, unknown>;
  const value = (k: keyof KeepaliveValues): number => {
    const v = own.keepalive?.[k] ?? sharedKa[k];
    return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : DEFAULT_KEEPALIVE[k];
  };
  const helpers = own.helpers ?? (Array.isArray(shared['helpers']) ? shared['helpers'] : []);
  return {
    keepalive: { idle: value('idle'), interval: value('interval'), count: value('count') },
    helpers: [...new Set(helpers.filter((h): h is string => typeof h === 'string' && h.length > 0))],
    project: own.project ?? (typeof shared['project'] === 'boolean' ? shared['project'] : true),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
