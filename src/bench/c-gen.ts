// Synthetic C: headers and sources that look like server/library code (structs, macros,
// loops, switches, #ifdef blocks, goto-cleanup), and the socket scenarios with their
// expected findings. Every name is made up here; nothing is copied from a real project.
import { Code } from './code.js';
import { Rng } from './prng.js';
import { ADJECTIVES, COMMENTS, NEAR_MISS_COMMENTS, NOUNS, VERBS } from './words.js';

export interface CField {
  name: string;
  type: string;
  kind: 'int' | 'size' | 'str' | 'ptr' | 'flags' | 'self' | 'arr';
}

export interface CStruct {
  name: string; // struct tag, e.g. zk_table
  fields: CField[];
}

export interface CFunc {
  name: string;
  /** Parameter list text. */
  params: string;
  /** Argument kinds, to build calls. */
  args: ('struct' | 'int' | 'size' | 'str' | 'buf')[];
  ret: 'int' | 'void' | 'size_t' | 'ptr';
  structName?: string;
}

export interface CStyle {
  indent: string;
  /** `int\nname(...)` (BSD) rather than `int name(...)`. */
  retOwnLine: boolean;
  /** Function opening brace on its own line. */
  fnBraceOwnLine: boolean;
  /** Error checks written `== -1` rather than `< 0`. */
  minusOne: boolean;
}

/** What one C project knows about itself while its files are written. */
export class CProject {
  readonly structs: CStruct[] = [];
  readonly funcs: CFunc[] = [];
  readonly headers: string[] = [];
  readonly usedNames = new Set<string>();
  readonly macros: string[] = [];
  readonly logMacro: string;
  readonly upper: string;

  constructor(
    readonly prefix: string,
    readonly style: CStyle,
    rng: Rng,
  ) {
    this.upper = prefix.toUpperCase();
    this.logMacro = `${this.upper}_LOG`;
    const nouns = rng.shuffle([...new Set(NOUNS)]).slice(0, rng.int(6, 12));
    for (const noun of nouns) this.structs.push(makeStruct(rng, `${prefix}_${noun}`));
    for (const s of this.structs) this.macros.push(`${this.upper}_MAX_${s.name.slice(prefix.length + 1).toUpperCase()}`);
  }

  /** A fresh function name `prefix_noun_verb` (never reused within the project). */
  freshName(rng: Rng, noun?: string): string {
    for (let i = 0; i < 50; i++) {
      const n = `${this.prefix}_${noun ?? rng.pick(NOUNS)}_${rng.pick(VERBS)}`;
      if (!this.usedNames.has(n)) {
        this.usedNames.add(n);
        return n;
      }
    }
    let k = 2;
    while (this.usedNames.has(`${this.prefix}_${noun ?? 'misc'}_op${k}`)) k++;
    const n = `${this.prefix}_${noun ?? 'misc'}_op${k}`;
    this.usedNames.add(n);
    return n;
  }

  reserve(name: string): string {
    this.usedNames.add(name);
    return name;
  }
}

const FIELD_POOL: CField[] = [
  { name: 'count', type: 'int', kind: 'int' },
  { name: 'len', type: 'size_t', kind: 'size' },
  { name: 'cap', type: 'size_t', kind: 'size' },
  { name: 'name', type: 'char *', kind: 'str' },
  { name: 'label', type: 'const char *', kind: 'str' },
  { name: 'flags', type: 'unsigned int', kind: 'flags' },
  { name: 'data', type: 'void *', kind: 'ptr' },
  { name: 'id', type: 'long', kind: 'int' },
  { name: 'state', type: 'int', kind: 'int' },
  { name: 'refs', type: 'int', kind: 'int' },
  { name: 'used', type: 'size_t', kind: 'size' },
  { name: 'hash', type: 'unsigned long', kind: 'int' },
  { name: 'deadline', type: 'long long', kind: 'int' },
  { name: 'tag', type: 'char', kind: 'arr' },
];

function makeStruct(rng: Rng, name: string): CStruct {
  const fields = rng.shuffle([...FIELD_POOL]).slice(0, rng.int(3, 8));
  fields.push({ name: 'next', type: `struct ${name} *`, kind: 'self' });
  return { name, fields };
}

function fieldOf(rng: Rng, s: CStruct, kinds: CField['kind'][]): CField | undefined {
  const c = s.fields.filter((f) => kinds.includes(f.kind));
  return c.length ? rng.pick(c) : undefined;
}

function cComment(rng: Rng, nearMiss: boolean): string {
  return `/* ${nearMiss && rng.chance(0.5) ? rng.pick(NEAR_MISS_COMMENTS) : rng.pick(COMMENTS)} */`;
}

function sig(p: CProject, ret: string, name: string, params: string, isStatic: boolean): string[] {
  const head = `${isStatic ? 'static ' : ''}${ret}`;
  const lines: string[] = [];
  if (p.style.retOwnLine) lines.push(head, `${name}(${params})`);
  else lines.push(`${head}${head.endsWith('*') ? '' : ' '}${name}(${params})`);
  if (p.style.fnBraceOwnLine) lines.push('{');
  else lines[lines.length - 1] += ' {';
  return lines;
}

function retText(f: CFunc): string {
  return f.ret === 'ptr' ? `struct ${f.structName} *` : f.ret;
}

