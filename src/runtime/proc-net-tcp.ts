// Parsing /proc/net/tcp and /proc/net/tcp6 (pure: text in, entries out).
// The line format is the kernel's get_tcp4_sock() / get_tcp6_sock():
//   sl  local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
// Addresses are the raw in-kernel words printed with %08X, i.e. in host byte order; ports are
// already converted to host order.
import { endianness as osEndianness } from 'node:os';

export type AddressFamily = 'ipv4' | 'ipv6';
export type Endianness = 'LE' | 'BE';

export interface Endpoint {
  address: string;
  port: number;
}

/** The `tr` field: which timer the kernel shows for the socket (only one is shown). */
export const TIMER = {
  none: 0,
  /** Retransmit, reordering or tail-loss-probe timer: data is in flight. */
  retransmit: 1,
  /** sk_timer; on an ESTABLISHED socket that is the keepalive timer. */
  keepalive: 2,
  timeWait: 3,
  /** Zero-window probe timer: the peer advertised a zero window. */
  zeroWindowProbe: 4,
} as const;

const TIMER_NAMES: Record<number, string> = {
  0: 'none',
  1: 'retransmit',
  2: 'keepalive',
  3: 'time-wait',
  4: 'zero-window-probe',
};

export function timerName(code: number): string {
  return TIMER_NAMES[code] ?? `unknown(${code})`;
}

/** include/net/tcp_states.h */
export const TCP_STATE_NAMES: Record<number, string> = {
  1: 'ESTABLISHED',
  2: 'SYN_SENT',
  3: 'SYN_RECV',
  4: 'FIN_WAIT1',
  5: 'FIN_WAIT2',
  6: 'TIME_WAIT',
  7: 'CLOSE',
  8: 'CLOSE_WAIT',
  9: 'LAST_ACK',
  10: 'LISTEN',
  11: 'CLOSING',
  12: 'NEW_SYN_RECV',
};

export const TCP_ESTABLISHED = 1;

/** The kernel's clock_t unit for tm->when (USER_HZ, 100 on every mainstream architecture). */
export const USER_HZ = 100;

export interface ProcTcpEntry {
  family: AddressFamily;
  local: Endpoint;
  remote: Endpoint;
  state: number;
  txQueue: number;
  rxQueue: number;
  /** The `tr` code, see TIMER. */
  timer: number;
  /** tm->when: clock ticks (USER_HZ) until the shown timer fires; 0 when no timer runs. */
  timerTicks: number;
  uid: number;
  inode: number;
}

export function hostEndianness(): Endianness {
  return osEndianness();
}

const LINE = /^\s*\d+:\s+([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})\s+([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})\s+([0-9A-Fa-f]{2})\s+([0-9A-Fa-f]+):([0-9A-Fa-f]+)\s+([0-9A-Fa-f]{2}):([0-9A-Fa-f]+)\s+[0-9A-Fa-f]+\s+(\d+)\s+\d+\s+(\d+)/;

/** Every socket line of a /proc/net/tcp or tcp6 file; the header and malformed lines are skipped. */
export function parseProcNetTcp(text: string, family: AddressFamily, endian: Endianness = hostEndianness()): ProcTcpEntry[] {
  const out: ProcTcpEntry[] = [];
  for (const line of text.split('\n')) {
    const entry = parseProcNetTcpLine(line, family, endian);
    if (entry) out.push(entry);
  }
  return out;
}

export function parseProcNetTcpLine(line: string, family: AddressFamily, endian: Endianness = hostEndianness()): ProcTcpEntry | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  const [, lAddr, lPort, rAddr, rPort, st, tx, rx, tr, when, uid, inode] = m as unknown as string[];
  const hexLength = family === 'ipv4' ? 8 : 32;
  if (lAddr!.length !== hexLength || rAddr!.length !== hexLength) return undefined;
  return {
    family,
    local: { address: decodeProcAddress(lAddr!, endian), port: parseInt(lPort!, 16) },
    remote: { address: decodeProcAddress(rAddr!, endian), port: parseInt(rPort!, 16) },
    state: parseInt(st!, 16),
    txQueue: parseInt(tx!, 16),
    rxQueue: parseInt(rx!, 16),
    timer: parseInt(tr!, 16),
    timerTicks: parseInt(when!, 16),
    uid: Number(uid),
    inode: Number(inode),
  };
}

/** Network-order bytes of an address printed as host-order 32-bit words (8 hex digits each). */
export function procAddressBytes(hex: string, endian: Endianness): number[] {
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word = [0, 2, 4, 6].map((i) => parseInt(hex.slice(w + i, w + i + 2), 16));
    // On a little-endian host the first byte in memory is printed last.
    bytes.push(...(endian === 'LE' ? word.reverse() : word));
  }
  return bytes;
}

/** 8 hex digits → dotted IPv4; 32 hex digits → RFC 5952 IPv6 (IPv4-mapped as ::ffff:a.b.c.d). */
export function decodeProcAddress(hex: string, endian: Endianness = hostEndianness()): string {
  const bytes = procAddressBytes(hex, endian);
  return bytes.length === 4 ? bytes.join('.') : formatIPv6(bytes);
}

export function formatIPv6(bytes: number[]): string {
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `::ffff:${bytes.slice(12).join('.')}`;
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  // The longest run of two or more zero groups becomes "::" (the first one on a tie).
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

/** 127.0.0.0/8, ::1 and IPv4-mapped 127.x (the forms decodeProcAddress produces). */
export function isLoopbackAddress(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}
