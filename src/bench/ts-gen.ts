// Synthetic TypeScript/JavaScript: modules with imports, interfaces, classes, async functions,
// and the net/tls scenarios with their expected findings. Every name is made up here.
import { Code } from './code.js';
import { Rng } from './prng.js';
import { ADJECTIVES, COMMENTS, NEAR_MISS_COMMENTS, NOUNS, VERBS, camel, pascal } from './words.js';

export interface TsModule {
  /** Path inside the project, e.g. src/store/cache.ts. */
  path: string;
  /** Names this module exports (classes first), known before any file is written. */
  exports: string[];
}

export interface TsFileOptions {
  typed: boolean;
  /** CommonJS (require / module.exports) rather than ESM; JS files only. */
  cjs: boolean;
}

/** How a file refers to net/tls: the import style and the names it ends up using. */
export class NetRefs {
  private readonly named = new Set<string>();
  private tlsUsed = false;
  private netUsed = false;
  readonly style: 'default' | 'namespace' | 'named';

  constructor(
    rng: Rng,
    private readonly opts: TsFileOptions,
  ) {
    this.style = rng.weighted<'default' | 'namespace' | 'named'>([['default', 4], ['namespace', 2], ['named', 3]]);
    this.spec = rng.chance(0.6) ? 'node:net' : 'net';
  }
  private readonly spec: string;

  /** `net.connect` or `connect`, as the file's import style spells it. */
  net(member: 'connect' | 'createConnection' | 'createServer' | 'Socket' | 'Server'): string {
    if (this.style === 'named') {
      this.named.add(member);
      return member;
    }
    this.netUsed = true;
    return `net.${member}`;
  }

  tls(member: 'connect' | 'createServer'): string {
    this.tlsUsed = true;
    return `tls.${member}`;
  }

  importLines(): string[] {
    const out: string[] = [];
    const tlsSpec = this.spec === 'net' ? 'tls' : 'node:tls';
    if (this.opts.cjs) {
      if (this.netUsed) out.push(`const net = require('${this.spec}');`);
      if (this.named.size) out.push(`const { ${[...this.named].sort().join(', ')} } = require('${this.spec}');`);
      if (this.tlsUsed) out.push(`const tls = require('${tlsSpec}');`);
      return out;
    }
    if (this.netUsed) out.push(this.style === 'namespace' ? `import * as net from '${this.spec}';` : `import net from '${this.spec}';`);
    if (this.named.size) out.push(`import { ${[...this.named].sort().join(', ')} } from '${this.spec}';`);
    if (this.tlsUsed) out.push(this.style === 'namespace' ? `import * as tls from '${tlsSpec}';` : `import tls from '${tlsSpec}';`);
    return out;
  }
}

export interface TsNet {
  /** Import specifier of the project's socket-defaults helper from this file, when there is one. */
  helperSpec?: string;
  helperFn: string;
}

const BUILTIN_IMPORTS: { esm: string; cjs: string; names: string[] }[] = [
  { esm: "import { readFile, writeFile } from 'node:fs/promises';", cjs: "const { readFile, writeFile } = require('node:fs/promises');", names: ['readFile', 'writeFile'] },
  { esm: "import path from 'node:path';", cjs: "const path = require('node:path');", names: ['path'] },
  { esm: "import { EventEmitter } from 'node:events';", cjs: "const { EventEmitter } = require('node:events');", names: ['EventEmitter'] },
  { esm: "import { createHash } from 'node:crypto';", cjs: "const { createHash } = require('node:crypto');", names: ['createHash'] },
  { esm: "import { setTimeout as delay } from 'node:timers/promises';", cjs: "const { setTimeout: delay } = require('node:timers/promises');", names: ['delay'] },
  { esm: "import assert from 'node:assert/strict';", cjs: "const assert = require('node:assert/strict');", names: ['assert'] },
  { esm: "import { inspect } from 'node:util';", cjs: "const { inspect } = require('node:util');", names: ['inspect'] },
];

interface Scope {
  typed: boolean;
  isAsync: boolean;
  inClass: boolean;
  n: number;
  nearMiss: boolean;
  className?: string;
}

function t(sc: { typed: boolean }, ann: string): string {
  return sc.typed ? ann : '';
}

function fresh(sc: Scope, base: string): string {
  sc.n++;
  return `${base}${sc.n}`;
}

