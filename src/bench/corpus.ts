// The synthetic corpus: a tree of made-up C and TS/JS projects, deterministic for a seed, with
// a manifest of every socket site written and what ka-audit must report there.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Code, type MarkedLine } from './code.js';
import {
  CProject, type CNet, type CStyle, type SupportNeeds, declareFunc, genFunction, genHeader, nearMissAddr, NET_INCLUDES,
  scenarioClient, scenarioFactory, scenarioGaiClient, scenarioNotTcp, scenarioServer, sourceTop, supportHelpers,
} from './c-gen.js';
import { Rng } from './prng.js';
import {
  NetRefs, type TsFileOptions, type TsModule, type TsNet, genTsFile, planExports, relSpec, tsClient, tsHelperModule, tsIpc,
  tsServer, tsSocketClass, tsTlsClient,
} from './ts-gen.js';
import { MODULE_DIRS, NOUNS, SYLLABLES, camel, pascal } from './words.js';

export const GENERATOR_VERSION = 1;

export interface CorpusOptions {
  files: number;
  /** Share of files that hold at least one socket site (0..1). */
  socketShare: number;
  seed: number;
  /** Share of files in C projects (the rest are TS/JS projects). */
  cShare?: number;
}

export interface ExpectedSite {
  file: string;
  line: number;
  api: string;
  tcp: 'yes' | 'no';
  /** Rule id ka-audit must report at this line, or null. */
  finding: string | null;
  why: string;
}

export interface Manifest {
  version: 1;
  generator: number;
  options: Required<CorpusOptions>;
  files: number;
  bytes: number;
  /** Files holding at least one site. */
  socketFiles: string[];
  sites: ExpectedSite[];
  /** The findings ka-audit must report: file, line, rule. */
  findings: { file: string; line: number; ruleId: string }[];
  /** sha256 over every path and its bytes, in path order. */
  sha256: string;
}

type Kind = 'c' | 'h' | 'ts' | 'js-esm' | 'js-cjs';

interface PlannedFile {
  path: string;
  kind: Kind;
  sites: boolean;
  support?: 'c-header' | 'c-source' | 'ts-helper';
  target: number;
}

interface Project {
  name: string;
  lang: 'c' | 'ts';
  prefix: string;
  files: PlannedFile[];
}

const SIZE: Record<Kind, [number, number]> = {
  // median bytes, log-normal shape
  c: [5500, 1.3],
  h: [2600, 1.2],
  ts: [4200, 0.95],
  'js-esm': [3600, 0.95],
  'js-cjs': [3600, 0.95],
};
const MIN_BYTES = 300;
const MAX_BYTES = 100_000;

function prefixFor(rng: Rng, used: Set<string>): string {
  for (;;) {
    const p = rng.pick(SYLLABLES) + rng.pick(SYLLABLES) + (rng.chance(0.4) ? rng.pick(SYLLABLES) : '');
    if (!used.has(p)) {
      used.add(p);
      return p;
    }
  }
}

