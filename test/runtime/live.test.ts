// `ka-audit live` against a fake proc tree: classification, the process map, permission errors,
// --pid, loopback counting, sampling, the JSON contract; and the CLI wiring (subcommands are
// not swallowed by the root's `[paths...]` action).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import {
  classifyConnections,
  keepaliveFromTimer,
  liveExitCode,
  mergeKeepaliveStates,
  nodeProcFs,
  runLive,
  socketInodeOfLink,
  type LiveReport,
  type ProcFs,
} from '../../src/runtime/live.js';
import { parseProcNetTcp } from '../../src/runtime/proc-net-tcp.js';
import { makeTempDir, removeDir, runCli, TCP6_HEADER, TCP_HEADER, writeTree } from './helpers.js';

// Little-endian lines, as an x86-64 kernel writes them.
const TCP = TCP_HEADER + [
  // 10.0.0.5:40000 -> 10.0.0.9:5432, no timer (pid 10)
  '   0: 0500000A:9C40 0900000A:1538 01 00000000:00000000 00:00000000 00000000  1000        0 1001 1 0000000000000000 20 4 30 10 -1',
  // 10.0.0.5:40001 -> 10.0.0.9:5432, keepalive timer (pid 10)
  '   1: 0500000A:9C41 0900000A:1538 01 00000000:00000000 02:0002BF20 00000000  1000        0 1002 1 0000000000000000 20 4 30 10 -1',
  // 127.0.0.1:50000 -> 127.0.0.1:8080, no timer (pid 11)
  '   2: 0100007F:C350 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 1003 1 0000000000000000 20 4 30 10 -1',
  // 10.0.0.5:40002 -> 10.0.0.9:5432, retransmit timer: data in flight (no process)
  '   3: 0500000A:9C42 0900000A:1538 01 0000002A:00000000 01:00000014 00000000  1000        0 1004 1 0000000000000000 20 4 30 10 -1',
  // a listener: not a connection
  '   4: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1006 1 0000000000000000 100 0 0 10 0',
  // TIME_WAIT: not established
  '   5: 0500000A:9C43 0900000A:1538 06 00000000:00000000 03:00000BB8 00000000     0        0 0 3 0000000000000000',
].join('\n') + '\n';
const TCP6 = TCP6_HEADER + [
  // [2001:db8::1]:443 -> [2001:db8::2]:58020, no timer (pid 12, whose fds we may not read)
  '   0: B80D0120000000000000000001000000:01BB B80D0120000000000000000002000000:E2A4 01 00000000:00000000 00:00000000 00000000    33        0 1005 1 0000000000000000 20 0 0 10 -1',
].join('\n') + '\n';

function deny(fs: ProcFs, deniedDirs: string[]): ProcFs {
  const eacces = () => Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
  return {
    ...fs,
    readdir: (p) => {
      if (deniedDirs.includes(p)) throw eacces();
      return fs.readdir(p);
    },
  };
}

describe('live (pure parts)', () => {
  it('reads the timer: 2 is keepalive, 0 is none, others hide it', () => {
    expect([0, 1, 2, 3, 4].map(keepaliveFromTimer)).toEqual(['off', 'unknown', 'on', 'unknown', 'unknown']);
  });

  it('merges samples: any keepalive timer wins, then any bare look', () => {
    expect(mergeKeepaliveStates(['unknown', 'on'])).toBe('on');
    expect(mergeKeepaliveStates(['unknown', 'off'])).toBe('off');
    expect(mergeKeepaliveStates(['unknown', 'unknown'])).toBe('unknown');
  });

  it('a later sample resolves a connection first seen with its retransmit timer', () => {
    const first = parseProcNetTcp(TCP, 'ipv4', 'LE');
    const second = first.map((e) => (e.inode === 1004 ? { ...e, timer: 2 } : e));
    const [one] = classifyConnections([first], new Map(), { includeLoopback: false }).filter((c) => c.inode === 1004);
    const [two] = classifyConnections([first, second], new Map(), { includeLoopback: false }).filter((c) => c.inode === 1004);
    expect(one!.keepalive).toBe('unknown');
    expect(two!.keepalive).toBe('on');
  });

  it('reads socket links', () => {
    expect(socketInodeOfLink('socket:[34738]')).toBe(34738);
    expect(socketInodeOfLink('/dev/null')).toBeUndefined();
    expect(socketInodeOfLink('pipe:[12]')).toBeUndefined();
  });
});