/** Declares a new function signature in the project (body generated later). */
export function declareFunc(p: CProject, rng: Rng): CFunc {
  const s = rng.pick(p.structs);
  const noun = s.name.slice(p.prefix.length + 1);
  const name = p.freshName(rng, noun);
  const shape = rng.int(0, 4);
  const ret = rng.weighted<CFunc['ret']>([['int', 5], ['void', 2], ['size_t', 1], ['ptr', 1]]);
  let f: CFunc;
  switch (shape) {
    case 0:
      f = { name, params: `struct ${s.name} *p`, args: ['struct'], ret, structName: s.name };
      break;
    case 1:
      f = { name, params: `struct ${s.name} *p, size_t n`, args: ['struct', 'size'], ret, structName: s.name };
      break;
    case 2:
      f = { name, params: `struct ${s.name} *p, const char *key, int flags`, args: ['struct', 'str', 'int'], ret, structName: s.name };
      break;
    case 3:
      f = { name, params: `const char *buf, size_t len`, args: ['buf', 'size'], ret, structName: s.name };
      break;
    default:
      f = { name, params: `struct ${s.name} *p, char *out, size_t outlen`, args: ['struct', 'buf', 'size'], ret, structName: s.name };
  }
  return f;
}

interface FnScope {
  s: CStruct;
  hasP: boolean;
  hasKey: boolean;
  hasBuf: boolean; // a char buffer named buf (local) or out (param)
  bufName: string;
  hasLen: boolean;
  lenName: string;
  label: boolean;
  nearMiss: boolean;
}

function intExpr(rng: Rng, p: CProject, sc: FnScope): string {
  const opts: string[] = ['i', 'rc', '(int)n', 'i + 1', '(i * 31) ^ rc', `${rng.pick(p.macros)}`, String(rng.int(0, 4096))];
  if (sc.hasP) {
    const f = fieldOf(rng, sc.s, ['int']);
    if (f) opts.push(`(int)p->${f.name}`);
  }
  if (sc.hasBuf) opts.push(`(int)strlen(${sc.bufName})`);
  return rng.pick(opts);
}

function condExpr(rng: Rng, p: CProject, sc: FnScope): string {
  const opts: string[] = ['rc < 0', 'rc == 0', 'i < (int)n', `n > ${rng.pick(p.macros)}`, '(i & 1) == 0', 'n == 0'];
  if (sc.hasP) {
    opts.push('p == NULL', 'p->next != NULL');
    const f = fieldOf(rng, sc.s, ['flags']);
    if (f) opts.push(`(p->${f.name} & ${p.upper}_F_${rng.pick(ADJECTIVES).toUpperCase()}) != 0`);
    const g = fieldOf(rng, sc.s, ['int', 'size']);
    if (g) opts.push(`p->${g.name} > ${rng.int(1, 64)}`);
  }
  if (sc.hasBuf) opts.push(`${sc.bufName}[0] == '\\0'`);
  if (sc.hasKey) opts.push('key != NULL && *key != \'\\0\'', `strcmp(key, "${rng.pick(NOUNS)}") == 0`);
  return rng.pick(opts);
}

function callStmt(rng: Rng, p: CProject, sc: FnScope): string {
  const candidates = p.funcs.filter((f) => f.ret !== 'void' || rng.chance(0.3));
  if (candidates.length === 0) return `rc = ${intExpr(rng, p, sc)};`;
  const f = rng.pick(candidates);
  const args = f.args.map((a) => {
    switch (a) {
      case 'struct':
        return sc.hasP && sc.s.name === f.structName ? 'p' : 'NULL';
      case 'int':
        return rng.pick(['0', 'flags', 'i', `${p.upper}_F_${rng.pick(ADJECTIVES).toUpperCase()}`]).replace('flags', sc.hasKey ? 'flags' : '0');
      case 'size':
        return rng.pick(['n', 'sizeof(tmp)', `(size_t)${rng.int(1, 512)}`]);
      case 'str':
        return sc.hasKey ? 'key' : `"${rng.pick(NOUNS)}"`;
      case 'buf':
        return 'tmp';
    }
  });
  const call = `${f.name}(${args.join(', ')})`;
  if (f.ret === 'int') return `rc = ${call};`;
  if (f.ret === 'size_t') return `n += ${call};`;
  if (f.ret === 'ptr') return `(void)${call};`;
  return `${call};`;
}