/** Decides the projects, their files, and which files hold sites. */
function plan(opts: Required<CorpusOptions>, rng: Rng): Project[] {
  const total = Math.max(0, Math.floor(opts.files));
  const share = Math.min(1, Math.max(0, opts.socketShare));
  const siteTotal = Math.round(total * share);
  const projects: Project[] = [];
  const usedPrefixes = new Set<string>();
  let remaining = total;
  let cFiles = 0;
  let allFiles = 0;
  const typical = total < 400 ? Math.max(4, Math.ceil(total / 3)) : 180;
  while (remaining > 0) {
    let size = Math.min(remaining, rng.logNormal(typical, 0.7, Math.min(8, remaining), Math.max(8, typical * 6)));
    if (remaining - size > 0 && remaining - size < 4) size = remaining;
    // The language further below its target share goes next.
    const lang: 'c' | 'ts' = allFiles === 0 ? (opts.cShare >= 0.5 ? 'c' : 'ts') : cFiles / allFiles < opts.cShare ? 'c' : 'ts';
    const prefix = prefixFor(rng, usedPrefixes);
    projects.push({ name: `${prefix}-${rng.pick(NOUNS)}${lang === 'c' ? 'd' : '-js'}`, lang, prefix, files: [] });
    (projects[projects.length - 1] as Project & { size?: number }).size = size;
    remaining -= size;
    allFiles += size;
    if (lang === 'c') cFiles += size;
  }
  // Sites per project by largest remainder, proportional to size.
  const sizes = projects.map((p) => (p as Project & { size: number }).size);
  const quotas = sizes.map((s) => (siteTotal * s) / Math.max(1, total));
  const sites = quotas.map((q, i) => Math.min(sizes[i]!, Math.floor(q)));
  let left = siteTotal - sites.reduce((a, b) => a + b, 0);
  const order = quotas.map((q, i) => [q - Math.floor(q), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  while (left > 0) {
    let moved = false;
    for (const [, i] of order) {
      if (left > 0 && sites[i]! < sizes[i]!) {
        sites[i]!++;
        left--;
        moved = true;
      }
    }
    if (!moved) break;
  }
  projects.forEach((p, i) => {
    const prng = rng.fork(p.name);
    const size = sizes[i]!;
    const nSites = sites[i]!;
    const supportSlots = p.lang === 'c' ? 2 : 1;
    const support = nSites > 0 && size - nSites >= supportSlots;
    const used = new Set<string>();
    const pathFor = (dir: string, base: string, ext: string) => {
      let n = `${dir}/${base}${ext}`;
      let k = 2;
      while (used.has(n)) n = `${dir}/${base}${k++}${ext}`;
      used.add(n);
      return n;
    };
    const dirs = p.lang === 'c' ? ['src', ...prng.shuffle([...MODULE_DIRS]).slice(0, prng.int(0, 4)).map((d) => `src/${d}`)] : ['src', ...prng.shuffle([...MODULE_DIRS]).slice(0, prng.int(1, 4)).map((d) => `src/${d}`)];
    const nameOf = () => prng.chance(0.5) ? prng.pick(NOUNS) : `${prng.pick(NOUNS)}${p.lang === 'c' ? '_' : '-'}${prng.pick(NOUNS)}`;
    const files: PlannedFile[] = [];
    if (support && p.lang === 'c') {
      files.push({ path: pathFor('src', 'netutil', '.h'), kind: 'h', sites: false, support: 'c-header', target: 0 });
      files.push({ path: pathFor('src', 'netutil', '.c'), kind: 'c', sites: false, support: 'c-source', target: 0 });
    } else if (support) {
      files.push({ path: pathFor('src/net', 'socket-defaults', '.ts'), kind: 'ts', sites: false, support: 'ts-helper', target: 0 });
    }
    const plain = size - files.length;
    for (let k = 0; k < plain; k++) {
      const isSite = k < nSites;
      let kind: Kind;
      if (p.lang === 'c') kind = !isSite && prng.chance(0.3) ? 'h' : 'c';
      else kind = prng.weighted<Kind>([['ts', 7], ['js-esm', 2], ['js-cjs', 1]]);
      const dir = kind === 'h' ? (prng.chance(0.5) ? 'include' : prng.pick(dirs)) : kind.startsWith('js') ? prng.pick(['lib', 'scripts', ...dirs]) : prng.pick(dirs);
      const ext = kind === 'c' ? '.c' : kind === 'h' ? '.h' : kind === 'ts' ? '.ts' : kind === 'js-esm' ? (prng.chance(0.3) ? '.mjs' : '.js') : prng.chance(0.3) ? '.cjs' : '.js';
      const [median, sigma] = SIZE[kind];
      files.push({ path: pathFor(dir, nameOf(), ext), kind, sites: isSite, target: prng.logNormal(median, sigma, MIN_BYTES, MAX_BYTES) });
    }
    p.files = files;
  });
  return projects;
}

interface Emit {
  (path: string, text: string): void;
}

export function defaults(o: CorpusOptions): Required<CorpusOptions> {
  return { files: o.files, socketShare: o.socketShare, seed: o.seed, cShare: o.cShare ?? 0.6 };
}

/** Generates the corpus, handing each file to `emit`; returns the manifest. */
export function generateCorpus(options: CorpusOptions, emit: Emit): Manifest {
  const opts = defaults(options);
  const rng = new Rng(opts.seed, `ka-bench-corpus-v${GENERATOR_VERSION}`);
  const projects = plan(opts, rng);
  const out: { path: string; text: string; marks: MarkedLine[] }[] = [];
  for (const p of projects) {
    if (p.lang === 'c') genCProject(rng.fork(`c:${p.name}`), p, out);
    else genTsProject(rng.fork(`ts:${p.name}`), p, out);
  }
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const hash = createHash('sha256');
  const sites: ExpectedSite[] = [];
  const socketFiles: string[] = [];
  let bytes = 0;
  for (const f of out) {
    emit(f.path, f.text);
    hash.update(f.path).update('\0').update(f.text).update('\0');
    bytes += Buffer.byteLength(f.text);
    if (f.marks.length) socketFiles.push(f.path);
    for (const m of f.marks) sites.push({ file: f.path, line: m.line, api: m.api, tcp: m.tcp, finding: m.finding, why: m.why });
  }
  return {
    version: 1,
    generator: GENERATOR_VERSION,
    options: opts,
    files: out.length,
    bytes,
    socketFiles,
    sites,
    findings: sites.filter((s) => s.finding).map((s) => ({ file: s.file, line: s.line, ruleId: s.finding! })),
    sha256: hash.digest('hex'),
  };
}

/** Writes the corpus under `dir` (which should be empty or absent); returns the manifest. */
export function writeCorpus(options: CorpusOptions, dir: string, manifestPath?: string): Manifest {
  const made = new Set<string>();
  const manifest = generateCorpus(options, (path, text) => {
    const full = join(dir, path);
    const d = dirname(full);
    if (!made.has(d)) {
      mkdirSync(d, { recursive: true });
      made.add(d);
    }
    writeFileSync(full, text);
  });
  if (manifestPath) {
    mkdirSync(dirname(manifestPath), { recursive: true });
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 1) + '\n');
  }
  return manifest;
}

