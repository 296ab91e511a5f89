#!/usr/bin/env node
// npm run bench [-- DIR] [--files N] [--jobs N] [--runs N] [--json] ...
//
// Times ka-audit, an equivalent ast-grep scan and `grep -rlE 'socket|accept'` over the same
// tree, at the same thread count, in one invocation. Without DIR a deterministic synthetic
// corpus is generated first (and ka-audit's findings are checked against its manifest).
// Prints files/s, MiB/s, peak RSS and the ratios ka-audit/ast-grep and ka-audit/grep.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeCorpus, type Manifest } from './corpus.js';
import { hasGnuTime, median, timedRun, type RunResult, type RunSpec } from './measure.js';
import { ROOT, findAstGrep, writeAstGrepConfig } from './tools.js';
import { compareWithManifest, type KaReport } from './verify.js';

const BIN = join(ROOT, 'dist', 'cli', 'bin.js');
const WRAPPER = join(ROOT, 'dist', 'bench', 'rss-wrapper.js');

/** The extensions ka-audit audits (src/engine/files.ts); the corpus size is counted over them. */
const SOURCE_EXT = /\.(c|h|ts|tsx|mts|cts|js|jsx|mjs|cjs)$/i;
const DECL = /\.d\.(ts|mts|cts)$/i;
const SKIPPED_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn']);

const USAGE = `usage: npm run bench -- [DIR] [options]     (runs node dist/bench/run.js; run \`npm run build\` once first)

Without DIR, a synthetic corpus is generated in a temporary directory and removed afterwards.
  --files N          files in the generated corpus (default 2000)
  --socket-share X   share of generated files with socket code (default 0.1)
  --seed N           corpus seed (default 1)
  --keep             keep the generated corpus (its path is printed)
  --jobs N           threads for every tool (default: the number of cores)
  --runs N           timed runs of each tool; the median is reported (default 3)
  --no-cache-runs    skip the cold/warm --cache measurement even when ka-audit has --cache
  --no-build         do not rebuild dist/ when src/ is newer
  --json             print the results as JSON (progress goes to stderr)
  -h, --help
`;

interface ToolSummary {
  name: string;
  command: string;
  runs: RunResult[];
  medianMs: number;
  /** The fastest run: on a shared machine the least disturbed one. */
  minMs: number;
  filesPerSec: number;
  mibPerSec: number;
  maxRssKiB?: number;
  medianRssKiB?: number;
  medianCpuSec?: number;
  result: string;
  details: Record<string, unknown>;
}

function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

class BenchError extends Error {}

function fail(msg: string): never {
  throw new BenchError(msg);
}

// ---------------------------------------------------------------------------------------
// Build freshness

function newestUnbuilt(): string | undefined {
  const src = join(ROOT, 'src');
  const walk = (dir: string): string | undefined => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        const r = walk(p);
        if (r) return r;
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        const out = join(ROOT, 'dist', relative(src, p)).replace(/\.ts$/, '.js');
        if (!existsSync(out) || statSync(out).mtimeMs < statSync(p).mtimeMs) return relative(ROOT, p);
      }
    }
    return undefined;
  };
  return existsSync(src) ? walk(src) : undefined;
}

function ensureBuilt(noBuild: boolean): void {
  const stale = newestUnbuilt();
  if (!stale) return;
  if (noBuild) {
    log(`warning: ${stale} is newer than its build in dist/ (--no-build given: measuring the old build)`);
    return;
  }
  log(`${stale} is newer than dist/: running npm run build first`);
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' });
  if (r.status !== 0) {
    if (!existsSync(BIN)) fail('npm run build failed and there is no dist/cli/bin.js');
    log('warning: npm run build reported errors; measuring what it emitted');
  }
  if (newestUnbuilt()?.startsWith('src/bench/')) log('note: the benchmark itself was rebuilt; this run uses the code it started with');
}

// ---------------------------------------------------------------------------------------
// Machine and tree