function simpleStmt(rng: Rng, p: CProject, sc: FnScope): string[] {
  const k = rng.int(0, 11);
  switch (k) {
    case 0:
    case 1:
      return [callStmt(rng, p, sc)];
    case 2:
      return [`n += (size_t)${intExpr(rng, p, sc)};`];
    case 3:
      if (sc.hasP) {
        const f = fieldOf(rng, sc.s, ['int', 'size', 'flags']);
        if (f) return [`p->${f.name} ${rng.pick(['=', '+=', '|='])} ${f.kind === 'flags' ? `${p.upper}_F_${rng.pick(ADJECTIVES).toUpperCase()}` : `(${f.type})${intExpr(rng, p, sc)}`};`];
      }
      return [`rc = ${intExpr(rng, p, sc)};`];
    case 4:
      return [`memset(tmp, 0, sizeof(tmp));`];
    case 5:
      return [`snprintf(tmp, sizeof(tmp), "%s:%d", "${rng.pick(NOUNS)}", ${intExpr(rng, p, sc)});`];
    case 6:
      return [`${p.logMacro}("${rng.pick(VERBS)} ${rng.pick(NOUNS)}: %d", ${intExpr(rng, p, sc)});`];
    case 7:
      return [cComment(rng, sc.nearMiss)];
    case 8:
      if (sc.hasP) {
        const f = fieldOf(rng, sc.s, ['str']);
        if (f) return [`if (p->${f.name} != NULL)`, `    n += strlen(p->${f.name});`];
      }
      return [`i = ${intExpr(rng, p, sc)};`];
    case 9:
      return [`rc = (rc << 1) | (i & 1);`];
    case 10:
      if (sc.hasBuf && sc.hasLen) return [`memcpy(tmp, ${sc.bufName}, ${sc.lenName} < sizeof(tmp) ? ${sc.lenName} : sizeof(tmp));`];
      return [`i = (i + 7) % ${rng.int(3, 97)};`];
    default:
      return [`rc = ${intExpr(rng, p, sc)} ${rng.pick(['+', '-', '&', '|', '^'])} ${intExpr(rng, p, sc)};`];
  }
}

function indentAll(lines: string[], by = '    '): string[] {
  return lines.map((l) => (l.startsWith('#') || l === '' ? l : by + l));
}

function block(rng: Rng, p: CProject, sc: FnScope, depth: number, budget: number): string[] {
  const out: string[] = [];
  const n = rng.int(1, Math.max(1, budget));
  for (let k = 0; k < n; k++) out.push(...stmt(rng, p, sc, depth));
  return out;
}

function stmt(rng: Rng, p: CProject, sc: FnScope, depth: number): string[] {
  const compound = depth < 3 ? rng.int(0, 9) : 9;
  switch (compound) {
    case 0:
    case 1: {
      const body = block(rng, p, sc, depth + 1, 3);
      const out = [`if (${condExpr(rng, p, sc)}) {`, ...indentAll(body)];
      if (rng.chance(0.35)) out.push('} else {', ...indentAll(block(rng, p, sc, depth + 1, 2)));
      out.push('}');
      return out;
    }
    case 2: {
      const body = block(rng, p, sc, depth + 1, 3);
      return [`for (i = 0; i < (int)n; i++) {`, ...indentAll(body), '}'];
    }
    case 3: {
      if (sc.hasP) {
        return ['while (p != NULL) {', ...indentAll(block(rng, p, sc, depth + 1, 2)), '    p = p->next;', '}'];
      }
      return ['while (n > 0) {', ...indentAll(block(rng, p, sc, depth + 1, 2)), '    n--;', '}'];
    }
    case 4: {
      const cases = rng.int(2, 4);
      const out = [`switch (${sc.hasKey ? 'flags' : 'i'} & ${(1 << cases) - 1}) {`];
      for (let c = 0; c < cases; c++) {
        out.push(`case ${c}:`, ...indentAll(block(rng, p, sc, depth + 1, 2)), '    break;');
      }
      out.push('default:', '    break;', '}');
      return out;
    }
    case 5:
      if (rng.chance(0.5)) {
        return [`#ifdef ${p.upper}_DEBUG`, `${p.logMacro}("%s: n=%zu", __func__, n);`, '#endif'];
      }
      return [`#if defined(${p.upper}_HAVE_${rng.pick(NOUNS).toUpperCase()})`, ...simpleStmt(rng, p, sc), '#else', ...simpleStmt(rng, p, sc), '#endif'];
    case 6:
      if (sc.label) return [`if (${condExpr(rng, p, sc)})`, '    goto out;'];
      return simpleStmt(rng, p, sc);
    default:
      return simpleStmt(rng, p, sc);
  }
}

/** A complete function definition with a body of roughly `budget` statements. */
export function genFunction(rng: Rng, p: CProject, f: CFunc, isStatic: boolean, nearMiss: boolean): Code {
  const s = p.structs.find((x) => x.name === f.structName) ?? p.structs[0]!;
  const sc: FnScope = {
    s,
    hasP: f.args.includes('struct'),
    hasKey: f.args.includes('str'),
    hasBuf: true,
    bufName: f.args.includes('buf') && f.params.includes('const char *buf') ? 'buf' : 'tmp',
    hasLen: f.params.includes('size_t len'),
    lenName: 'len',
    label: rng.chance(0.3),
    nearMiss,
  };
  const code = new Code();
  if (rng.chance(0.6)) {
    if (rng.chance(0.5)) code.add(`/* ${f.name.slice(p.prefix.length + 1).replace(/_/g, ' ')}: ${rng.pick(COMMENTS)} */`);
    else code.add('/*', ` * ${f.name}() - ${rng.pick(COMMENTS)}`, ' *', ` * ${rng.pick(COMMENTS)}`, ' */');
  }
  code.add(...sig(p, retText(f), f.name, f.params, isStatic));
  const locals = ['int i = 0;', 'int rc = 0;', `char tmp[${rng.pick([64, 128, 256, 512, 1024])}];`];
  if (!f.params.includes('size_t n')) locals.push(`size_t n = ${sc.hasLen ? 'len' : String(rng.int(1, 64))};`);
  if (!sc.hasP && f.ret === 'ptr') locals.push(`struct ${s.name} *p = NULL;`);
  code.add(...indentAll(locals), '');
  if (sc.hasP && rng.chance(0.6)) code.add(`    if (p == NULL)`, `        return${f.ret === 'void' ? '' : f.ret === 'ptr' ? ' NULL' : f.ret === 'size_t' ? ' 0' : ' -1'};`);
  const n = rng.int(2, 9);
  for (let k = 0; k < n; k++) code.add(...indentAll(stmt(rng, p, sc, 1)));
  if (sc.label) code.add('out:');
  code.add('    (void)tmp;');
  switch (f.ret) {
    case 'void':
      code.add('    (void)rc;', '    (void)n;');
      break;
    case 'int':
      code.add('    (void)n;', '    return rc;');
      break;
    case 'size_t':
      code.add('    (void)rc;', '    return n + (size_t)i;');
      break;
    case 'ptr':
      code.add('    (void)rc;', '    (void)n;', `    return ${sc.hasP || f.ret === 'ptr' ? 'p' : 'NULL'};`);
      break;
  }
  code.add('}', '');
  return code;
}