function expr(rng: Rng, sc: Scope): string {
  const opts = [
    'items.length',
    'limit * 2',
    `${rng.int(0, 1000)}`,
    `key.length + ${rng.int(1, 9)}`,
    'Math.max(limit, 1)',
    `items.filter((it) => it.${rng.pick(['active', 'dirty', 'pending'])}).length`,
    `items.reduce((acc, it) => acc + (it.size ?? 0), 0)`,
    `Number.parseInt(key, 10) || 0`,
  ];
  if (sc.inClass) opts.push('this.count', 'this.entries.size');
  return rng.pick(opts);
}

function cond(rng: Rng, sc: Scope): string {
  const opts = ['items.length === 0', 'limit > 0', `key.startsWith('${rng.pick(NOUNS)}')`, 'key === undefined', `items.some((it) => it.id === ${rng.int(1, 99)})`, `!Number.isFinite(limit)`];
  if (sc.inClass) opts.push('this.closed', `this.count > ${rng.int(1, 500)}`, 'this.entries.has(key)');
  return rng.pick(opts);
}

function simple(rng: Rng, sc: Scope): string[] {
  const k = rng.int(0, 10);
  switch (k) {
    case 0: {
      const v = fresh(sc, rng.pick(['total', 'count', 'size', 'offset']));
      return [`let ${v}${t(sc, ': number')} = ${expr(rng, sc)};`, `${v} += ${expr(rng, sc)};`];
    }
    case 1: {
      const v = fresh(sc, rng.pick(['label', 'name', 'id', 'tag']));
      return [`const ${v} = \`${rng.pick(NOUNS)}:\${key}:\${${expr(rng, sc)}}\`;`, `out.push(${v});`];
    }
    case 2: {
      const v = fresh(sc, rng.pick(['ids', 'keys', 'sizes']));
      return [`const ${v} = items.map((it) => it.id).filter((id) => id > ${rng.int(0, 50)});`, `out.push(...${v}.map(String));`];
    }
    case 3:
      return [`// ${rng.pick(sc.nearMiss && rng.chance(0.5) ? NEAR_MISS_COMMENTS : COMMENTS)}`];
    case 4:
      if (sc.inClass) return [`this.count += ${expr(rng, sc)};`];
      return [`limit = Math.min(limit, ${expr(rng, sc)});`];
    case 5:
      if (sc.inClass) return [`this.entries.set(key, { id: ${expr(rng, sc)}, size: limit, active: true, dirty: false, pending: false });`];
      return [`out.push(String(${expr(rng, sc)}));`];
    case 6:
      return [`console.debug(\`${rng.pick(VERBS)} ${rng.pick(NOUNS)} \${key}\`);`];
    case 7: {
      const v = fresh(sc, 'entry');
      return [`const ${v} = { key, limit, at: Date.now(), tags: [${rng.pick(NOUNS) ? `'${rng.pick(NOUNS)}', '${rng.pick(ADJECTIVES)}'` : ''}] };`, `out.push(JSON.stringify(${v}));`];
    }
    case 8:
      if (sc.isAsync) return [`await delay(${rng.int(1, 50)});`];
      return [`out.sort();`];
    case 9:
      return [`const ${fresh(sc, 'first')} = items[0]?.${rng.pick(['id', 'size'])} ?? ${rng.int(0, 9)};`];
    default:
      return [`assert.ok(limit >= 0, '${rng.pick(NOUNS)} limit must not be negative');`];
  }
}

function indent(lines: string[]): string[] {
  return lines.map((l) => (l === '' ? l : '  ' + l));
}

function stmts(rng: Rng, sc: Scope, depth: number, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(...stmt(rng, sc, depth));
  return out;
}

