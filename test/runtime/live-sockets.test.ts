// `ka-audit live` against real connections on 127.0.0.1: Node children with and without
// socket.setKeepAlive(true, 1000), and a C program compiled here with and without
// setsockopt(SO_KEEPALIVE). Each child connects to a server in this process, prints its local
// port, and exits by itself after CHILD_SECONDS; any child still alive at the end is killed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import type { LiveConnection, LiveReport } from '../../src/runtime/live.js';
import { makeTempDir, removeDir, runCli } from './helpers.js';

const CHILD_SECONDS = 10;
const START_TIMEOUT_MS = 10_000;

const NODE_CLIENT = `'use strict';
const net = require('node:net');
const [port, keepalive, seconds, host] = process.argv.slice(2);
const socket = net.connect(Number(port), host, () => {
  if (keepalive === '1') socket.setKeepAlive(true, 1000);
  process.stdout.write('PORT ' + socket.localPort + '\\n');
});
socket.on('error', (e) => { process.stderr.write(String(e) + '\\n'); process.exit(1); });
setTimeout(() => process.exit(0), Number(seconds) * 1000);
`;

const C_CLIENT = `#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 4) { fprintf(stderr, "usage: client PORT KEEPALIVE SECONDS\\n"); return 2; }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) { perror("socket"); return 1; }
    if (atoi(argv[2])) {
        int on = 1;
        if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on) < 0) { perror("setsockopt"); return 1; }
    }
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(argv[1]));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("connect"); return 1; }
    struct sockaddr_in local;
    socklen_t len = sizeof local;
    if (getsockname(fd, (struct sockaddr *)&local, &len) < 0) { perror("getsockname"); return 1; }
    printf("PORT %d\\n", ntohs(local.sin_port));
    fflush(stdout);
    sleep((unsigned)atoi(argv[3]));
    close(fd);
    return 0;
}
`;

interface Client {
  name: string;
  expected: 'on' | 'off';
  family: 'ipv4' | 'ipv6';
  child: ChildProcess;
  port: number;
}