const SYS_HEADERS = ['stdio.h', 'stdlib.h', 'string.h', 'errno.h', 'stdint.h', 'stddef.h', 'time.h', 'assert.h', 'ctype.h', 'limits.h', 'stdarg.h', 'unistd.h', 'fcntl.h', 'sys/types.h', 'sys/stat.h', 'pthread.h'];

function license(rng: Rng, p: CProject, file: string): Code {
  const c = new Code();
  const year = 2005 + rng.int(0, 19);
  c.add('/*', ` * ${file} -- ${rng.pick(COMMENTS).replace(/\.$/, '').toLowerCase()}`, ' *', ` * Copyright (c) ${year}-${year + rng.int(1, 6)} The ${p.prefix.toUpperCase()} Authors.`, ' * All rights reserved.', ' *', ' * Redistribution and use in source and binary forms, with or without', ' * modification, are permitted provided that the conditions in LICENSE are met.', ' */', '');
  return c;
}

/** A project header: include guard, macros, enums, structs, prototypes, inline helpers. */
export function genHeader(rng: Rng, p: CProject, file: string, guard: string, target: number, funcs: CFunc[]): Code {
  const c = license(rng, p, file);
  c.add(`#ifndef ${guard}`, `#define ${guard}`, '');
  for (const h of rng.shuffle(['stddef.h', 'stdint.h', 'sys/types.h', 'stdbool.h']).slice(0, rng.int(1, 3))) c.add(`#include <${h}>`);
  c.add('');
  const structs = rng.shuffle([...p.structs]).slice(0, rng.int(1, 4));
  for (const s of structs) {
    const short = s.name.slice(p.prefix.length + 1).toUpperCase();
    c.add(`#define ${p.upper}_${short}_VERSION ${rng.int(1, 9)}`);
  }
  c.add(`#define ${p.upper}_${rng.pick(ADJECTIVES).toUpperCase()}_${rng.pick(NOUNS).toUpperCase()} ${rng.int(1, 65536)}`, '');
  if (rng.chance(0.5)) {
    const en = rng.pick(NOUNS);
    c.add(`enum ${p.prefix}_${en}_kind {`);
    const k = rng.int(3, 8);
    for (let i = 0; i < k; i++) c.add(`    ${p.upper}_${en.toUpperCase()}_${rng.pick(ADJECTIVES).toUpperCase()}${i},`);
    c.add('};', '');
  }
  for (const s of structs) {
    c.add(`struct ${s.name} {`);
    for (const f of s.fields) {
      if (f.kind === 'arr') c.add(`    char ${f.name}[${rng.pick([8, 16, 32])}];`);
      else c.add(`    ${f.type}${f.type.endsWith('*') ? '' : ' '}${f.name};`);
    }
    c.add('};', '');
    if (rng.chance(0.4)) c.add(`typedef struct ${s.name} ${s.name}_t;`, '');
  }
  for (const f of funcs) {
    if (c.size > target) break;
    c.add(`${retText(f)}${retText(f).endsWith('*') ? '' : ' '}${f.name}(${f.params});`);
  }
  c.add('');
  while (c.size < target) {
    const k = rng.int(0, 2);
    if (k === 0) {
      const n = rng.pick(NOUNS);
      c.add(`static inline int`, `${p.prefix}_${n}_is_${rng.pick(ADJECTIVES)}(unsigned int flags)`, '{', `    return (flags & ${1 << rng.int(0, 15)}u) != 0;`, '}', '');
    } else if (k === 1) {
      c.add(cComment(rng, false), `#define ${p.upper}_${rng.pick(NOUNS).toUpperCase()}_${rng.pick(VERBS).toUpperCase()}(x) ((x) * ${rng.int(2, 64)} + ${rng.int(0, 7)})`, '');
    } else {
      const f = declareFunc(p, rng);
      c.add(`${retText(f)}${retText(f).endsWith('*') ? '' : ' '}${f.name}(${f.params});`);
    }
  }
  c.add('', `#endif /* ${guard} */`);
  return c;
}