function stmt(rng: Rng, sc: Scope, depth: number): string[] {
  const k = depth < 3 ? rng.weighted<number>([[0, 1], [1, 1], [2, 1], [3, 0.7], [4, 1], [5, depth < 2 ? 0.5 : 0], [9, 5]]) : 9;
  switch (k) {
    case 0:
    case 1: {
      const out = [`if (${cond(rng, sc)}) {`, ...indent(stmts(rng, sc, depth + 1, rng.int(1, 3)))];
      if (rng.chance(0.3)) out.push('} else {', ...indent(stmts(rng, sc, depth + 1, rng.int(1, 2))));
      out.push('}');
      return out;
    }
    case 2: {
      const v = fresh(sc, 'item');
      return [`for (const ${v} of items) {`, `  if (!${v}.active) continue;`, ...indent(stmts(rng, sc, depth + 1, rng.int(1, 3))), '}'];
    }
    case 3: {
      const v = fresh(sc, 'i');
      return [`for (let ${v} = 0; ${v} < items.length; ${v}++) {`, ...indent(stmts(rng, sc, depth + 1, rng.int(1, 2))), '}'];
    }
    case 4: {
      if (!sc.isAsync) return simple(rng, sc);
      const v = fresh(sc, 'text');
      return [
        'try {',
        `  const ${v} = await readFile(path.join('${rng.pick(NOUNS)}', key), 'utf8');`,
        `  out.push(${v}.trim());`,
        ...indent(stmts(rng, sc, depth + 1, rng.int(0, 2))),
        `} catch (err${t(sc, ': unknown')}) {`,
        `  console.warn(\`${rng.pick(VERBS)} failed: \${String(err)}\`);`,
        '}',
      ];
    }
    case 5: {
      const out = [`switch (key) {`];
      const n = rng.int(2, 4);
      for (let i = 0; i < n; i++) out.push(`  case '${rng.pick(NOUNS)}${i}':`, ...indent(indent(stmts(rng, sc, depth + 1, 1))), '    break;');
      out.push('  default:', ...indent(indent(simple(rng, sc))), '}');
      return out;
    }
    default:
      return simple(rng, sc);
  }
}

function fnBody(rng: Rng, sc: Scope, ret: 'out' | 'count' | 'void'): string[] {
  const out = [`const out${t(sc, ': string[]')} = [];`];
  out.push(...stmts(rng, sc, 1, rng.int(2, 7)));
  if (ret === 'out') out.push('return out;');
  else if (ret === 'count') out.push('return out.length;');
  else out.push('void out;');
  return out;
}

function params(sc: { typed: boolean }, itemType: string): string {
  return sc.typed ? `items: ${itemType}[], key: string, limit = ${10 * (1 + (itemType.length % 7))}` : `items, key, limit = ${10 * (1 + (itemType.length % 7))}`;
}

function jsdoc(rng: Rng): string[] {
  if (rng.chance(0.5)) return [`/** ${rng.pick(COMMENTS)} */`];
  return ['/**', ` * ${rng.pick(COMMENTS)}`, ' *', ` * ${rng.pick(COMMENTS)}`, ' */'];
}

function genClass(rng: Rng, name: string, itemType: string, o: TsFileOptions, nearMiss: boolean, exported: boolean, cjsExports: string[]): string[] {
  const sc0 = { typed: o.typed };
  const out = [...jsdoc(rng)];
  const ext = rng.chance(0.4);
  out.push(`${exported && !o.cjs ? 'export ' : ''}class ${name}${ext ? ' extends EventEmitter' : ''} {`);
  if (o.typed) out.push(`  private readonly entries = new Map<string, ${itemType}>();`, '  private count = 0;', '  private closed = false;');
  else out.push('  entries = new Map();', '  count = 0;', '  closed = false;');
  out.push('');
  if (o.typed) out.push(`  constructor(private readonly options: ${name}Options = {}) {`);
  else out.push('  constructor(options = {}) {');
  if (ext) out.push('    super();');
  if (!o.typed) out.push('    this.options = options;');
  out.push('  }', '');
  const methods = rng.int(1, 4);
  for (let m = 0; m < methods; m++) {
    const isAsync = rng.chance(0.4);
    const mname = camel(rng.pick(VERBS), rng.pick(NOUNS)) + (m > 0 ? String(m) : '');
    const sc: Scope = { typed: o.typed, isAsync, inClass: true, n: 0, nearMiss, className: name };
    const retT = isAsync ? t(sc0, ': Promise<string[]>') : t(sc0, ': string[]');
    out.push(`  ${isAsync ? 'async ' : ''}${mname}(${params(sc0, itemType)})${retT} {`);
    out.push(...indent(indent(fnBody(rng, sc, 'out'))));
    out.push('  }', '');
  }
  out.push(`  get size()${t(sc0, ': number')} {`, '    return this.entries.size;', '  }', '');
  out.push(`  close()${t(sc0, ': void')} {`, '    this.closed = true;', '    this.entries.clear();', '  }', '}', '');
  if (exported && o.cjs) cjsExports.push(name);
  return out;
}