function machine() {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpuModel = m[1]!.trim();
  } catch {
    /* not Linux */
  }
  return {
    cpuModel,
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length,
    memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

interface TreeSize {
  sourceFiles: number;
  sourceBytes: number;
  allFiles: number;
  allBytes: number;
}

function measureTree(dir: string): TreeSize {
  const t: TreeSize = { sourceFiles: 0, sourceBytes: 0, allFiles: 0, allBytes: 0 };
  // ka-audit never enters .git/node_modules/...; grep -r reads everything.
  const walk = (d: string, audited: boolean) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p, audited && !SKIPPED_DIRS.has(e.name));
      else if (e.isFile()) {
        const size = statSync(p).size;
        t.allFiles++;
        t.allBytes += size;
        if (audited && SOURCE_EXT.test(e.name) && !DECL.test(e.name)) {
          t.sourceFiles++;
          t.sourceBytes += size;
        }
      }
    }
  };
  walk(dir, true);
  return t;
}

// ---------------------------------------------------------------------------------------
// Tools

interface KaFeatures {
  jobs: boolean;
  cache: boolean;
  cacheLocation?: string;
  version: string;
}

function kaFeatures(): KaFeatures {
  const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
  if (help.status !== 0) fail(`node dist/cli/bin.js --help failed:\n${help.stderr}`);
  const text = help.stdout;
  const version = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' }).stdout.trim();
  const loc = /(--cache-(?:location|dir|file))\b/.exec(text);
  return {
    jobs: /--jobs\b/.test(text),
    cache: /--cache\b(?!-)/.test(text),
    ...(loc ? { cacheLocation: loc[1]! } : {}),
    version,
  };
}