/** The common top of a .c file: license, includes, macros, file-scope state. */
export function sourceTop(rng: Rng, p: CProject, file: string, extraIncludes: string[], localIncludes: string[]): Code {
  const c = license(rng, p, file);
  const sys = new Set(rng.shuffle([...SYS_HEADERS]).slice(0, rng.int(3, 8)));
  for (const h of ['stdio.h', 'string.h']) sys.add(h);
  for (const h of extraIncludes) sys.add(h);
  for (const h of [...sys].sort()) c.add(`#include <${h}>`);
  c.add('');
  for (const h of localIncludes) c.add(`#include "${h}"`);
  if (localIncludes.length) c.add('');
  c.add(`#ifndef ${p.logMacro}`, `#define ${p.logMacro}(...) fprintf(stderr, __VA_ARGS__)`, '#endif');
  for (const m of p.macros) if (rng.chance(0.3)) c.add(`#ifndef ${m}`, `#define ${m} ${rng.pick([16, 32, 64, 128, 256, 1024])}`, '#endif');
  for (const a of ADJECTIVES) if (rng.chance(0.15)) c.add(`#define ${p.upper}_F_${a.toUpperCase()} 0x${(1 << rng.int(0, 15)).toString(16)}u`);
  c.add('');
  if (rng.chance(0.5)) c.add(`static int ${p.prefix}_${rng.pick(NOUNS)}_${rng.pick(ADJECTIVES)} = ${rng.int(0, 100)};`, '');
  return c;
}

// ---------------------------------------------------------------------------------------
// Socket scenarios. Each returns the code and the includes it needs; the marks on the
// site lines say what ka-audit must report there.

export interface SupportNeeds {
  /** Project keepalive helpers (in netutil.c): tcp_keepalive(fd), set_keepalive(fd, on). */
  helpers: boolean;
  /** Callers to write into the support file: code that uses a factory from a site file. */
  callers: Code[];
  /** Macro aliases to put in the support header. */
  aliases: string[];
}

export interface CNet {
  /** Name of the support header and source, when the project has them. */
  supportHeader?: string;
  keepaliveFn: string;
  onOffFn: string;
  socketAlias: string;
  hasSupport: boolean;
}

type KaVariant = 'none' | 'direct' | 'direct-checked' | 'wrapper' | 'onoff-on' | 'onoff-off' | 'if0' | 'ifdef-linux' | 'zero' | 'keepidle-only' | 'nodelay-only' | 'conditional';

const KA_REPORTED: Record<KaVariant, boolean> = {
  none: true,
  direct: false,
  'direct-checked': false,
  wrapper: false,
  'onoff-on': false,
  'onoff-off': true,
  if0: true,
  'ifdef-linux': false,
  zero: true,
  'keepidle-only': true,
  'nodelay-only': true,
  conditional: false,
};

function kaVariant(rng: Rng, net: CNet): KaVariant {
  const v: [KaVariant, number][] = [
    ['none', 6],
    ['direct', 3],
    ['direct-checked', 2],
    ['if0', 1],
    ['ifdef-linux', 1],
    ['zero', 1],
    ['keepidle-only', 1],
    ['nodelay-only', 1],
    ['conditional', 1],
  ];
  if (net.hasSupport) v.push(['wrapper', 3], ['onoff-on', 1], ['onoff-off', 1]);
  return rng.weighted(v);
}

/** Lines that give (or fail to give) keepalive to `fd`, in a function returning int. */
function kaLines(v: KaVariant, fd: string, net: CNet, fail: string[], cfg: string): string[] {
  switch (v) {
    case 'none':
      return [];
    case 'direct':
      return [`(void)setsockopt(${fd}, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));`];
    case 'direct-checked':
      return [`if (setsockopt(${fd}, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on)) < 0) {`, ...indentAll(fail), '}'];
    case 'wrapper':
      return [`if (${net.keepaliveFn}(${fd}) < 0)`, `    fprintf(stderr, "warning: keepalive not enabled\\n");`];
    case 'onoff-on':
      return [`${net.onOffFn}(${fd}, 1);`];
    case 'onoff-off':
      return [`${net.onOffFn}(${fd}, 0);`];
    case 'if0':
      return ['#if 0', `setsockopt(${fd}, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));`, '#endif'];
    case 'ifdef-linux':
      return ['#ifdef __linux__', `(void)setsockopt(${fd}, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));`, '#endif'];
    case 'zero':
      return [`(void)setsockopt(${fd}, SOL_SOCKET, SO_KEEPALIVE, &off, sizeof(off));`];
    case 'keepidle-only':
      return ['#ifdef TCP_KEEPIDLE', `(void)setsockopt(${fd}, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));`, '#endif'];
    case 'nodelay-only':
      return [`(void)setsockopt(${fd}, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));`];
    case 'conditional':
      return [`if (${cfg}->tcp_keepalive)`, `    (void)setsockopt(${fd}, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));`];
  }
}

type ErrStyle = 'return' | 'perror-return' | 'log';

function errLines(style: ErrStyle, p: CProject, what: string, closeFd?: string): string[] {
  const close = closeFd ? [`close(${closeFd});`] : [];
  switch (style) {
    case 'return':
      return [...close, 'return -1;'];
    case 'perror-return':
      return [`perror("${what}");`, ...close, 'return -1;'];
    case 'log':
      return [`${p.logMacro}("${what}: %s\\n", strerror(errno));`, ...close, 'return -1;'];
  }
}

