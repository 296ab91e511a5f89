// The `ka-audit` command. It returns an exit code; only bin.ts calls process.exit.
//   0  no findings      1  findings (or more warnings than --max-warnings)      2  tool or usage error
import type * as Commander from 'commander';
import requireCjs from '../engine/cjs.cjs';
import { audit, type AuditOptions } from '../engine/audit.js';
import { prepareFixes, renderDiff, writeFixes } from '../engine/fixer.js';
import { BaselineError, readBaseline, subtractBaseline, writeBaseline } from '../engine/baseline.js';
import { ConfigError, loadConfig, type LoadedConfig } from './config.js';
import { posix, relative, resolve, sep } from 'node:path';
import { DEFAULT_KEEPALIVE } from '../engine/types.js';
import { printerFor, printerNames } from '../report/index.js';
import { VERSION } from '../engine/version.js';
import { registerRuntimeCommands } from './runtime-commands.js';

const { Command, CommanderError, InvalidArgumentError, Option } = requireCjs('commander') as typeof Commander;

export interface CliIO {
  cwd: string;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Colour in stylish output (default: stdout is a TTY). */
  color?: boolean;
}

export const EXIT = { clean: 0, findings: 1, error: 2 } as const;

/** A commander parser for whole numbers of at least `min`. */
function intAtLeast(min: number, name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < min) throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}`);
    return Number(v);
  };
}

const positiveInt = (name: string) => intAtLeast(1, name);
const nonNegativeInt = (name: string) => intAtLeast(0, name);

export async function run(argv: string[], io: CliIO): Promise<number> {
  let exitCode: number = EXIT.clean;
  const program = new Command()
    .name('ka-audit')
    .description('Find TCP connections without keepalive in C and TypeScript/JavaScript code, and fix them.')
    .version(VERSION, '-v, --version')
    .argument('[paths...]', 'files or directories to audit', ['.'])
    .addOption(new Option('-f, --format <format>', 'output format').choices(printerNames()).default('stylish'))
    .option('--fix', 'write the safe fixes, then report what remains')
    .option('--fix-dry-run', 'print the fixes as a unified diff; write nothing')
    .option('--list-sites', 'also list every socket site with its classification and evidence')
    .option('--include-unknown', 'also report sites whose TCP-ness cannot be decided (as warnings)')
    .option('--keepidle <seconds>', 'idle time before the first probe, for fixes', positiveInt('--keepidle'))
    .option('--keepintvl <seconds>', 'interval between probes, for fixes', positiveInt('--keepintvl'))
    .option('--keepcnt <count>', 'unanswered probes before the connection drops, for fixes', positiveInt('--keepcnt'))
    .option('-c, --config <file>', 'configuration file (default: ka-audit.config.json or package.json "ka-audit", looked up from here upward)')
    .option('--no-ignore', 'do not honour .gitignore files')
    .option('--baseline <file>', 'report only findings that are not in this baseline')
    .option('--write-baseline <file>', 'record the current findings as the baseline, then exit')
    .option('--report-unused-suppressions', 'report ka-audit-ignore/disable comments that suppress nothing')
    .option('--max-file-size <bytes>', 'skip files larger than this', positiveInt('--max-file-size'))
    .option('-j, --jobs <n>', 'threads to use, helpers included (default: the number of cores)', positiveInt('--jobs'))
    .option('--cache', 'reuse the last result when no file changed (stored in .ka-audit-cache/)')
    .option('--cache-location <dir>', 'where --cache keeps its data', '.ka-audit-cache')
    .option('--max-warnings <n>', 'exit 1 when there are more warnings than this', nonNegativeInt('--max-warnings'))
    .option('-q, --quiet', 'report errors only')
    .option('--no-color', 'no colours in stylish output')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .action(async (paths: string[], opts: Record<string, unknown>) => {
      exitCode = await auditCommand(paths, opts, io);
    });
  registerRuntimeCommands(program, io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.clean;
      return EXIT.error;
    }
    io.stderr(`ka-audit: ${(e as Error).stack ?? String(e)}\n`);
    return EXIT.error;
  }
  return exitCode;
}

async function auditCommand(paths: string[], opts: Record<string, unknown>, io: CliIO): Promise<number> {
  const format = String(opts['format'] ?? 'stylish');
  const printer = printerFor(format)!;
  let loaded: LoadedConfig;
  let known: Set<string> | undefined;
  try {
    loaded = loadConfig(io.cwd, opts['config'] as string | undefined);
    if (opts['baseline']) known = readBaseline(resolve(io.cwd, opts['baseline'] as string));
  } catch (e) {
    if (e instanceof ConfigError || e instanceof BaselineError) {
      io.stderr(`ka-audit: ${e.message}\n`);
      return EXIT.error;
    }
    throw e;
  }
  const auditOpts = auditOptionsFrom(paths, opts, loaded, io.cwd);
  const result = await audit(auditOpts);
  if (result.stats.workerFailure) io.stderr(`ka-audit: worker threads failed (${result.stats.workerFailure}); each language was analysed again alone, in one worker with this process's heap bound\n`);
  if (opts['writeBaseline']) {
    const n = writeBaseline(resolve(io.cwd, opts['writeBaseline'] as string), result.findings);
    io.stderr(`ka-audit: wrote ${n} finding(s) to ${opts['writeBaseline'] as string}\n`);
    return result.errors.some((e) => (e.severity ?? 'error') === 'error') ? EXIT.error : EXIT.clean;
  }
  if (known) {
    const { findings, matched } = subtractBaseline(result.findings, known);
    result.findings = findings;
    result.stats = { ...result.stats, findings: findings.filter((f) => !f.suppressed).length };
    if (matched) io.stderr(`ka-audit: ${matched} finding(s) already in the baseline are not reported\n`);
  }
  const printOpts = {
    color: opts['color'] !== false && (io.color ?? false),
    listSites: !!opts['listSites'],
    quiet: !!opts['quiet'],
    cwd: io.cwd,
  };
  const maxWarnings = opts['maxWarnings'] as number | undefined;
  if (opts['fixDryRun'] || opts['fix']) {
    const outcome = await prepareFixes(result);
    result.errors.push(...outcome.errors);
    const count = outcome.fixes.reduce((n, f) => n + f.applied.length, 0);
    if (opts['fixDryRun']) {
      io.stdout(await renderDiff(outcome));
      io.stderr(`ka-audit: ${count} fix(es) in ${outcome.fixes.length} file(s) (dry run: nothing written)\n`);
      return exitCodeFor(result, maxWarnings);
    }
    result.errors.push(...writeFixes(result, outcome));
    io.stderr(`ka-audit: fixed ${count} problem(s) in ${outcome.fixes.length} file(s)\n`);
    const remaining = { ...result, findings: outcome.remaining };
    remaining.stats = { ...result.stats, findings: outcome.remaining.length };
    io.stdout(printer.print(remaining, printOpts));
    return exitCodeFor(remaining, maxWarnings);
  }
  io.stdout(printer.print(result, printOpts));
  return exitCodeFor(result, maxWarnings);
}

