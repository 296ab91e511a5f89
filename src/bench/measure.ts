// Timing one command: wall time from this process, peak RSS and CPU time from /usr/bin/time -v
// when it exists (otherwise from a Node wrapper, for Node commands only).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TIME_BIN = '/usr/bin/time';

export interface RunResult {
  wallMs: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Peak resident set size in KiB, when it could be measured. */
  maxRssKiB?: number;
  userSec?: number;
  sysSec?: number;
  /** Where stdout and stderr went. */
  stdoutFile: string;
  stderrFile: string;
}

export interface RunSpec {
  cmd: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** How to measure memory: GNU time, the Node wrapper (cmd must then be node), or not at all. */
  rss: 'time' | 'node-wrapper' | 'none';
  /** Path of dist/bench/rss-wrapper.js, for rss 'node-wrapper'. */
  wrapper?: string;
}

export function hasGnuTime(): boolean {
  if (!existsSync(TIME_BIN)) return false;
  return true;
}

function parseTimeV(text: string): Pick<RunResult, 'maxRssKiB' | 'userSec' | 'sysSec'> {
  const num = (re: RegExp) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const out: Pick<RunResult, 'maxRssKiB' | 'userSec' | 'sysSec'> = {};
  const rss = num(/Maximum resident set size \(kbytes\):\s*(\d+)/);
  const user = num(/User time \(seconds\):\s*([\d.]+)/);
  const sys = num(/System time \(seconds\):\s*([\d.]+)/);
  if (rss !== undefined) out.maxRssKiB = rss;
  if (user !== undefined) out.userSec = user;
  if (sys !== undefined) out.sysSec = sys;
  return out;
}

/** Runs the command once; stdout and stderr go to files in `outDir`. */
export async function timedRun(spec: RunSpec, outDir: string, tag: string): Promise<RunResult> {
  const stdoutFile = join(outDir, `${tag}.stdout`);
  const stderrFile = join(outDir, `${tag}.stderr`);
  const scratch = mkdtempSync(join(tmpdir(), 'ka-bench-m-'));
  const metaFile = join(scratch, 'meta');
  let cmd = spec.cmd;
  let args = spec.args;
  if (spec.rss === 'time') {
    args = ['-v', '-o', metaFile, cmd, ...args];
    cmd = TIME_BIN;
  } else if (spec.rss === 'node-wrapper') {
    if (!spec.wrapper) throw new Error('node-wrapper needs the wrapper path');
    // spec.cmd is node and spec.args[0] the script.
    args = [spec.wrapper, metaFile, ...args];
  }
  const out = openSync(stdoutFile, 'w');
  const err = openSync(stderrFile, 'w');
  const started = performance.now();
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: spec.cwd, env: spec.env ?? process.env, stdio: ['ignore', out, err] });
    child.on('error', reject);
    child.on('exit', (c, s) => resolve({ code: c, signal: s }));
  });
  const wallMs = performance.now() - started;
  closeSync(out);
  closeSync(err);
  const result: RunResult = { wallMs, exitCode: code, signal, stdoutFile, stderrFile };
  try {
    if (existsSync(metaFile)) {
      const text = readFileSync(metaFile, 'utf8');
      if (spec.rss === 'time') {
        Object.assign(result, parseTimeV(text));
        // GNU time reports the command's status; a signal shows up as "Command terminated by signal N".
        const st = /Exit status:\s*(\d+)/.exec(text);
        if (st) result.exitCode = Number(st[1]);
      } else {
        const j = JSON.parse(text) as { maxRssKiB: number; userSec: number; sysSec: number };
        result.maxRssKiB = j.maxRssKiB;
        result.userSec = j.userSec;
        result.sysSec = j.sysSec;
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return result;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