function grepVersion(): string | undefined {
  const r = spawnSync('grep', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n')[0] : undefined;
}

// ---------------------------------------------------------------------------------------

function fmt(n: number, digits = 2): string {
  if (!Number.isFinite(n)) return '-';
  if (n >= 1000) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(digits);
}

function mb(kib: number | undefined): string {
  return kib === undefined ? '-' : `${Math.round((kib * 1024) / 1e6)} MB`;
}

function summarize(name: string, command: string, runs: RunResult[], tree: TreeSize, result: string, details: Record<string, unknown>): ToolSummary {
  const ms = median(runs.map((r) => r.wallMs));
  const rss = runs.map((r) => r.maxRssKiB).filter((x): x is number => x !== undefined);
  const cpu = runs.filter((r) => r.userSec !== undefined).map((r) => r.userSec! + (r.sysSec ?? 0));
  return {
    name,
    command,
    runs,
    medianMs: ms,
    minMs: Math.min(...runs.map((r) => r.wallMs)),
    filesPerSec: tree.sourceFiles / (ms / 1000),
    mibPerSec: tree.sourceBytes / 1048576 / (ms / 1000),
    ...(rss.length ? { maxRssKiB: Math.max(...rss), medianRssKiB: median(rss) } : {}),
    ...(cpu.length ? { medianCpuSec: median(cpu) } : {}),
    result,
    details,
  };
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function countLines(file: string): number {
  const text = readFileSync(file, 'utf8');
  return text.length === 0 ? 0 : text.split('\n').filter((l) => l.trim() !== '').length;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      files: { type: 'string', default: '2000' },
      'socket-share': { type: 'string', default: '0.1' },
      seed: { type: 'string', default: '1' },
      keep: { type: 'boolean', default: false },
      jobs: { type: 'string' },
      runs: { type: 'string', default: '3' },
      'no-cache-runs': { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length > 1) fail('at most one DIR');
  const cores = machine().cores;
  const jobs = values.jobs ? Number(values.jobs) : cores;
  const runs = Number(values.runs);
  const files = Number(values.files);
  const share = Number(values['socket-share']);
  const seed = Number(values.seed);
  if (!Number.isInteger(jobs) || jobs < 1) fail('--jobs must be a positive integer');
  if (!Number.isInteger(runs) || runs < 1) fail('--runs must be a positive integer');
  if (!Number.isInteger(files) || files < 1 || !(share >= 0 && share <= 1) || !Number.isInteger(seed)) fail('bad --files, --socket-share or --seed');

  ensureBuilt(values['no-build']);
  if (!existsSync(BIN)) fail('dist/cli/bin.js is missing: run `npm run build` first');

  let dir: string | undefined;
  if (positionals[0]) {
    // Under `npm run bench -- DIR` the cwd is the package root; INIT_CWD is where npm was run.
    dir = resolve(process.env['npm_lifecycle_event'] === 'bench' && process.env['INIT_CWD'] ? process.env['INIT_CWD'] : process.cwd(), positionals[0]);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) fail(`${dir} is not a directory`);
  }
  const work = mkdtempSync(join(os.tmpdir(), 'ka-bench-'));
  let manifest: Manifest | undefined;
  try {
    const outDir = join(work, 'out');
    mkdirSync(outDir);
    if (!dir) {
      dir = join(work, 'corpus');
      log(`generating ${files} files (seed ${seed}, ${Math.round(share * 100)}% with sockets) in ${dir}`);
      const t0 = performance.now();
      manifest = writeCorpus({ files, socketShare: share, seed }, dir, join(work, 'manifest.json'));
      log(`  ${manifest.files} files, ${(manifest.bytes / 1048576).toFixed(1)} MiB, ${manifest.sites.length} sites, ${manifest.findings.length} expected findings (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
    const tree = measureTree(dir);
    const mach = machine();
    const ka = kaFeatures();
    const sg = findAstGrep();
    const grepV = grepVersion();
    const useTime = hasGnuTime();
    if (!sg) log('warning: ast-grep not found (npm ci installs @ast-grep/cli); skipping it');
    if (!grepV) log('warning: grep not found; skipping it');

    const kaArgs = [BIN, '--no-ignore', '--format', 'json', ...(ka.jobs ? ['--jobs', String(jobs)] : []), '.'];
    const kaSpec: RunSpec = { cmd: process.execPath, args: kaArgs, cwd: dir, rss: useTime ? 'time' : 'node-wrapper', wrapper: WRAPPER };
    const sgConfig = writeAstGrepConfig(join(work, 'ast-grep'));
    const sgSpec: RunSpec | undefined = sg && {
      cmd: sg.bin,
      args: ['scan', '-c', sgConfig, '-j', String(jobs), '--json=stream', '--inspect', 'summary',
        // what ka-audit --no-ignore reads: every file, .gitignore not honoured, but never these
        '--no-ignore', 'hidden', '--no-ignore', 'dot', '--no-ignore', 'vcs', '--no-ignore', 'parent', '--no-ignore', 'exclude', '--no-ignore', 'global',
        '--globs', '!.git', '--globs', '!node_modules', '--globs', '!.hg', '--globs', '!.svn', '--globs', '!*.d.ts', '--globs', '!*.d.mts', '--globs', '!*.d.cts',
        '.'],
      cwd: dir,
      rss: useTime ? 'time' : 'none',
    };
    const grepSpec: RunSpec | undefined = grepV ? { cmd: 'grep', args: ['-rlE', 'socket|accept', '.'], cwd: dir, rss: useTime ? 'time' : 'none' } : undefined;

    log(`machine: ${mach.cpuModel}, ${mach.cores} cores, Node ${mach.node}; threads ${jobs}; ${runs} run(s) each`);
    log(`tree: ${tree.sourceFiles} source files, ${(tree.sourceBytes / 1048576).toFixed(1)} MiB`);
    // Warm the page cache so the first tool does not pay for the disk.
    if (grepSpec) await timedRun({ ...grepSpec, rss: 'none' }, outDir, 'warmup-grep');

    const kaRuns: RunResult[] = [];
    const sgRuns: RunResult[] = [];
    const grepRuns: RunResult[] = [];
    const order: ['ka' | 'sg' | 'grep', RunSpec | undefined][] = [['ka', kaSpec], ['sg', sgSpec], ['grep', grepSpec]];
    for (let r = 0; r < runs; r++) {
      // Rotate the order each round so drift on a shared machine hits every tool alike.
      for (let k = 0; k < order.length; k++) {
        const [name, spec] = order[(k + r) % order.length]!;
        if (!spec) continue;
        const res = await timedRun(spec, outDir, `${name}-${r}`);
        const ok = name === 'grep' ? res.exitCode === 0 || res.exitCode === 1 : name === 'ka' ? res.exitCode !== null && res.exitCode <= 2 : res.exitCode === 0;
        if (!ok) {
          const err = readFileSync(res.stderrFile, 'utf8').slice(0, 2000);
          fail(`${name} failed (exit ${res.exitCode}${res.signal ? `, signal ${res.signal}` : ''}):\n${err}`);
        }
        log(`  run ${r + 1}/${runs} ${name.padEnd(4)} ${(res.wallMs / 1000).toFixed(2)} s${res.maxRssKiB ? `, ${mb(res.maxRssKiB)}` : ''}`);
        (name === 'ka' ? kaRuns : name === 'sg' ? sgRuns : grepRuns).push(res);
      }
    }

    // ka-audit's report from the last run: counts, and the check against the manifest.
    const kaReport = readJson<KaReport>(kaRuns[kaRuns.length - 1]!.stdoutFile);
    if (!kaReport) fail(`ka-audit printed no JSON report:\n${readFileSync(kaRuns[kaRuns.length - 1]!.stderrFile, 'utf8').slice(0, 2000)}`);
    const tools: ToolSummary[] = [];
    tools.push(
      summarize('ka-audit', `node dist/cli/bin.js ${kaArgs.slice(1).join(' ')}`, kaRuns, tree, `${kaReport.findings.length} findings, ${kaReport.errors.length} file errors`, {
        version: ka.version,
        jobsOption: ka.jobs,
        cacheOption: ka.cache,
        findings: kaReport.findings.length,
        errors: kaReport.errors.length,
        stats: kaReport.stats,
      }),
    );
    if (sgSpec && sgRuns.length) {
      const last = sgRuns[sgRuns.length - 1]!;
      const matches = countLines(last.stdoutFile);
      const scanned = /scannedFileCount=(\d+)/.exec(readFileSync(last.stderrFile, 'utf8'));
      tools.push(summarize('ast-grep', `ast-grep ${sgSpec.args.join(' ')}`, sgRuns, tree, `${matches} matches${scanned ? ` in ${scanned[1]} files` : ''}`, { version: sg!.version, bin: sg!.bin, matches, scannedFiles: scanned ? Number(scanned[1]) : undefined }));
    }
    if (grepSpec && grepRuns.length) {
      const listed = countLines(grepRuns[grepRuns.length - 1]!.stdoutFile);
      tools.push(summarize('grep', `grep ${grepSpec.args.map((a) => (a.includes('|') ? `'${a}'` : a)).join(' ')}`, grepRuns, tree, `${listed} files listed (reads all ${tree.allFiles} files, ${(tree.allBytes / 1048576).toFixed(1)} MiB)`, { version: grepV, filesListed: listed }));
    }

    // Cache: cold run, then a warm re-run on the unchanged tree.
    let cache: Record<string, unknown> | null = null;
    if (ka.cache && !values['no-cache-runs']) {
      const colds: RunResult[] = [];
      const warms: RunResult[] = [];
      for (let r = 0; r < runs; r++) {
        const cdir = mkdtempSync(join(work, 'cache-'));
        const cwd = join(cdir, 'cwd');
        mkdirSync(cwd);
        const loc = join(cdir, 'ka-audit-cache');
        const args = [BIN, '--no-ignore', '--format', 'json', ...(ka.jobs ? ['--jobs', String(jobs)] : []), '--cache', ...(ka.cacheLocation ? [ka.cacheLocation, loc] : []), dir];
        const spec: RunSpec = { ...kaSpec, args, cwd, env: { ...process.env, XDG_CACHE_HOME: join(cdir, 'xdg') } };
        const cold = await timedRun(spec, outDir, `ka-cold-${r}`);
        const warm = await timedRun(spec, outDir, `ka-warm-${r}`);
        for (const [n, x] of [['cold', cold], ['warm', warm]] as const) {
          if (x.exitCode === null || x.exitCode > 2) fail(`ka-audit --cache (${n}) failed:\n${readFileSync(x.stderrFile, 'utf8').slice(0, 2000)}`);
        }
        log(`  run ${r + 1}/${runs} cache cold ${(cold.wallMs / 1000).toFixed(2)} s, warm ${(warm.wallMs / 1000).toFixed(2)} s`);
        colds.push(cold);
        warms.push(warm);
        rmSync(cdir, { recursive: true, force: true });
      }
      const coldMs = median(colds.map((x) => x.wallMs));
      const warmMs = median(warms.map((x) => x.wallMs));
      cache = {
        coldMs,
        warmMs,
        warmOverCold: warmMs / coldMs,
        coldRunsMs: colds.map((x) => Math.round(x.wallMs)),
        warmRunsMs: warms.map((x) => Math.round(x.wallMs)),
        location: ka.cacheLocation ? `${ka.cacheLocation} <temp dir>` : 'ka-audit default (each cold run from a fresh working directory and XDG_CACHE_HOME)',
      };
    }

    let correctness: Record<string, unknown> | null = null;
    if (manifest) {
      const mism = compareWithManifest(kaReport, manifest);
      const missing = mism.filter((m) => m.kind === 'missing-finding').length;
      const unexpected = mism.filter((m) => m.kind === 'unexpected-finding').length;
      const errors = mism.filter((m) => m.kind === 'error').length;
      correctness = { expected: manifest.findings.length, reported: kaReport.findings.length, missing, unexpected, errors, mismatches: mism.slice(0, 20) };
    }

    const [kaT, sgT, grepT] = [tools.find((t) => t.name === 'ka-audit')!, tools.find((t) => t.name === 'ast-grep'), tools.find((t) => t.name === 'grep')];
    const ratios = {
      kaOverAstGrep: sgT ? kaT.medianMs / sgT.medianMs : null,
      kaOverGrep: grepT ? kaT.medianMs / grepT.medianMs : null,
      /** The same from each tool's fastest run. */
      kaOverAstGrepMin: sgT ? kaT.minMs / sgT.minMs : null,
      kaOverGrepMin: grepT ? kaT.minMs / grepT.minMs : null,
    };
    const result = {
      version: 1,
      date: new Date().toISOString(),
      machine: { ...mach, note: 'shared machine: timings are noisy; compare ratios from one invocation' },
      corpus: {
        dir,
        generated: manifest ? { files, socketShare: share, seed, socketFiles: manifest.socketFiles.length, sites: manifest.sites.length, expectedFindings: manifest.findings.length, sha256: manifest.sha256 } : null,
        ...tree,
        sourceMiB: tree.sourceBytes / 1048576,
      },
      jobs,
      runs,
      timer: useTime ? '/usr/bin/time -v' : 'node resourceUsage wrapper (ka-audit only)',
      tools: tools.map(({ runs: rs, ...t }) => ({ ...t, runs: rs.map((x) => ({ wallMs: Math.round(x.wallMs), exitCode: x.exitCode, maxRssKiB: x.maxRssKiB, userSec: x.userSec, sysSec: x.sysSec })) })),
      ratios,
      cache,
      correctness,
    };

    if (values.json) {
      process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    } else {
      const lines: string[] = [];
      lines.push('', `ka-audit benchmark (${result.date})`);
      lines.push(`machine:  ${mach.cpuModel}, ${mach.cores} cores, ${mach.memGiB} GiB, ${mach.os}, Node ${mach.node}, load ${mach.loadavg.join(' ')} (shared machine: timings are noisy)`);
      lines.push(`tree:     ${dir}${manifest ? ` (generated: seed ${seed}, ${files} files, ${Math.round(share * 100)}% with sockets)` : ''}`);
      lines.push(`          ${tree.sourceFiles.toLocaleString('en-US')} source files (.c .h .ts .js ...), ${(tree.sourceBytes / 1048576).toFixed(1)} MiB`);
      lines.push(`threads:  ${jobs}${ka.jobs ? '' : ' (ast-grep; this ka-audit build has no --jobs option, so it runs as it does by default)'}; median of ${runs} run(s); timer: ${result.timer}`);
      lines.push('');
      lines.push(`${'tool'.padEnd(10)} ${'median s'.padStart(9)} ${'min s'.padStart(7)} ${'files/s'.padStart(9)} ${'MiB/s'.padStart(8)} ${'peak RSS'.padStart(9)} ${'CPU s'.padStart(7)}  result`);
      for (const t of tools) {
        lines.push(`${t.name.padEnd(10)} ${fmt(t.medianMs / 1000).padStart(9)} ${fmt(t.minMs / 1000).padStart(7)} ${fmt(t.filesPerSec, 0).padStart(9)} ${fmt(t.mibPerSec).padStart(8)} ${mb(t.maxRssKiB).padStart(9)} ${(t.medianCpuSec === undefined ? '-' : fmt(t.medianCpuSec)).padStart(7)}  ${t.result}`);
      }
      lines.push('');
      if (ratios.kaOverAstGrep !== null) lines.push(`ka-audit / ast-grep time: ${ratios.kaOverAstGrep.toFixed(2)}x median, ${ratios.kaOverAstGrepMin!.toFixed(2)}x fastest runs  (issue 8 target: < 1.0)`);
      if (ratios.kaOverGrep !== null) lines.push(`ka-audit / grep time:     ${ratios.kaOverGrep.toFixed(2)}x median, ${ratios.kaOverGrepMin!.toFixed(2)}x fastest runs  (target: <= 3)`);
      lines.push(`ka-audit peak RSS:        ${mb(kaT.maxRssKiB)}  (target: < 400 MB on 10,000 files)`);
      if (cache) lines.push(`ka-audit --cache:         cold ${fmt((cache.coldMs as number) / 1000)} s, warm ${fmt((cache.warmMs as number) / 1000)} s, warm/cold ${(cache.warmOverCold as number).toFixed(3)}  (target: < 0.10)`);
      else lines.push(`ka-audit --cache:         ${ka.cache ? 'skipped (--no-cache-runs)' : 'not measured: this ka-audit build has no --cache option'}`);
      if (correctness) {
        const c = correctness as { expected: number; missing: number; unexpected: number; errors: number; mismatches: { kind: string; file: string; line: number; detail: string }[] };
        lines.push(`correctness:              ${c.expected - c.missing}/${c.expected} expected findings reported, ${c.unexpected} unexpected, ${c.errors} file errors`);
        for (const m of c.mismatches.slice(0, 10)) lines.push(`    ${m.kind} ${m.file}:${m.line} ${m.detail}`);
      }
      process.stdout.write(lines.join('\n') + '\n');
    }
    if (values.keep && manifest) log(`corpus kept in ${dir} (manifest ${join(work, 'manifest.json')})`);
    return 0;
  } finally {
    if (values.keep && manifest) rmSync(join(work, 'out'), { recursive: true, force: true });
    else rmSync(work, { recursive: true, force: true });
  }
}

try {
  process.exitCode = await main();
} catch (e) {
  process.stderr.write(`bench: ${e instanceof BenchError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 2;
}
