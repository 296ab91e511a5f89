// Shared by the run-time tests: a root command shaped like src/cli/program.ts with the run-time
// subcommands registered, a fake proc tree in a temp dir, and sample /proc/net/tcp lines.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { registerRuntimeCommands } from '../../src/cli/runtime-commands.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Set when the root's default action (the audit) ran instead of a subcommand. */
  rootAction?: { paths: string[]; opts: Record<string, unknown> };
}

/** Runs argv through a root command like ka-audit's: `[paths...]`, its own --format, a default action. */
export async function runCli(argv: string[]): Promise<CliResult> {
  const result: CliResult = { code: 0, stdout: '', stderr: '' };
  const io = { cwd: process.cwd(), stdout: (s: string) => void (result.stdout += s), stderr: (s: string) => void (result.stderr += s), color: false };
  const program = new Command()
    .name('ka-audit')
    .argument('[paths...]', 'files or directories to audit', ['.'])
    .addOption(new Option('-f, --format <format>', 'output format').choices(['stylish', 'json', 'sarif', 'github']).default('stylish'))
    .option('-q, --quiet', 'report errors only')
    .option('--no-color', 'no colours')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .action((paths: string[], opts: Record<string, unknown>) => {
      result.rootAction = { paths, opts };
    });
  registerRuntimeCommands(program, io, (code) => {
    result.code = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    result.code = e.code === 'commander.helpDisplayed' || e.code === 'commander.help' ? 0 : 2;
  }
  return result;
}

export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Writes files (string content) and symlinks ({ link: target }) under root. */
export function writeTree(root: string, files: Record<string, string | { link: string }>): void {
  for (const [rel, content] of Object.entries(files)) {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    if (typeof content === 'string') writeFileSync(path, content);
    else symlinkSync(content.link, path);
  }
}

export function fakeKeepaliveSettings(time: number | string, intvl: number | string, probes: number | string): Record<string, string> {
  return {
    'sys/net/ipv4/tcp_keepalive_time': `${time}\n`,
    'sys/net/ipv4/tcp_keepalive_intvl': `${intvl}\n`,
    'sys/net/ipv4/tcp_keepalive_probes': `${probes}\n`,
  };
}

export const TCP_HEADER =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode                                                     \n';
export const TCP6_HEADER =
  '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