function check(p: CProject, v: string): string {
  return p.style.minusOne ? `${v} == -1` : `${v} < 0`;
}

export const NET_INCLUDES = ['sys/socket.h', 'netinet/in.h', 'arpa/inet.h', 'unistd.h', 'errno.h', 'netinet/tcp.h'];

/** A connect helper: sockaddr from a host string (or loopback), socket, keepalive variant, connect. */
export function scenarioClient(rng: Rng, p: CProject, net: CNet): { code: Code; includes: string[] } {
  const name = p.freshName(rng, rng.pick(['upstream', 'backend', 'peer', 'replica', 'origin', 'link', 'feed', 'relay']));
  const v6 = rng.chance(0.35);
  const loopback = rng.chance(0.08);
  const ka: KaVariant = loopback ? 'none' : kaVariant(rng, net);
  const fd = rng.pick(['fd', 's', 'sock', 'sfd', 'conn_fd']);
  const style = rng.pick<ErrStyle>(['return', 'perror-return', 'log']);
  const form = rng.int(0, 2);
  const type = rng.weighted([['SOCK_STREAM', 5], ['SOCK_STREAM | SOCK_CLOEXEC', 1], ['SOCK_STREAM | SOCK_NONBLOCK', 1]]);
  const proto = rng.pick(['0', 'IPPROTO_TCP']);
  const useAlias = net.hasSupport && rng.chance(0.15);
  const sockCall = `${useAlias ? net.socketAlias : 'socket'}(${v6 ? 'AF_INET6' : 'AF_INET'}, ${type}, ${proto})`;
  const sa = v6 ? 'struct sockaddr_in6' : 'struct sockaddr_in';
  const cfgParam = ka === 'conditional' ? `const struct ${p.prefix}_net_config *cfg, ` : '';
  const reported = !loopback && KA_REPORTED[ka];
  const mark = { api: 'socket', tcp: 'yes' as const, finding: reported ? 'require-keepalive' : null, why: `C client ${loopback ? 'loopback' : ka}${useAlias ? ' via macro alias' : ''}` };

  const c = new Code();
  if (ka === 'conditional') c.add(`struct ${p.prefix}_net_config {`, '    int tcp_keepalive;', '    int timeout_ms;', '};', '');
  c.add(`/* Open a TCP connection to ${loopback ? 'the local agent' : 'host:port'}; returns the descriptor or -1. */`);
  c.add(...sig(p, 'int', name, `${cfgParam}${loopback ? '' : 'const char *host, '}unsigned short port`, false));
  c.add(`    ${sa} sa;`);
  if (form !== 2) c.add(`    int ${fd};`);
  const needOn = ['direct', 'direct-checked', 'if0', 'ifdef-linux', 'nodelay-only', 'conditional'].includes(ka);
  if (needOn) c.add('    int on = 1;');
  if (ka === 'zero') c.add('    int off = 0;');
  if (ka === 'keepidle-only') c.add('    int idle = 60;');
  c.add('');
  c.add('    memset(&sa, 0, sizeof(sa));');
  if (v6) {
    c.add('    sa.sin6_family = AF_INET6;', '    sa.sin6_port = htons(port);');
    if (loopback) c.add('    sa.sin6_addr = in6addr_loopback;');
    else c.add('    if (inet_pton(AF_INET6, host, &sa.sin6_addr) != 1)', '        return -1;');
  } else {
    c.add('    sa.sin_family = AF_INET;', '    sa.sin_port = htons(port);');
    if (loopback) c.add('    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);');
    else c.add('    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)', '        return -1;');
  }
  const fail = errLines(style, p, 'socket');
  if (form === 0) {
    c.site(`    ${fd} = ${sockCall};`, mark);
    c.add(`    if (${check(p, fd)}) {`, ...indentAll(indentAll(fail)), '    }');
  } else if (form === 1) {
    c.site(`    if ((${fd} = ${sockCall}) ${p.style.minusOne ? '== -1' : '< 0'}) {`, mark);
    c.add(...indentAll(indentAll(fail)), '    }');
  } else {
    c.site(`    int ${fd} = ${sockCall};`, mark);
    c.add(`    if (${check(p, fd)})`, ...indentAll(indentAll(fail.slice(-1))));
  }
  c.add(...indentAll(kaLines(ka, fd, net, errLines(style, p, 'setsockopt', fd), 'cfg')));
  c.add(`    if (connect(${fd}, (struct sockaddr *)&sa, sizeof(sa)) ${p.style.minusOne ? '== -1' : '< 0'}) {`);
  c.add(...indentAll(indentAll(errLines(style, p, 'connect', fd))), '    }');
  c.add(`    return ${fd};`, '}', '');
  return { code: c, includes: [...NET_INCLUDES] };
}

