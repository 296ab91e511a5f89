// The only proof a C fix works: compile the fixed program, run it against a peer on
// 127.0.0.1, and read the kernel's keepalive timer on its socket with `ss -tno`. The unfixed
// program must show none. Every process is bounded in time and cleaned up.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_KEEPALIVE } from '../src/engine/types.js';
import { loadCases } from './lib/fixtures.js';
import { waitForTimer } from './lib/ss.js';

const runnable = loadCases('c').filter((c) => (c as { run?: unknown }).run);
const build = mkdtempSync(join(tmpdir(), 'ka-run-c-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const ch of children) ch.kill('SIGKILL');
  rmSync(build, { recursive: true, force: true });
});

function compile(src: string, out: string): string {
  execFileSync('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-o', out, src], { stdio: 'pipe' });
  return out;
}

function start(bin: string, args: string[]): ChildProcess {
  const ch = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(ch);
  // A hard bound: the programs hold their connection for 3 s and exit by themselves.
  const killer = setTimeout(() => ch.kill('SIGKILL'), 15_000);
  ch.on('exit', () => clearTimeout(killer));
  return ch;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Runs a client program against a local server; returns the kernel's timer on the client's socket. */
async function runClient(bin: string) {
  let accepted: Socket | undefined;
  const server: Server = createServer((s) => {
    accepted = s;
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const ch = start(bin, ['127.0.0.1', String(port), '3']);
  try {
    const until = Date.now() + 5000;
    while (!accepted && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(accepted, 'the client never connected').toBeDefined();
    return await waitForTimer(accepted!.remotePort!, port);
  } finally {
    ch.kill('SIGKILL');
    accepted?.destroy();
    await new Promise((r) => server.close(r));
  }
}

/** Runs a server program, connects to it; returns the kernel's timer on the accepted socket. */
async function runServer(bin: string) {
  const port = await freePort();
  const ch = start(bin, ['127.0.0.1', String(port), '3']);
  try {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the server never printed "listening"')), 5000);
      ch.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('listening')) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    const sock = connect(port, '127.0.0.1');
    sock.on('error', () => {});
    await new Promise<void>((r) => sock.once('connect', () => r()));
    try {
      return await waitForTimer(port, sock.localPort!);
    } finally {
      sock.destroy();
    }
  } finally {
    ch.kill('SIGKILL');
  }
}

describe('C fixes at run time (ss -tno on 127.0.0.1)', () => {
  it('has the six runnable programs the proof needs', () => {
    expect(runnable.length).toBeGreaterThanOrEqual(6);
  });

  for (const c of runnable) {
    const kind = (c as unknown as { run: { kind: 'client' | 'server' } }).run.kind;
    it(`${c.name} (${kind}): no keepalive timer before the fix, a ${DEFAULT_KEEPALIVE.idle} s one after`, async () => {
      const src = join(c.dir, 'main.c');
      const fixed = join(c.dir, 'main.fixed.c');
      expect(existsSync(fixed), 'a runnable case must have a fixed program').toBe(true);
      const run = kind === 'client' ? runClient : runServer;
      const before = await run(compile(src, join(build, `${c.name}.orig`)));
      expect(before, 'connection not found by ss').toBeDefined();
      expect(before!.kind, before!.line).not.toBe('keepalive');
      const after = await run(compile(fixed, join(build, `${c.name}.fixed`)));
      expect(after, 'connection not found by ss').toBeDefined();
      expect(after!.kind, after!.line).toBe('keepalive');
      // The idle time the fix configured (TCP_KEEPIDLE), not the kernel's 7200 s default.
      if (process.env["KA_DEBUG"]) console.log(c.name, "BEFORE", before!.line, "AFTER", after!.line);
      expect(after!.seconds!).toBeGreaterThan(DEFAULT_KEEPALIVE.idle - 15);
      expect(after!.seconds!).toBeLessThanOrEqual(DEFAULT_KEEPALIVE.idle);
    });
  }
});