describe('live against a fake proc root', () => {
  let root: string;
  let procRoot: string;
  beforeAll(() => {
    root = makeTempDir('ka-live-fake-');
    procRoot = join(root, 'proc');
    writeTree(procRoot, {
      'net/tcp': TCP,
      'net/tcp6': TCP6,
      '10/fd/0': { link: '/dev/null' },
      '10/fd/3': { link: 'socket:[1001]' },
      '10/fd/4': { link: 'socket:[1002]' },
      '10/comm': 'pgclient\n',
      '10/cmdline': ['pgclient', '--host', '10.0.0.9', ''].join('\u0000'),
      '11/fd/5': { link: 'socket:[1003]' },
      '11/comm': 'node\n',
      '12/fd/7': { link: 'socket:[1005]' },
      '12/comm': 'nginx\n',
      'self/fd/1': { link: 'socket:[1001]' }, // not a pid: ignored
    });
    writeTree(join(root, 'no-tcp6'), { 'net/tcp': TCP });
  });
  afterAll(() => removeDir(root));

  const live = (extra: Partial<Parameters<typeof runLive>[0]> = {}) =>
    runLive({ procRoot, fs: deny(nodeProcFs, [join(procRoot, '12', 'fd')]), endian: 'LE', ...extra });

  it('classifies every established connection and maps it to its process', async () => {
    const r = await live();
    const byInode = Object.fromEntries(r.connections.map((c) => [c.inode, c]));
    expect(Object.keys(byInode).map(Number).sort()).toEqual([1001, 1002, 1003, 1004, 1005]);
    expect(byInode[1001]).toMatchObject({ keepalive: 'off', loopback: false, counted: true, processes: [{ pid: 10, command: 'pgclient', cmdline: 'pgclient --host 10.0.0.9' }] });
    expect(byInode[1002]).toMatchObject({ keepalive: 'on', counted: false, timer: { code: 2, name: 'keepalive', expiresInSeconds: 1800 } });
    expect(byInode[1003]).toMatchObject({ keepalive: 'off', loopback: true, counted: false, processes: [{ pid: 11, command: 'node' }] });
    expect(byInode[1004]).toMatchObject({ keepalive: 'unknown', counted: false, processes: [], timer: { name: 'retransmit' } });
    expect(byInode[1005]).toMatchObject({ family: 'ipv6', keepalive: 'off', counted: true, processes: [], local: { address: '2001:db8::1', port: 443 } });
    expect(r.stats).toEqual({
      established: 5,
      keepaliveOn: 1,
      keepaliveOff: 3,
      keepaliveUnknown: 1,
      loopback: 1,
      withoutKeepalive: 2,
      unmapped: 2,
      unreadableProcesses: 1,
    });
    expect(r.connections[0]!.counted).toBe(true); // counted ones first
    expect(liveExitCode(r)).toBe(1);
  });

  it('counts loopback only with includeLoopback', async () => {
    const r = await live({ includeLoopback: true });
    expect(r.stats.withoutKeepalive).toBe(3);
    expect(r.connections.find((c) => c.inode === 1003)!.counted).toBe(true);
  });

  it('--pid restricts to that process', async () => {
    const loopOnly = await live({ pid: 11 });
    expect(loopOnly.connections.map((c) => c.inode)).toEqual([1003]);
    expect(liveExitCode(loopOnly)).toBe(0);
    expect(liveExitCode(await live({ pid: 11, includeLoopback: true }))).toBe(1);
    const ten = await live({ pid: 10 });
    expect(ten.connections.map((c) => c.inode).sort()).toEqual([1001, 1002]);
    expect(ten.sources).toEqual([join(procRoot, 'net', 'tcp'), join(procRoot, 'net', 'tcp6')]);
  });

  it('--pid of a process we may not inspect, or of none, is an error (exit 2)', async () => {
    const denied = await live({ pid: 12 });
    expect(denied.errors[0]!.message).toMatch(/process 12: permission denied/);
    expect(liveExitCode(denied)).toBe(2);
    const gone = await live({ pid: 99 });
    expect(gone.errors[0]!.message).toMatch(/process 99: no such process/);
  });

  it('works without tcp6 (IPv6 off), fails without tcp', async () => {
    const v4 = await runLive({ procRoot: join(root, 'no-tcp6'), endian: 'LE' });
    expect(v4.errors).toEqual([]);
    expect(v4.stats.established).toBe(4);
    const none = await runLive({ procRoot: join(root, 'nothing-here'), endian: 'LE' });
    expect(none.errors[0]!.message).toMatch(/cannot read .*net\/tcp/);
    expect(liveExitCode(none)).toBe(2);
  });

  it('on a non-Linux OS it says it cannot list connections', async () => {
    const r = await runLive({ platform: 'darwin' });
    expect(r.errors[0]!.message).toMatch(/cannot list TCP connections on darwin/);
    expect(liveExitCode(r)).toBe(2);
  });

  it('CLI: stylish lists those without keepalive, marks loopback, summarises; exit 1', async () => {
    const r = await runCli(['live', '--proc-root', procRoot]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('10.0.0.5:40000 → 10.0.0.9:5432');
    expect(r.stdout).toContain('pgclient[10]');
    expect(r.stdout).toContain('[2001:db8::1]:443 → [2001:db8::2]:58020');
    expect(r.stdout).toMatch(/127\.0\.0\.1:50000 → 127\.0\.0\.1:8080 .*loopback, not counted/);
    expect(r.stdout).toMatch(/unknown: retransmit timer shown/);
    expect(r.stdout).not.toContain('10.0.0.5:40001'); // has keepalive
    expect(r.stdout).toContain('✖ 2 connections without keepalive');
    expect(r.stdout).toMatch(/retransmit timer instead of keepalive/);
    const all = await runCli(['live', '--proc-root', procRoot, '--all']);
    expect(all.stdout).toMatch(/10\.0\.0\.5:40001 → 10\.0\.0\.9:5432 .*keepalive timer \(fires in 1800 s\)/);
  });

  it('CLI: JSON is a stable, versioned object', async () => {
    const r = await runCli(['live', '--proc-root', procRoot, '--format', 'json', '--include-loopback']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as LiveReport;
    expect(Object.keys(report)).toEqual(['version', 'procRoot', 'pid', 'includeLoopback', 'samples', 'sources', 'connections', 'stats', 'notes', 'errors']);
    expect(report.version).toBe(1);
    expect(report.includeLoopback).toBe(true);
    expect(Object.keys(report.connections[0]!)).toEqual([
      'family', 'local', 'remote', 'inode', 'uid', 'txQueue', 'rxQueue', 'timer', 'keepalive', 'loopback', 'counted', 'processes',
    ]);
    expect(report.notes.join(' ')).toMatch(/retransmit/);
  });

  it('CLI: --pid for a missing process exits 2 with a message on stderr; bad --pid is a usage error', async () => {
    const r = await runCli(['live', '--proc-root', procRoot, '--pid', '99']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no such process/);
    expect((await runCli(['live', '--pid', 'abc'])).code).toBe(2);
    expect((await runCli(['live', '--pid', '0'])).code).toBe(2);
  });
});

describe('CLI wiring: the root command does not swallow the subcommands', () => {
  it('`doctor` and `live` reach their subcommands, with their own --format', async () => {
    const r = await runCli(['live', '--proc-root', '/nonexistent-proc', '--format', 'json']);
    expect(r.rootAction).toBeUndefined();
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).version).toBe(1); // the subcommand's --format, not the root's
    const d = await runCli(['doctor', '--proc-root', '/nonexistent-proc', '--format', 'json']);
    expect(d.rootAction).toBeUndefined();
    expect(JSON.parse(d.stdout).verdict).toBe('unavailable');
  });

  it('paths still go to the audit, with the root options anywhere among them', async () => {
    const r = await runCli(['src', '--format', 'json', 'test']);
    expect(r.rootAction).toEqual({ paths: ['src', 'test'], opts: expect.objectContaining({ format: 'json' }) });
    const d = await runCli([]);
    expect(d.rootAction!.paths).toEqual(['.']);
  });

  it('a subcommand rejects stray arguments', async () => {
    expect((await runCli(['doctor', 'extra'])).code).toBe(2);
  });
});
