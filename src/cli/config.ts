// The configuration file: `ka-audit.config.json`, or a "ka-audit" key in package.json, looked
// up from the working directory upward (or given with --config). Validated against a JSON
// schema: unknown keys and bad values are errors with the path that is wrong.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type { Ajv as AjvClass, ErrorObject, ValidateFunction } from 'ajv';
import type { RuleSetting } from '../engine/findings.js';
import type { KeepaliveValues } from '../engine/types.js';
import { RULES } from '../rules/index.js';

export interface KaConfig {
  include?: string[];
  exclude?: string[];
  keepalive?: Partial<KeepaliveValues>;
  rules?: Record<string, RuleSetting>;
  helpers?: { c?: string[]; ts?: string[] };
  includeUnknown?: boolean;
  maxFileSize?: number;
  gitignore?: boolean;
}

export interface LoadedConfig {
  config: KaConfig;
  /** Where it came from (for messages), or undefined when none was found. */
  source?: string;
  /** Globs are relative to the config file's directory. */
  baseDir: string;
}

export class ConfigError extends Error {}

const positiveInt = { type: 'integer', minimum: 1 };
const names = { type: 'array', items: { type: 'string', pattern: '^[A-Za-z_$][\\w$.]*$' }, uniqueItems: true };

export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    include: { type: 'array', items: { type: 'string', minLength: 1 } },
    exclude: { type: 'array', items: { type: 'string', minLength: 1 } },
    keepalive: {
      type: 'object',
      additionalProperties: false,
      properties: { idle: positiveInt, interval: positiveInt, count: positiveInt },
    },
    rules: {
      type: 'object',
      propertyNames: { enum: RULES.map((r) => r.id) },
      additionalProperties: { enum: ['error', 'warning', 'off'] },
    },
    helpers: {
      type: 'object',
      additionalProperties: false,
      properties: { c: names, ts: names },
    },
    includeUnknown: { type: 'boolean' },
    maxFileSize: positiveInt,
    gitignore: { type: 'boolean' },
  },
} as const;

let compiled: ValidateFunction | undefined;

/** The schema's validator, compiled on first use: most runs have no config file to check. */
function validator(): ValidateFunction {
  if (!compiled) {
    const { Ajv } = createRequire(import.meta.url)('ajv') as { Ajv: typeof AjvClass };
    compiled = new Ajv({ allErrors: true }).compile(CONFIG_SCHEMA);
  }
  return compiled;
}

export function validateConfig(value: unknown, source: string): KaConfig {
  const validate = validator();
  if (!validate(value)) throw new ConfigError(`${source}: invalid configuration:\n${(validate.errors ?? []).map(describeError).join('\n')}`);
  return value as KaConfig;
}

function describeError(e: ErrorObject): string {
  const at = e.instancePath || '(top level)';
  if (e.keyword === 'additionalProperties') return `  ${at}: unknown key "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  if (e.keyword === 'propertyNames') return `  ${at}: unknown rule "${(e.params as { propertyName: string }).propertyName}" (known: ${RULES.map((r) => r.id).join(', ')})`;
  if (e.keyword === 'enum') return `  ${at}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return `  ${at}: ${e.message ?? e.keyword}`;
}

/** Finds and validates the configuration; `explicit` is --config's path. */
export function loadConfig(cwd: string, explicit?: string): LoadedConfig {
  if (explicit) {
    const path = resolve(cwd, explicit);
    return { config: readConfigFile(path, explicit), source: explicit, baseDir: dirname(path) };
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const file = join(dir, 'ka-audit.config.json');
    if (existsSync(file)) return { config: readConfigFile(file, file), source: file, baseDir: dir };
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const parsed = parseJson(pkg, pkg) as Record<string, unknown>;
      if (parsed && typeof parsed === 'object' && 'ka-audit' in parsed) {
        return { config: validateConfig(parsed['ka-audit'], `${pkg} ("ka-audit" key)`), source: pkg, baseDir: dir };
      }
    }
    if (dirname(dir) === dir) return { config: {}, baseDir: resolve(cwd) };
  }
}

function readConfigFile(path: string, label: string): KaConfig {
  return validateConfig(parseJson(path, label), label);
}

function parseJson(path: string, label: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${label}: cannot read: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${label}: not valid JSON: ${(e as Error).message}`);
  }
}