function genFunction(rng: Rng, name: string, itemType: string, o: TsFileOptions, nearMiss: boolean, exported: boolean, cjsExports: string[]): string[] {
  const isAsync = rng.chance(0.5);
  const sc: Scope = { typed: o.typed, isAsync, inClass: false, n: 0, nearMiss };
  const retT = isAsync ? t(sc, ': Promise<number>') : t(sc, ': number');
  const out = [...jsdoc(rng), `${exported && !o.cjs ? 'export ' : ''}${isAsync ? 'async ' : ''}function ${name}(${params(sc, itemType)})${retT} {`];
  out.push(...indent(fnBody(rng, sc, 'count')), '}', '');
  if (exported && o.cjs) cjsExports.push(name);
  return out;
}

/** The exports a module will have: its classes and functions, decided before writing any file. */
export function planExports(rng: Rng, base: string): string[] {
  const noun = base.replace(/[^a-z]/g, '') || rng.pick(NOUNS);
  const out = [pascal(noun, rng.pick(['Store', 'Manager', 'Registry', 'Cache', 'Queue', 'Service', 'Index']))];
  const k = rng.int(1, 4);
  for (let i = 0; i < k; i++) out.push(camel(rng.pick(VERBS), pascal(noun)) + (i ? String(i) : ''));
  return out;
}

export function relSpec(from: string, to: string, o: TsFileOptions, ext: boolean): string {
  const a = from.split('/').slice(0, -1);
  const b = to.split('/');
  let i = 0;
  while (i < a.length && i < b.length - 1 && a[i] === b[i]) i++;
  const up = a.length - i;
  const rest = b.slice(i).join('/');
  let spec = (up === 0 ? './' : '../'.repeat(up)) + rest;
  spec = spec.replace(/\.(ts|js)$/, ext || o.cjs ? '.js' : '');
  return spec;
}

export interface TsFileParts {
  /** Socket scenario code, placed among the filler. */
  scenarios: Code[];
  /** Extra import lines the scenarios need (beyond net/tls). */
  extraImports: string[];
  refs?: NetRefs;
}

