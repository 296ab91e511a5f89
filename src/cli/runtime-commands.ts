// The run-time subcommands: `ka-audit doctor` (kernel keepalive defaults) and `ka-audit live`
// (established connections without a keepalive timer). Like the audit, they hand an exit code
// to setExit and never touch process.exitCode themselves.
import type * as Commander from 'commander';
import requireCjs from '../engine/cjs.cjs';
import { RUNTIME_FORMATS, type RuntimeFormat } from '../runtime/common.js';
import type { CliIO } from './program.js';

const { InvalidArgumentError, Option } = requireCjs('commander') as typeof Commander;

function positiveInt(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) <= 0) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return Number(v);
  };
}

const formatOption = () => new Option('-f, --format <format>', 'output format').choices([...RUNTIME_FORMATS]).default('stylish');
const procRootOption = () =>
  new Option('--proc-root <dir>', 'read this directory instead of /proc (a fake or captured proc tree; read on any OS)');

export function registerRuntimeCommands(program: Commander.Command, io: CliIO, setExit: (code: number) => void): void {
  // The root command has its own --format/--quiet/... and a [paths...] argument. Without
  // positional options commander would let the root consume `doctor --format json` itself;
  // with them, root options are read only before the subcommand name, the rest goes to it.
  program.enablePositionalOptions();

  const useColor = (opts: Record<string, unknown>) => opts['color'] !== false && (io.color ?? false);

  program
    .command('doctor')
    .description("check the kernel's TCP keepalive defaults against common idle timeouts (Linux); exit 0 ok, 1 too slow, 2 cannot read")
    .addOption(formatOption())
    .addOption(procRootOption())
    .option('--no-color', 'no colours in stylish output')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .action(async (opts: Record<string, unknown>) => {
      // Loaded only when asked for: an audit never needs them.
      const { doctorExitCode, formatDoctor, runDoctor } = await import('../runtime/doctor.js');
      const report = runDoctor(opts['procRoot'] !== undefined ? { procRoot: String(opts['procRoot']) } : {});
      const text = formatDoctor(report, opts['format'] as RuntimeFormat, useColor(opts));
      // In stylish, "cannot read" is an error message: stderr. JSON always goes to stdout.
      if (report.verdict === 'unavailable' && opts['format'] !== 'json') io.stderr(text);
      else io.stdout(text);
      setExit(doctorExitCode(report));
    });

  program
    .command('live')
    .description('list established TCP connections without a keepalive timer (Linux); exit 0 none, 1 some, 2 error')
    .option('--pid <pid>', 'only the connections of this process', positiveInt('--pid'))
    .option('--include-loopback', 'count loopback connections too (listed but not counted by default)')
    .option('--all', 'list every established connection, not only those without keepalive')
    .option('--samples <n>', 'read the tables n times, 200 ms apart, to see past retransmit timers', positiveInt('--samples'), 1)
    .addOption(formatOption())
    .addOption(procRootOption())
    .option('--no-color', 'no colours in stylish output')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .action(async (opts: Record<string, unknown>) => {
      const { formatLive, liveExitCode, runLive } = await import('../runtime/live.js');
      const report = await runLive({
        ...(opts['procRoot'] !== undefined ? { procRoot: String(opts['procRoot']) } : {}),
        ...(opts['pid'] !== undefined ? { pid: opts['pid'] as number } : {}),
        includeLoopback: !!opts['includeLoopback'],
        samples: opts['samples'] as number,
      });
      const text = formatLive(report, opts['format'] as RuntimeFormat, { color: useColor(opts), all: !!opts['all'] });
      if (report.errors.length && opts['format'] !== 'json') io.stderr(text);
      else io.stdout(text);
      setExit(liveExitCode(report));
    });
}
