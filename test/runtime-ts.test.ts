// Run-time proof for TS/JS fixes: the FIXED fixture programs run as real node processes against
// 127.0.0.1 (random ports), and the kernel must show a keepalive timer on their sockets in
// `ss -tno`; the unfixed programs must show none. TLS uses a self-signed certificate made here
// with openssl. Every process exits by itself within seconds and is killed on a timeout.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES } from './lib/fixtures.js';

const has = (cmd: string, arg: string) => spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;
const tools = has('ss', '-V') && has('openssl', 'version');
const HOLD_MS = '5000';
const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
/** nodejs/node#62003: tls.connect() honours keepAlive from v24.15 on. */
const tlsOptionIgnored = major < 24 || (major === 24 && minor < 15);

interface Run {
  child: ChildProcess;
  lines: string[];
  waitFor(re: RegExp): Promise<RegExpMatchArray>;
}

const running = new Set<ChildProcess>();

/** Spawns a fixture program; it exits by itself after HOLD_MS, and is killed after 15 s regardless. */
function run(program: string, args: string[]): Run {
  const child = spawn(process.execPath, [program, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const killer = setTimeout(() => child.kill('SIGKILL'), 15000);
  child.on('exit', () => {
    clearTimeout(killer);
    running.delete(child);
  });
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let buf = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    lines.push(...parts);
    for (const w of waiters.splice(0)) w();
  });
  const waitFor = (re: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re} from ${program}; stderr: ${stderr}`)), 8000);
      const check = () => {
        const m = lines.map((l) => re.exec(l)).find(Boolean);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        } else if (child.exitCode !== null) {
          clearTimeout(timer);
          reject(new Error(`${program} exited (${child.exitCode}); stderr: ${stderr}`));
        } else waiters.push(check);
      };
      child.on('exit', check);
      check();
    });
  return { child, lines, waitFor };
}

/** The keepalive timer ss reports for the established socket with this local (and peer) port. */
function keepaliveTimer(localPort: number, peerPort?: number): string | undefined {
  const filter = peerPort === undefined ? `( sport = :${localPort} )` : `( sport = :${localPort} and dport = :${peerPort} )`;
  const out = execFileSync('ss', ['-tno', 'state', 'established', filter]).toString();
  const rows = out.split('\n').slice(1).join(' ');
  expect(rows, `ss shows the socket on port ${localPort}`).toMatch(/127\.0\.0\.1/);
  return /timer:\(keepalive,([^)]*)\)/.exec(rows)?.[1];
}

/** Seconds left on a keepalive timer such as `59sec,0` or `1min,0`. */
function timerSeconds(t: string): number {
  const m = /^(?:(\d+)min)?(?:(\d+)sec)?/.exec(t)!;
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

async function stop(r: Run): Promise<void> {
  if (r.child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    r.child.once('exit', () => resolve());
    r.child.kill('SIGTERM');
  });
}

const program = (dir: string, name: string) => join(FIXTURES, 'ts', dir, name);

describe.skipIf(!tools)('fixed TS/JS programs have TCP keepalive at run time (ss -tno)', () => {
  let tmp: string;
  let plain: net.Server;
  let secure: tls.Server;
  let ca: string;
  const peers: net.Socket[] = [];

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'ka-runtime-ts-'));
    ca = join(tmp, 'cert.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', join(tmp, 'key.pem'), '-out', ca,
    ], { stdio: 'ignore' });
    // Peers for the clients: they keep every connection open and never enable keepalive themselves.
    plain = net.createServer((s) => peers.push(s.on('error', () => undefined)));
    secure = tls.createServer({ key: readFileSync(join(tmp, 'key.pem')), cert: readFileSync(ca) }, (s) => peers.push(s.on('error', () => undefined)));
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => secure.listen(0, '127.0.0.1', r));
  });

  afterAll(() => {
    for (const c of running) c.kill('SIGKILL');
    for (const p of peers) p.destroy();
    plain?.close();
    secure?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const port = (s: net.Server) => String((s.address() as net.AddressInfo).port);

  async function clientTimer(file: string, args: string[]): Promise<string | undefined> {
    const r = run(file, args);
    try {
      const m = await r.waitFor(/^ready (\d+)$/);
      return keepaliveTimer(Number(m[1]));
    } finally {
      await stop(r);
    }
  }

  it('net client: fixed has a keepalive timer (≤ 60 s), unfixed has none', async () => {
    const args = ['127.0.0.1', port(plain), HOLD_MS];
    const fixed = await clientTimer(program('runtime-client', 'client.fixed.mjs'), args);
    expect(fixed).toBeDefined();
    expect(timerSeconds(fixed!)).toBeLessThanOrEqual(60);
    expect(await clientTimer(program('runtime-client', 'client.mjs'), args)).toBeUndefined();
  });

  it('net server: every accepted socket of the fixed server has a keepalive timer, the unfixed none', async () => {
    const accepted = async (file: string) => {
      const r = run(file, ['127.0.0.1', HOLD_MS]);
      const c = new net.Socket();
      try {
        const serverPort = Number((await r.waitFor(/^ready (\d+)$/))[1]);
        await new Promise<void>((resolve, reject) => c.once('error', reject).connect(serverPort, '127.0.0.1', resolve));
        await r.waitFor(new RegExp(`^accepted ${c.localPort}$`));
        return keepaliveTimer(serverPort, c.localPort);
      } finally {
        c.destroy();
        await stop(r);
      }
    };
    const fixed = await accepted(program('runtime-server', 'server.fixed.mjs'));
    expect(fixed).toBeDefined();
    expect(timerSeconds(fixed!)).toBeLessThanOrEqual(60);
    expect(await accepted(program('runtime-server', 'server.mjs'))).toBeUndefined();
  });

  it('tls client: fixed has a keepalive timer, unfixed has none', async () => {
    const args = ['127.0.0.1', port(secure), ca, HOLD_MS];
    const fixed = await clientTimer(program('runtime-tls-client', 'client.fixed.mjs'), args);
    expect(fixed).toBeDefined();
    expect(timerSeconds(fixed!)).toBeLessThanOrEqual(60);
    expect(await clientTimer(program('runtime-tls-client', 'client.mjs'), args)).toBeUndefined();
  });

  it('tls client with keepAlive: true in the options: ignored by this Node, the fixed program has keepalive', async () => {
    const args = ['127.0.0.1', port(secure), ca, HOLD_MS];
    const fixed = await clientTimer(program('runtime-tls-option-ignored', 'client.fixed.mjs'), args);
    expect(fixed).toBeDefined();
    expect(timerSeconds(fixed!)).toBeLessThanOrEqual(60);
    const unfixed = await clientTimer(program('runtime-tls-option-ignored', 'client.mjs'), args);
    if (tlsOptionIgnored) expect(unfixed).toBeUndefined();
  });
});