/** A whole TS/JS module of about `target` bytes. */
export function genTsFile(rng: Rng, mod: TsModule, others: TsModule[], o: TsFileOptions, target: number, nearMiss: boolean, parts: TsFileParts): Code {
  const c = new Code();
  if (rng.chance(0.4)) c.add('/*', ` * ${mod.path}`, ` * ${rng.pick(COMMENTS)}`, ' */');
  if (o.cjs) c.add("'use strict';", '');
  const builtins = rng.shuffle([...BUILTIN_IMPORTS]).slice(0, rng.int(1, 4));
  // path, delay, readFile, assert and EventEmitter are used by the generated bodies.
  for (const b of BUILTIN_IMPORTS) if (['path', 'delay', 'readFile', 'assert', 'EventEmitter'].some((n) => b.names.includes(n)) && !builtins.includes(b)) builtins.push(b);
  for (const b of builtins) c.add(o.cjs ? b.cjs : b.esm);
  if (nearMiss && rng.chance(0.5)) c.add(o.cjs ? "const { isIP } = require('node:net');" : "import { isIP } from 'node:net';");
  const ext = rng.chance(0.7);
  const imported = rng.shuffle(others.filter((m) => m.path !== mod.path)).slice(0, rng.int(0, 4));
  for (const m of imported) {
    const names = m.exports.slice(0, rng.int(1, Math.min(2, m.exports.length)));
    const spec = relSpec(mod.path, m.path, o, ext);
    c.add(o.cjs ? `const { ${names.join(', ')} } = require('${spec}');` : `import { ${names.join(', ')} } from '${spec}';`);
  }
  const importAt = c.lines.length;
  c.add('');
  const itemType = pascal(mod.exports[0]!.replace(/[A-Z][a-z]+$/, '') || 'Entry', 'Item');
  if (o.typed) {
    c.add(`export interface ${itemType} {`, '  id: number;', '  size?: number;', '  active: boolean;', '  dirty: boolean;', '  pending: boolean;', '}', '');
    c.add(`export interface ${mod.exports[0]}Options {`);
    for (const a of rng.shuffle([...ADJECTIVES]).slice(0, rng.int(1, 4))) c.add(`  ${camel(a, rng.pick(NOUNS))}?: ${rng.pick(['number', 'string', 'boolean'])};`);
    c.add('}', '');
    if (rng.chance(0.4)) c.add(`export type ${pascal(rng.pick(NOUNS))}Kind = ${rng.shuffle([...NOUNS]).slice(0, 3).map((n) => `'${n}'`).join(' | ')};`, '');
  }
  c.add(`const ${rng.pick(ADJECTIVES).toUpperCase()}_${rng.pick(NOUNS).toUpperCase()} = ${rng.int(1, 10000)};`, '');
  const cjsExports: string[] = [];
  const scen = [...parts.scenarios];
  const place = new Set<number>();
  const pieces = Math.max(1, Math.ceil(target / 1500));
  for (const _ of scen) place.add(rng.int(0, pieces));
  let i = 0;
  let exportIdx = 0;
  while (c.size < target || scen.length > 0) {
    if (scen.length > 0 && (place.has(i) || c.size >= target)) {
      c.append(scen.shift()!);
      c.add('');
    }
    if (c.size < target) {
      const name = exportIdx < mod.exports.length ? mod.exports[exportIdx++]! : camel(rng.pick(VERBS), rng.pick(NOUNS), rng.pick(ADJECTIVES)) + String(i);
      const exported = exportIdx <= mod.exports.length;
      if (/^[A-Z]/.test(name) && target - c.size > 1500) c.add(...genClass(rng, name, itemType, o, nearMiss, exported, cjsExports));
      else if ((rng.chance(0.2) || target - c.size < 600) && !o.cjs) {
        const sc = { typed: o.typed };
        c.add(`${exported ? 'export ' : ''}const ${name} = (${params(sc, itemType)})${t(sc, ': number')} =>`, `  items.filter((it) => it.id % Math.max(limit, 1) === key.length).length;`, '');
      } else c.add(...genFunction(rng, name, itemType, o, nearMiss, exported, cjsExports));
    }
    i++;
    if (i > 10000) break;
  }
  if (o.cjs) c.add(`Object.assign(module.exports, { ${cjsExports.join(', ')} });`);
  else if (rng.chance(0.2) && /^[A-Z]/.test(mod.exports[0]!)) c.add(`export default ${mod.exports[0]};`);
  // net/tls and helper imports go with the other imports (the scenario fixes their spelling).
  const extra = [...(parts.refs?.importLines() ?? []), ...parts.extraImports];
  if (extra.length) {
    c.lines.splice(importAt, 0, ...extra);
    for (const m of c.marks) if (m.line > importAt) m.line += extra.length;
  }
  return c;
}

// ---------------------------------------------------------------------------------------
// Socket scenarios.

type TsKa = 'none' | 'direct' | 'option' | 'wrapper' | 'conditional' | 'off' | 'loopback';

function host(sc: { typed: boolean }): string {
  return sc.typed ? 'host: string, port: number' : 'host, port';
}

