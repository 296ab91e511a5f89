// /proc/net/tcp and tcp6 parsing against fixed sample lines (captured from Linux 6.x, x86-64).
import { describe, expect, it } from 'vitest';
import {
  decodeProcAddress,
  formatIPv6,
  isLoopbackAddress,
  parseProcNetTcp,
  parseProcNetTcpLine,
  procAddressBytes,
  TIMER,
  timerName,
} from '../../src/runtime/proc-net-tcp.js';
import { TCP6_HEADER, TCP_HEADER } from './helpers.js';

const IPV4_LISTEN = '   1: 0100007F:AF51 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 34737 1 00000000e9b4d09b 100 0 0 10 0                     ';
const IPV4_KEEPALIVE = '   2: 0100007F:D0DA 0100007F:AF51 01 00000000:00000000 02:00000033 00000000     0        0 34738 2 0000000075f96765 20 0 0 10 -1                     ';
const IPV4_PLAIN = '   3: 0100007F:AF51 0100007F:D0DA 01 00000000:00000000 00:00000000 00000000  1000        0 34740 1 0000000033da06f5 20 0 0 10 -1                     ';
const IPV4_RETRANSMIT = '   4: 0500000A:9C40 0900000A:1538 01 0000002A:00000000 01:00000014 00000000  1000        0 34750 1 0000000033da06f5 20 4 30 10 -1                     ';
const IPV6_MAPPED = '   0: 0000000000000000FFFF00000100007F:D0E2 0000000000000000FFFF00000100007F:AF51 01 00000000:00000000 00:00000000 00000000     0        0 34739 1 0000000049ac6b30 20 0 0 10 -1';
const IPV6_LOOPBACK = '   1: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:C350 01 00000000:00000000 02:0000AFC8 00000000   998        0 40001 1 0000000049ac6b30 20 0 0 10 -1';
const IPV6_GLOBAL = '   2: B80D0120000000000000000001000000:01BB B80D0120000000000000000002000000:E2A4 01 00000000:00000000 00:00000000 00000000    33        0 40002 1 0000000049ac6b30 20 0 0 10 -1';

describe('parseProcNetTcpLine (little-endian host)', () => {
  it('reads an IPv4 ESTABLISHED line with a keepalive timer', () => {
    expect(parseProcNetTcpLine(IPV4_KEEPALIVE, 'ipv4', 'LE')).toEqual({
      family: 'ipv4',
      local: { address: '127.0.0.1', port: 53466 },
      remote: { address: '127.0.0.1', port: 44881 },
      state: 1,
      txQueue: 0,
      rxQueue: 0,
      timer: TIMER.keepalive,
      timerTicks: 0x33,
      uid: 0,
      inode: 34738,
    });
  });

  it('reads an IPv4 line without a timer, and the uid', () => {
    const e = parseProcNetTcpLine(IPV4_PLAIN, 'ipv4', 'LE')!;
    expect(e.local).toEqual({ address: '127.0.0.1', port: 44881 });
    expect(e.timer).toBe(TIMER.none);
    expect(e.uid).toBe(1000);
    expect(e.inode).toBe(34740);
  });

  it('reads a non-loopback IPv4 line with data in flight (retransmit timer)', () => {
    const e = parseProcNetTcpLine(IPV4_RETRANSMIT, 'ipv4', 'LE')!;
    expect(e.local).toEqual({ address: '10.0.0.5', port: 40000 });
    expect(e.remote).toEqual({ address: '10.0.0.9', port: 5432 });
    expect(e.txQueue).toBe(42);
    expect(e.timer).toBe(TIMER.retransmit);
    expect(timerName(e.timer)).toBe('retransmit');
  });

  it('reads a LISTEN line (state 0A)', () => {
    const e = parseProcNetTcpLine(IPV4_LISTEN, 'ipv4', 'LE')!;
    expect(e.state).toBe(10);
    expect(e.remote).toEqual({ address: '0.0.0.0', port: 0 });
  });

  it('reads an IPv4-mapped IPv6 line', () => {
    const e = parseProcNetTcpLine(IPV6_MAPPED, 'ipv6', 'LE')!;
    expect(e.family).toBe('ipv6');
    expect(e.local).toEqual({ address: '::ffff:127.0.0.1', port: 53474 });
    expect(e.remote).toEqual({ address: '::ffff:127.0.0.1', port: 44881 });
    expect(e.inode).toBe(34739);
  });

  it('reads IPv6 loopback and global addresses', () => {
    const lo = parseProcNetTcpLine(IPV6_LOOPBACK, 'ipv6', 'LE')!;
    expect(lo.local).toEqual({ address: '::1', port: 8080 });
    expect(lo.remote).toEqual({ address: '::1', port: 50000 });
    expect(lo.timer).toBe(TIMER.keepalive);
    expect(lo.timerTicks).toBe(0xafc8);
    const g = parseProcNetTcpLine(IPV6_GLOBAL, 'ipv6', 'LE')!;
    expect(g.local).toEqual({ address: '2001:db8::1', port: 443 });
    expect(g.remote).toEqual({ address: '2001:db8::2', port: 58020 });
  });

  it('skips headers and garbage, and refuses an address of the wrong family', () => {
    expect(parseProcNetTcpLine(TCP_HEADER, 'ipv4', 'LE')).toBeUndefined();
    expect(parseProcNetTcpLine('', 'ipv4', 'LE')).toBeUndefined();
    expect(parseProcNetTcpLine('   0: nonsense', 'ipv4', 'LE')).toBeUndefined();
    expect(parseProcNetTcpLine(IPV6_MAPPED, 'ipv4', 'LE')).toBeUndefined();
    expect(parseProcNetTcpLine(IPV4_PLAIN, 'ipv6', 'LE')).toBeUndefined();
  });
});