describe.skipIf(process.platform !== 'linux')('live against real sockets on 127.0.0.1', () => {
  let dir: string;
  let server: net.Server;
  let serverPort: number;
  const accepted: net.Socket[] = [];
  const children: ChildProcess[] = [];
  const clients: Client[] = [];

  function startClient(name: string, expected: 'on' | 'off', family: 'ipv4' | 'ipv6', command: string, args: string[]): Promise<Client> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let out = '';
      let err = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${name}: no port after ${START_TIMEOUT_MS} ms; stderr: ${err}`));
      }, START_TIMEOUT_MS);
      child.stderr!.on('data', (d) => (err += d));
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /PORT (\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve({ name, expected, family, child, port: Number(m[1]) });
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code}) before printing its port; stderr: ${err}`));
      });
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  beforeAll(async () => {
    dir = makeTempDir('ka-live-sockets-');
    writeFileSync(join(dir, 'client.cjs'), NODE_CLIENT);
    writeFileSync(join(dir, 'client.c'), C_CLIENT);
    execFileSync('gcc', ['-Wall', '-Werror', '-o', join(dir, 'client'), join(dir, 'client.c')], { timeout: 60_000, stdio: 'pipe' });

    server = net.createServer((s) => {
      s.on('error', () => {});
      accepted.push(s);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    serverPort = (server.address() as net.AddressInfo).port;

    const node = (ka: string, host: string) => [join(dir, 'client.cjs'), String(serverPort), ka, String(CHILD_SECONDS), host];
    const c = (ka: string) => [String(serverPort), ka, String(CHILD_SECONDS)];
    const starts = [
      startClient('node setKeepAlive(true, 1000)', 'on', 'ipv4', process.execPath, node('1', '127.0.0.1')),
      startClient('node without keepalive', 'off', 'ipv4', process.execPath, node('0', '127.0.0.1')),
      startClient('C with SO_KEEPALIVE', 'on', 'ipv4', join(dir, 'client'), c('1')),
      startClient('C without SO_KEEPALIVE', 'off', 'ipv4', join(dir, 'client'), c('0')),
    ];
    // An AF_INET6 socket talking to 127.0.0.1 through its IPv4-mapped address lands in tcp6.
    if (existsSync('/proc/net/tcp6')) {
      starts.push(startClient('node via ::ffff:127.0.0.1 with keepalive', 'on', 'ipv6', process.execPath, node('1', '::ffff:127.0.0.1')));
      starts.push(startClient('node via ::ffff:127.0.0.1 without keepalive', 'off', 'ipv6', process.execPath, node('0', '::ffff:127.0.0.1')));
    }
    clients.push(...(await Promise.all(starts)));
  }, 90_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const s of accepted) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    removeDir(dir);
  });

  const clientSide = (report: LiveReport, client: Client): LiveConnection | undefined =>
    report.connections.find((x) => x.local.port === client.port && x.remote.port === serverPort);

  it('classifies each client by its port (with --include-loopback), exit 1', async () => {
    const r = await runCli(['live', '--include-loopback', '--format', 'json']);
    const report = JSON.parse(r.stdout) as LiveReport;
    expect(report.errors).toEqual([]);
    for (const client of clients) {
      const conn = clientSide(report, client);
      expect(conn, client.name).toBeDefined();
      expect({ name: client.name, keepalive: conn!.keepalive }).toEqual({ name: client.name, keepalive: client.expected });
      expect(conn!.family, client.name).toBe(client.family);
      expect(conn!.loopback, client.name).toBe(true);
      expect(conn!.counted, client.name).toBe(client.expected === 'off');
      expect(conn!.processes.map((p) => p.pid), client.name).toContain(client.child.pid);
    }
    // The server's side of each connection (this process, no keepalive) is there too.
    const serverSide = report.connections.filter((x) => x.local.port === serverPort);
    expect(serverSide.length).toBe(clients.length);
    expect(serverSide.every((x) => x.keepalive === 'off' && x.processes.some((p) => p.pid === process.pid))).toBe(true);
    expect(r.code).toBe(1);
  });

  it('--pid: loopback is not counted by default (exit 0), counted with --include-loopback (exit 1)', async () => {
    const plain = clients.find((c) => c.expected === 'off' && c.family === 'ipv4' && c.name.startsWith('C'))!;
    const quiet = await runCli(['live', '--pid', String(plain.child.pid), '--format', 'json']);
    const report = JSON.parse(quiet.stdout) as LiveReport;
    expect(report.connections.map((x) => x.local.port)).toEqual([plain.port]);
    expect(report.stats).toMatchObject({ established: 1, keepaliveOff: 1, loopback: 1, withoutKeepalive: 0 });
    expect(quiet.code).toBe(0);
    const loud = await runCli(['live', '--pid', String(plain.child.pid), '--include-loopback']);
    expect(loud.code).toBe(1);
    expect(loud.stdout).toContain(`127.0.0.1:${plain.port} → 127.0.0.1:${serverPort}`);
    expect(loud.stdout).toContain(`client[${plain.child.pid}]`);

    const withKa = clients.find((c) => c.expected === 'on' && c.name.startsWith('C'))!;
    const ok = await runCli(['live', '--pid', String(withKa.child.pid), '--include-loopback', '--format', 'json']);
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as LiveReport).connections.map((x) => x.keepalive)).toEqual(['on']);
  });

  it('stylish: lists the clients without keepalive, not those with it', async () => {
    const r = await runCli(['live', '--include-loopback', '--samples', '2']);
    expect(r.code).toBe(1);
    for (const client of clients) {
      const line = r.stdout.split('\n').find((l) => l.includes(`:${client.port} → `));
      if (client.expected === 'off') expect(line, client.name).toMatch(/no keepalive timer/);
      else expect(line, client.name).toBeUndefined();
    }
  });
});