/** A client helper: net.connect / createConnection, keepalive variant, returned to the caller. */
export function tsClient(rng: Rng, refs: NetRefs, o: TsFileOptions, net: TsNet, used: Set<string>): Code {
  const kas: [TsKa, number][] = [['none', 5], ['direct', 3], ['option', 2], ['conditional', 1], ['off', 1], ['loopback', 1]];
  if (net.helperSpec) kas.push(['wrapper', 2]);
  const ka = rng.weighted(kas);
  const name = uniq(used, camel(rng.pick(['open', 'dial', 'connect']), pascal(rng.pick(['upstream', 'backend', 'broker', 'relay', 'origin', 'feed', 'replica']))));
  const v = rng.pick(['conn', 'socket', 'sock', 'client', 'link']);
  const fn = rng.pick(['connect', 'createConnection'] as const);
  const positional = ka !== 'option' && rng.chance(0.3);
  const c = new Code();
  const sc = { typed: o.typed };
  const extraParam = ka === 'conditional' ? (o.typed ? ', opts: { keepAlive?: boolean } = {}' : ', opts = {}') : '';
  const sig = ka === 'loopback' ? (o.typed ? 'port: number' : 'port') : host(sc);
  c.add(...jsdoc(rng));
  c.add(`${o.cjs ? '' : 'export '}function ${name}(${sig}${extraParam}) {`);
  const hostExpr = ka === 'loopback' ? "'127.0.0.1'" : 'host';
  const args = positional ? `port, ${hostExpr}` : ka === 'option' ? `{ host: ${hostExpr}, port, keepAlive: true, keepAliveInitialDelay: ${rng.pick(['30_000', '60000', '15000'])} }` : ka === 'loopback' ? `{ host: ${hostExpr}, port }` : '{ host, port }';
  const reported = ka === 'none' || ka === 'off';
  c.site(`  const ${v} = ${refs.net(fn)}(${args});`, { api: `net.${fn}`, tcp: 'yes', finding: reported ? 'require-keepalive' : null, why: `TS client ${ka}` });
  switch (ka) {
    case 'direct':
      c.add(`  ${v}.setKeepAlive(true, ${rng.pick(['30_000', '60000', '10 * 1000'])});`);
      break;
    case 'wrapper':
      c.add(`  ${net.helperFn}(${v});`);
      break;
    case 'conditional':
      c.add(`  if (opts.keepAlive) ${v}.setKeepAlive(true, 60000);`);
      break;
    case 'off':
      c.add(`  ${v}.setKeepAlive(false);`);
      break;
  }
  c.add(`  ${v}.setNoDelay(true);`, `  ${v}.on('error', (err) => {`, `    console.error(\`${name}: \${err.message}\`);`, '  });', `  return ${v};`, '}');
  if (o.cjs) c.add(`module.exports.${name} = ${name};`);
  return c;
}

/** tls.connect client: nothing, setKeepAlive, or the keepAlive option tls.connect ignores. */
export function tsTlsClient(rng: Rng, refs: NetRefs, o: TsFileOptions, used: Set<string>): Code {
  const ka = rng.weighted<'none' | 'direct' | 'ignored'>([['none', 3], ['direct', 3], ['ignored', 1]]);
  const name = uniq(used, camel('secure', pascal(rng.pick(['upstream', 'feed', 'channel', 'registry', 'vault']))));
  const sc = { typed: o.typed };
  const c = new Code();
  c.add(...jsdoc(rng));
  c.add(`${o.cjs ? '' : 'export '}function ${name}(${host(sc)}${o.typed ? ', ca?: string' : ', ca'}) {`);
  const finding = ka === 'none' ? 'require-keepalive' : ka === 'ignored' ? 'tls-keepalive-ignored' : null;
  c.site(`  const secure = ${refs.tls('connect')}({`, { api: 'tls.connect', tcp: 'yes', finding, why: `TS tls client ${ka}` });
  c.add('    host,', '    port,', '    servername: host,', '    ca,');
  if (ka === 'ignored') c.add('    keepAlive: true,');
  c.add('  });');
  if (ka === 'direct') c.add('  secure.setKeepAlive(true, 60_000);');
  c.add(`  secure.on('secureConnect', () => secure.write('HELLO\\r\\n'));`, '  return secure;', '}');
  if (o.cjs) c.add(`module.exports.${name} = ${name};`);
  return c;
}

/** net.createServer / tls.createServer: keepalive in the options, in the listener, or not at all. */
export function tsServer(rng: Rng, refs: NetRefs, o: TsFileOptions, used: Set<string>): Code {
  const isTls = rng.chance(0.25);
  const ka = rng.weighted<'none' | 'listener' | 'option' | 'loopback'>(isTls ? [['none', 2], ['listener', 2]] : [['none', 3], ['listener', 2], ['option', 2], ['loopback', 1]]);
  const name = uniq(used, camel('start', pascal(rng.pick(['server', 'gateway', 'listener', 'frontend', 'proxy']))));
  const c = new Code();
  const portT = o.typed ? ': number' : '';
  c.add(...jsdoc(rng));
  if (isTls) c.add(`${o.cjs ? '' : 'export '}function ${name}(port${portT}, key${o.typed ? ': string' : ''}, cert${o.typed ? ': string' : ''}) {`);
  else c.add(`${o.cjs ? '' : 'export '}function ${name}(port${portT}) {`);
  const finding = ka === 'none' ? 'require-keepalive' : null;
  const api = isTls ? 'tls.createServer' : 'net.createServer';
  const callee = isTls ? refs.tls('createServer') : refs.net('createServer');
  const optsArg = isTls ? '{ key, cert }, ' : ka === 'option' ? '{ keepAlive: true, keepAliveInitialDelay: 30_000 }, ' : '';
  c.site(`  const server = ${callee}(${optsArg}(conn) => {`, { api, tcp: 'yes', finding, why: `TS ${isTls ? 'tls ' : ''}server ${ka}` });
  if (ka === 'listener') c.add('    conn.setKeepAlive(true, 30_000);');
  c.add(`    conn.on('data', (chunk) => conn.write(chunk));`, `    conn.on('error', () => conn.destroy());`, '  });');
  c.add(`  server.on('error', (err) => console.error(\`${name}: \${err.message}\`));`);
  c.add(ka === 'loopback' ? "  server.listen(port, '127.0.0.1');" : '  server.listen(port);', '  return server;', '}');
  if (o.cjs) c.add(`module.exports.${name} = ${name};`);
  return c;
}