/** getaddrinfo() loop client; keepalive (or not) after the loop on the connected descriptor. */
export function scenarioGaiClient(rng: Rng, p: CProject, net: CNet): { code: Code; includes: string[] } {
  const name = p.freshName(rng, rng.pick(['upstream', 'remote', 'peer', 'service', 'target']));
  const ka = rng.weighted<KaVariant>(net.hasSupport ? [['none', 3], ['direct', 2], ['wrapper', 2]] : [['none', 3], ['direct', 2]]);
  const reported = KA_REPORTED[ka];
  const c = new Code();
  c.add(`/* Resolve host/service and connect to the first address that answers. */`);
  c.add(...sig(p, 'int', name, 'const char *host, const char *service', false));
  c.add('    struct addrinfo hints, *res, *ai;', '    int fd = -1;', '    int rc;');
  if (ka === 'direct') c.add('    int on = 1;');
  c.add('', '    memset(&hints, 0, sizeof(hints));', '    hints.ai_family = AF_UNSPEC;', '    hints.ai_socktype = SOCK_STREAM;');
  c.add('    rc = getaddrinfo(host, service, &hints, &res);', '    if (rc != 0) {', `        ${p.logMacro}("getaddrinfo %s: %s\\n", host, gai_strerror(rc));`, '        return -1;', '    }');
  c.add('    for (ai = res; ai != NULL; ai = ai->ai_next) {');
  c.site('        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);', { api: 'socket', tcp: 'yes', finding: reported ? 'require-keepalive' : null, why: `C getaddrinfo client ${ka}` });
  c.add('        if (fd == -1)', '            continue;', '        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)', '            break;', '        close(fd);', '        fd = -1;', '    }', '    freeaddrinfo(res);', '    if (fd == -1)', '        return -1;');
  c.add(...indentAll(kaLines(ka, 'fd', net, ['close(fd);', 'return -1;'], 'cfg')));
  c.add('    return fd;', '}', '');
  return { code: c, includes: [...NET_INCLUDES, 'netdb.h'] };
}

/** A listener helper and an accept loop; keepalive on the listener, on each accepted fd, or nowhere. */
export function scenarioServer(rng: Rng, p: CProject, net: CNet): { code: Code; includes: string[] } {
  const noun = rng.pick(['server', 'listener', 'acceptor', 'gateway', 'frontend', 'admin']);
  const listenFn = p.freshName(rng, noun);
  const serveFn = p.freshName(rng, noun);
  const handleFn = p.freshName(rng, noun);
  const loopback = rng.chance(0.1);
  const where = loopback ? 'none' : rng.weighted<'listener' | 'accepted' | 'wrapper' | 'none'>(net.hasSupport ? [['none', 4], ['listener', 3], ['accepted', 2], ['wrapper', 2]] : [['none', 4], ['listener', 3], ['accepted', 2]]);
  const v6 = rng.chance(0.3);
  const use4 = rng.chance(0.3);
  const acceptApi = use4 ? 'accept4' : 'accept';
  const reported = !loopback && where === 'none';
  const c = new Code();
  c.add(...sig(p, 'void', handleFn, 'int fd', true));
  c.add('    char buf[4096];', '    ssize_t n;', '', '    while ((n = read(fd, buf, sizeof(buf))) > 0) {', '        if (write(fd, buf, (size_t)n) != n)', '            break;', '    }', '    close(fd);', '}', '');
  c.add(`/* Listening socket on ${loopback ? 'the loopback interface' : 'every interface'}; -1 on error. */`);
  c.add(...sig(p, 'int', listenFn, 'unsigned short port', true));
  c.add(`    struct sockaddr_in${v6 ? '6' : ''} sin;`, '    int lfd, one = 1;', '');
  c.site(`    lfd = socket(${v6 ? 'AF_INET6' : 'AF_INET'}, SOCK_STREAM, 0);`, { api: 'socket', tcp: 'yes', finding: null, why: `C listener (keepalive ${where === 'listener' ? 'set' : 'not set'})` });
  c.add(`    if (${check(p, 'lfd')})`, '        return -1;', '    (void)setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));');
  if (where === 'listener') c.add('    (void)setsockopt(lfd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));');
  c.add('    memset(&sin, 0, sizeof(sin));');
  if (v6) c.add('    sin.sin6_family = AF_INET6;', `    sin.sin6_addr = ${loopback ? 'in6addr_loopback' : 'in6addr_any'};`, '    sin.sin6_port = htons(port);');
  else c.add('    sin.sin_family = AF_INET;', `    sin.sin_addr.s_addr = htonl(${loopback ? 'INADDR_LOOPBACK' : 'INADDR_ANY'});`, '    sin.sin_port = htons(port);');
  c.add('    if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(lfd, SOMAXCONN) < 0) {', '        close(lfd);', '        return -1;', '    }', '    return lfd;', '}', '');
  c.add(...sig(p, 'int', serveFn, 'unsigned short port', false));
  c.add(`    int lfd = ${listenFn}(port);`, '    int cfd;');
  if (where === 'accepted') c.add('    int on = 1;');
  c.add('', `    if (${check(p, 'lfd')})`, '        return -1;', '    for (;;) {');
  c.site(`        cfd = ${use4 ? 'accept4(lfd, NULL, NULL, SOCK_CLOEXEC)' : 'accept(lfd, NULL, NULL)'};`, { api: acceptApi, tcp: 'yes', finding: reported ? 'require-keepalive' : null, why: `C accepted, keepalive ${loopback ? 'n/a (loopback)' : where}` });
  c.add('        if (cfd < 0) {', '            if (errno == EINTR)', '                continue;', '            break;', '        }');
  if (where === 'accepted') c.add('        (void)setsockopt(cfd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));');
  if (where === 'wrapper') c.add(`        (void)${net.keepaliveFn}(cfd);`);
  c.add(`        ${handleFn}(cfd);`, '    }', '    close(lfd);', '    return -1;', '}', '');
  return { code: c, includes: [...NET_INCLUDES] };
}