// ---------------------------------------------------------------------------------------

function cStyle(rng: Rng): CStyle {
  return {
    indent: rng.weighted([['    ', 6], ['\t', 3], ['  ', 1]]),
    retOwnLine: rng.chance(0.4),
    fnBraceOwnLine: rng.chance(0.7),
    minusOne: rng.chance(0.4),
  };
}

function genCProject(rng: Rng, p: Project, out: { path: string; text: string; marks: MarkedLine[] }[]): void {
  const proj = new CProject(p.prefix, cStyle(rng), rng);
  const support = p.files.find((f) => f.support === 'c-source');
  const supportHeader = p.files.find((f) => f.support === 'c-header');
  const net: CNet = {
    hasSupport: !!support,
    keepaliveFn: proj.reserve(`${p.prefix}_tcp_keepalive`),
    onOffFn: proj.reserve(`${p.prefix}_set_keepalive`),
    socketAlias: proj.reserve(`${p.prefix}_socket`),
    ...(supportHeader ? { supportHeader: supportHeader.path.split('/').pop()! } : {}),
  };
  const needs: SupportNeeds = { helpers: false, callers: [], aliases: [] };
  const headers = p.files.filter((f) => f.kind === 'h' && !f.support).map((f) => f.path.split('/').pop()!);
  // Seed the call graph so early files have something to call.
  for (let i = 0; i < 6; i++) proj.funcs.push(declareFunc(proj, rng));
  const ordered = [...p.files.filter((f) => !f.support), ...p.files.filter((f) => f.support === 'c-source'), ...p.files.filter((f) => f.support === 'c-header')];
  for (const f of ordered) {
    const frng = rng.fork(f.path);
    const file = f.path.split('/').pop()!;
    const code = new Code();
    if (f.kind === 'h') {
      const guard = `${p.prefix.toUpperCase()}_${file.replace(/[^A-Za-z0-9]/g, '_').toUpperCase()}`;
      if (f.support === 'c-header') {
        code.add(`#ifndef ${guard}`, `#define ${guard}`, '', '#include <sys/socket.h>', '', `/* The project's spelling of the socket call (see the porting notes). */`, `#define ${net.socketAlias} socket`, '');
        code.add(`int ${net.keepaliveFn}(int fd);`, `int ${net.onOffFn}(int fd, int enable);`, '', `#endif /* ${guard} */`);
      } else {
        const funcs = frng.shuffle([...proj.funcs]).slice(0, frng.int(2, 20));
        code.append(genHeader(frng, proj, file, guard, f.target, funcs));
      }
      out.push({ path: `${p.name}/${f.path}`, text: code.render(proj.style.indent), marks: code.marks });
      continue;
    }
    const nearMiss = !f.sites && frng.chance(0.15);
    const addrHelper = !f.sites && !f.support && frng.chance(0.04);
    const scenarios: Code[] = [];
    const includes = new Set<string>();
    if (f.sites) {
      const n = frng.weighted([[1, 14], [2, 5], [3, 1]]);
      for (let k = 0; k < n; k++) {
        const kind = frng.weighted<string>([['client', 9], ['gai', 3], ['server', 5], ['nottcp', 2], ...(net.hasSupport ? ([['factory', 2]] as [string, number][]) : [])]);
        const r =
          kind === 'client' ? scenarioClient(frng, proj, net)
          : kind === 'gai' ? scenarioGaiClient(frng, proj, net)
          : kind === 'server' ? scenarioServer(frng, proj, net)
          : kind === 'factory' ? scenarioFactory(frng, proj, net, needs)
          : scenarioNotTcp(frng, proj);
        scenarios.push(r.code);
        for (const h of r.includes) includes.add(h);
      }
    }
    if (f.support) {
      scenarios.push(supportHelpers(proj, net));
      for (const k of needs.callers) scenarios.push(k);
      for (const h of NET_INCLUDES) includes.add(h);
    }
    if (addrHelper) {
      scenarios.push(nearMissAddr(frng, proj));
      for (const h of ['sys/socket.h', 'netdb.h']) includes.add(h);
    }
    const local = frng.shuffle([...headers]).slice(0, frng.int(0, Math.min(4, headers.length)));
    if ((f.sites || f.support) && net.supportHeader) local.push(net.supportHeader);
    code.append(sourceTop(frng, proj, file, [...includes], local));
    // Filler functions with the scenarios among them.
    const pieces: Code[] = [];
    let size = code.size + scenarios.reduce((a, s) => a + s.size, 0);
    while (size < f.target) {
      const fn = declareFunc(proj, frng);
      const body = genFunction(frng, proj, fn, frng.chance(0.4), nearMiss);
      proj.funcs.push(fn);
      if (proj.funcs.length > 400) proj.funcs.splice(0, 1);
      pieces.push(body);
      size += body.size;
    }
    for (const s of scenarios) pieces.splice(frng.int(0, pieces.length), 0, s);
    for (const piece of pieces) code.append(piece);
    out.push({ path: `${p.name}/${f.path}`, text: code.render(proj.style.indent), marks: code.marks });
  }
}