/** IPC over a unix socket path: a site that is not TCP. */
export function tsIpc(rng: Rng, refs: NetRefs, o: TsFileOptions, used: Set<string>): Code {
  const name = uniq(used, camel('attach', pascal(rng.pick(['agent', 'daemon', 'supervisor']))));
  const c = new Code();
  c.add(`${o.cjs ? '' : 'export '}function ${name}(socketPath${o.typed ? ': string' : ''}) {`);
  c.site(`  const ipc = ${refs.net('createConnection')}({ path: socketPath });`, { api: 'net.createConnection', tcp: 'no', finding: null, why: 'TS IPC client' });
  c.add(`  ipc.setEncoding('utf8');`, '  return ipc;', '}');
  if (o.cjs) c.add(`module.exports.${name} = ${name};`);
  return c;
}

/** A class that makes its socket in the constructor and connects (and configures) it in a method. */
export function tsSocketClass(rng: Rng, refs: NetRefs, o: TsFileOptions, used: Set<string>): Code {
  const ka = rng.chance(0.5);
  const name = uniq(used, pascal(rng.pick(['upstream', 'replica', 'broker', 'peer']), 'Link'));
  const c = new Code();
  c.add(...jsdoc(rng));
  c.add(`${o.cjs ? '' : 'export '}class ${name} {`);
  if (o.typed) {
    c.add('  private readonly sock;', '', '  constructor(private readonly host: string, private readonly port: number) {');
  } else {
    c.add('  constructor(host, port) {', '    this.host = host;', '    this.port = port;');
  }
  c.site(`    this.sock = new ${refs.net('Socket')}();`, { api: 'new net.Socket', tcp: 'yes', finding: ka ? null : 'require-keepalive', why: `TS socket class ${ka ? 'configured in start()' : 'never configured'}` });
  c.add('  }', '');
  c.add(`  start()${o.typed ? ': void' : ''} {`, '    this.sock.connect(this.port, this.host, () => {');
  if (ka) c.add('      this.sock.setKeepAlive(true, 15_000);');
  c.add(`      this.sock.write('HELLO\\r\\n');`, '    });', '  }', '', `  stop()${o.typed ? ': void' : ''} {`, '    this.sock.destroy();', '  }', '}');
  if (o.cjs) c.add(`module.exports.${name} = ${name};`);
  return c;
}

/** The project's socket-defaults helper module (no site). */
export function tsHelperModule(o: TsFileOptions, helperFn: string): Code {
  const c = new Code();
  c.add('// Shared socket settings for every outbound connection.');
  if (o.typed) {
    c.add("import type { Socket } from 'node:net';", '', `export function ${helperFn}(s: Socket, idleMs = 60_000): Socket {`);
  } else if (o.cjs) {
    c.add("'use strict';", '', `function ${helperFn}(s, idleMs = 60000) {`);
  } else {
    c.add(`export function ${helperFn}(s, idleMs = 60000) {`);
  }
  c.add('  s.setNoDelay(true);', '  return s.setKeepAlive(true, idleMs);', '}');
  if (o.cjs) c.add('', `module.exports = { ${helperFn} };`);
  return c;
}

function uniq(used: Set<string>, name: string): string {
  let n = name;
  let k = 2;
  while (used.has(n)) n = `${name}${k++}`;
  used.add(n);
  return n;
}