describe('parseProcNetTcp', () => {
  it('parses whole files, header included', () => {
    const v4 = parseProcNetTcp(TCP_HEADER + [IPV4_LISTEN, IPV4_KEEPALIVE, IPV4_PLAIN].join('\n') + '\n', 'ipv4', 'LE');
    expect(v4.map((e) => e.inode)).toEqual([34737, 34738, 34740]);
    const v6 = parseProcNetTcp(TCP6_HEADER + [IPV6_MAPPED, IPV6_LOOPBACK, IPV6_GLOBAL].join('\n') + '\n', 'ipv6', 'LE');
    expect(v6.map((e) => e.local.address)).toEqual(['::ffff:127.0.0.1', '::1', '2001:db8::1']);
  });
});

describe('addresses', () => {
  it('follows the host byte order of the printed words', () => {
    expect(decodeProcAddress('0100007F', 'LE')).toBe('127.0.0.1');
    expect(decodeProcAddress('7F000001', 'BE')).toBe('127.0.0.1');
    expect(procAddressBytes('0500000A', 'LE')).toEqual([10, 0, 0, 5]);
    expect(decodeProcAddress('20010DB8000000000000000000000001', 'BE')).toBe('2001:db8::1');
    expect(decodeProcAddress('0000000000000000FFFF00000100007F', 'LE')).toBe('::ffff:127.0.0.1');
    expect(decodeProcAddress('00000000000000000000FFFF7F000001', 'BE')).toBe('::ffff:127.0.0.1');
  });

  it('formats IPv6 as RFC 5952', () => {
    const bytes = (groups: number[]) => groups.flatMap((g) => [g >> 8, g & 0xff]);
    expect(formatIPv6(bytes([0, 0, 0, 0, 0, 0, 0, 0]))).toBe('::');
    expect(formatIPv6(bytes([0xfe80, 0, 0, 0, 0, 0, 0, 1]))).toBe('fe80::1');
    expect(formatIPv6(bytes([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]))).toBe('2001:db8::1:0:0:1');
    expect(formatIPv6(bytes([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]))).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatIPv6(bytes([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0]))).toBe('2001:db8::');
  });

  it('knows loopback', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(a)).toBe(true);
    for (const a of ['10.0.0.1', '128.0.0.1', '::', '::2', '::ffff:10.0.0.1', '2001:db8::1', '0.0.0.0']) expect(isLoopbackAddress(a)).toBe(false);
  });
});