/** A socket that is not TCP: UDP sender or AF_UNIX stream client. Never reported. */
export function scenarioNotTcp(rng: Rng, p: CProject): { code: Code; includes: string[] } {
  const c = new Code();
  if (rng.chance(0.5)) {
    const name = p.freshName(rng, rng.pick(['metric', 'stat', 'counter', 'event']));
    c.add('/* Fire-and-forget UDP datagram to the stats collector. */');
    c.add(...sig(p, 'int', name, 'const struct sockaddr_in *to, const char *line', false));
    c.site('    int fd = socket(AF_INET, SOCK_DGRAM, 0);', { api: 'socket', tcp: 'no', finding: null, why: 'C UDP sender' });
    c.add('    ssize_t n;', '', '    if (fd < 0)', '        return -1;', '    n = sendto(fd, line, strlen(line), 0, (const struct sockaddr *)to, sizeof(*to));', '    close(fd);', '    return n < 0 ? -1 : 0;', '}', '');
    return { code: c, includes: [...NET_INCLUDES] };
  }
  const name = p.freshName(rng, rng.pick(['control', 'admin', 'agent', 'helper']));
  c.add('/* Talk to the local control daemon over its unix socket. */');
  c.add(...sig(p, 'int', name, 'const char *path', false));
  c.add('    struct sockaddr_un sun;', '    int fd;', '');
  c.site('    fd = socket(AF_UNIX, SOCK_STREAM, 0);', { api: 'socket', tcp: 'no', finding: null, why: 'C AF_UNIX client' });
  c.add('    if (fd < 0)', '        return -1;', '    memset(&sun, 0, sizeof(sun));', '    sun.sun_family = AF_UNIX;', '    strncpy(sun.sun_path, path, sizeof(sun.sun_path) - 1);', '    if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {', '        close(fd);', '        return -1;', '    }', '    return fd;', '}', '');
  return { code: c, includes: [...NET_INCLUDES, 'sys/un.h'] };
}

/**
 * A socket factory in this file; its only caller (written into the support file) connects the
 * descriptor and sets keepalive on it, or not.
 */
export function scenarioFactory(rng: Rng, p: CProject, net: CNet, needs: SupportNeeds): { code: Code; includes: string[] } {
  const factory = p.freshName(rng, rng.pick(['stream', 'channel', 'link']));
  const caller = p.freshName(rng, rng.pick(['upstream', 'origin', 'backend']));
  const ka = rng.chance(0.5);
  const c = new Code();
  c.add('/* A fresh IPv6 TCP descriptor; the caller connects it. */');
  c.add(...sig(p, 'int', factory, 'void', false));
  c.site('    return socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);', { api: 'socket', tcp: 'yes', finding: ka ? null : 'require-keepalive', why: `C factory, caller in another file ${ka ? 'sets keepalive' : 'sets none'}` });
  c.add('}', '');
  const k = new Code();
  k.add(...sig(p, 'int', caller, 'const struct sockaddr_in6 *sa', false));
  k.add(`    int fd = ${factory}();`, '    int on = 1;', '', '    if (fd == -1)', '        return -1;');
  if (ka) k.add('    (void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));');
  else k.add('    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));');
  k.add('    if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == -1) {', '        close(fd);', '        return -1;', '    }', '    return fd;', '}', '');
  needs.callers.push(k);
  needs.helpers = true;
  return { code: c, includes: [...NET_INCLUDES] };
}

/** The support source: keepalive helpers, factory callers, plus ordinary filler. */
export function supportHelpers(p: CProject, net: CNet): Code {
  const c = new Code();
  c.add('/* Turn TCP keepalive on for a connected or accepted descriptor. */');
  c.add(...sig(p, 'int', net.keepaliveFn, 'int fd', false));
  c.add('    int on = 1;', '', '    return setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));', '}', '');
  c.add('/* Keepalive on or off, as the caller asks. */');
  c.add(...sig(p, 'int', net.onOffFn, 'int fd, int enable', false));
  c.add('    return setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &enable, sizeof(enable));', '}', '');
  return c;
}

/** An address-formatting helper: includes socket headers, opens no socket (prefilter near-miss). */
export function nearMissAddr(rng: Rng, p: CProject): Code {
  const name = p.freshName(rng, 'addr');
  const c = new Code();
  c.add('/* Format a socket address as "host:port" for log lines. */');
  c.add(...sig(p, 'int', name, 'const struct sockaddr *sa, socklen_t salen, char *out, size_t outlen', false));
  c.add('    char host[NI_MAXHOST], serv[NI_MAXSERV];', '', '    if (getnameinfo(sa, salen, host, sizeof(host), serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0)', '        return -1;', `    return snprintf(out, outlen, "%s:%s", host, serv) < (int)outlen ? 0 : -1;`, '}', '');
  void rng;
  return c;
}