/** Command-line flags win over the configuration file, which wins over the defaults. */
export function auditOptionsFrom(paths: string[], opts: Record<string, unknown>, loaded: LoadedConfig, cwd: string): AuditOptions {
  const cfg = loaded.config;
  // Globs in the config are relative to the config file's directory; discovery matches paths
  // relative to the working directory.
  const rel = relative(cwd, loaded.baseDir).split(sep).join('/');
  const rebase = (globs: string[] | undefined) => globs?.map((g) => (rel && !g.startsWith('/') ? posix.join(rel, g) : g.replace(/^\//, '')));
  const include = rebase(cfg.include);
  const exclude = rebase(cfg.exclude);
  return {
    cwd,
    paths,
    gitignore: opts['ignore'] !== false && cfg.gitignore !== false,
    includeUnknown: !!opts['includeUnknown'] || !!cfg.includeUnknown,
    keepalive: {
      idle: (opts['keepidle'] as number | undefined) ?? cfg.keepalive?.idle ?? DEFAULT_KEEPALIVE.idle,
      interval: (opts['keepintvl'] as number | undefined) ?? cfg.keepalive?.interval ?? DEFAULT_KEEPALIVE.interval,
      count: (opts['keepcnt'] as number | undefined) ?? cfg.keepalive?.count ?? DEFAULT_KEEPALIVE.count,
    },
    fixes: true,
    reportUnusedSuppressions: !!opts['reportUnusedSuppressions'],
    ...(opts['jobs'] ? { jobs: opts['jobs'] as number } : {}),
    ...(opts['cache'] ? { cacheDir: String(opts['cacheLocation'] ?? '.ka-audit-cache') } : {}),
    ...(include ? { include } : {}),
    ...(exclude ? { exclude } : {}),
    ...(cfg.rules ? { severity: cfg.rules } : {}),
    ...(cfg.helpers ? { helpers: cfg.helpers } : {}),
    ...((opts['maxFileSize'] ?? cfg.maxFileSize) ? { maxFileBytes: (opts['maxFileSize'] ?? cfg.maxFileSize) as number } : {}),
  };
}

export function exitCodeFor(result: Awaited<ReturnType<typeof audit>>, maxWarnings?: number): number {
  if (result.errors.some((e) => (e.severity ?? 'error') === 'error')) return EXIT.error;
  const live = result.findings.filter((f) => !f.suppressed);
  if (live.some((f) => f.severity === 'error')) return EXIT.findings;
  const warnings = live.filter((f) => f.severity === 'warning').length;
  if (maxWarnings !== undefined && warnings > maxWarnings) return EXIT.findings;
  return EXIT.clean;
}