function genTsProject(rng: Rng, p: Project, out: { path: string; text: string; marks: MarkedLine[] }[]): void {
  const helper = p.files.find((f) => f.support === 'ts-helper');
  const helperFn = camel('apply', pascal(rng.pick(['socket', 'connection', 'stream', 'transport'])), 'Defaults');
  const modules: TsModule[] = p.files.filter((f) => !f.support).map((f) => ({ path: f.path, exports: planExports(rng, f.path.split('/').pop()!.replace(/\..*$/, '')) }));
  for (const f of p.files) {
    const frng = rng.fork(f.path);
    const o: TsFileOptions = { typed: f.kind === 'ts', cjs: f.kind === 'js-cjs' || f.path.endsWith('.cjs') };
    if (f.path.endsWith('.mjs')) o.cjs = false;
    if (f.support === 'ts-helper') {
      const code = tsHelperModule(o, helperFn);
      out.push({ path: `${p.name}/${f.path}`, text: code.render('    '), marks: code.marks });
      continue;
    }
    const mod = modules.find((m) => m.path === f.path)!;
    const scenarios: Code[] = [];
    const extraImports: string[] = [];
    let refs: NetRefs | undefined;
    if (f.sites) {
      refs = new NetRefs(frng, o);
      const net: TsNet = { helperFn, ...(helper ? { helperSpec: relSpec(f.path, helper.path, o, true) } : {}) };
      const used = new Set<string>(mod.exports);
      const n = frng.weighted([[1, 14], [2, 5], [3, 1]]);
      let usesHelper = false;
      for (let k = 0; k < n; k++) {
        const kind = frng.weighted<string>([['client', 8], ['tls', 3], ['server', 5], ['class', 2], ['ipc', 1]]);
        if (kind === 'client') {
          const c = tsClient(frng, refs, o, net, used);
          if (c.lines.some((l) => l.includes(`${helperFn}(`))) usesHelper = true;
          scenarios.push(c);
        } else if (kind === 'tls') scenarios.push(tsTlsClient(frng, refs, o, used));
        else if (kind === 'server') scenarios.push(tsServer(frng, refs, o, used));
        else if (kind === 'class') scenarios.push(tsSocketClass(frng, refs, o, used));
        else scenarios.push(tsIpc(frng, refs, o, used));
      }
      if (usesHelper && net.helperSpec) extraImports.push(o.cjs ? `const { ${helperFn} } = require('${net.helperSpec}');` : `import { ${helperFn} } from '${net.helperSpec}';`);
    }
    const nearMiss = !f.sites && frng.chance(0.12);
    const code = genTsFile(frng, mod, modules, o, f.target, nearMiss, { scenarios, extraImports, ...(refs ? { refs } : {}) });
    out.push({ path: `${p.name}/${f.path}`, text: code.render('    '), marks: code.marks });
  }
}
