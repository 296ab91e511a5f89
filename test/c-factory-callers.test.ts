// Which callers of a C factory count for its site: those that use the socket as a TCP
// connection. The fixture `rw-factory-nested-mixed-callers` is the base tree (a socket made two
// calls below its callers; a TCP, a QUIC, a unix and a receiver caller); each case here changes
// one caller and checks the verdict moves the way the rule says.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_KEEPALIVE } from '../src/engine/types.js';
import { cBackend } from '../src/lang/c/index.js';
import type { CScan } from '../src/lang/c/scan.js';
import { FIXTURES } from './lib/fixtures.js';

const DIR = join(FIXTURES, 'c', 'rw-factory-nested-mixed-callers');
const base = new Map(readdirSync(DIR).filter((f) => /\.[ch]$/.test(f)).map((f) => [f, readFileSync(join(DIR, f), 'utf8')]));

/** The factory's one site in netns.c, for the tree with `change` applied. */
function siteOf(change: (files: Map<string, string>) => void): { tcp: string; keepalive: string } {
  const files = new Map(base);
  change(files);
  const scans = new Map<string, CScan>([...files].map(([f, text]) => [f, cBackend.scan(text)]));
  const opts = { keepalive: DEFAULT_KEEPALIVE, helpers: [], fixes: false };
  const project = cBackend.createProject(scans, (f) => files.get(f), opts);
  const [site, ...rest] = cBackend.analyze(project, 'netns.c', opts).sites;
  expect(rest).toEqual([]);
  return { tcp: site!.tcp, keepalive: site!.keepalive };
}

function edit(files: Map<string, string>, file: string, from: string | RegExp, to: string): void {
  const text = files.get(file)!;
  const next = text.replace(from, to);
  expect(next, `${file}: ${String(from)} not found`).not.toBe(text);
  files.set(file, next);
}

const only = (keep: string[]) => (files: Map<string, string>) => {
  for (const f of ['backend_tcp.c', 'backend_quic.c', 'backend_unix.c', 'receiver.c']) if (!keep.includes(f)) files.delete(f);
};

describe('callers of a C factory', () => {
  beforeAll(() => cBackend.init());

  it('count only as TCP connections: the configured keepalive of the TCP caller holds for the site', () => {
    expect(siteOf(() => {})).toEqual({ tcp: 'yes', keepalive: 'conditional' });
  });

  it('still need keepalive in the TCP caller, whatever the others do', () => {
    expect(siteOf((f) => edit(f, 'backend_tcp.c', /if \(c->keepalive\) \{[^}]*\}\n/, ''))).toEqual({ tcp: 'yes', keepalive: 'none' });
  });

  // libuv's uv__socket(): socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol).
  it('are judged by what they pass when the factory ors flags onto the parameter', () => {
    expect(siteOf((f) => edit(f, 'netns.c', 'socket(domain, type, protocol)', 'socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol)'))).toEqual({ tcp: 'yes', keepalive: 'conditional' });
  });

  it('count when they pass SOCK_STREAM up the chain, and not when they pass SOCK_DGRAM', () => {
    expect(siteOf((f) => edit(f, 'backend_quic.c', 'SOCK_DGRAM', 'SOCK_STREAM'))).toEqual({ tcp: 'yes', keepalive: 'none' });
  });

  it('count when they connect to an address of their own family, and not when they force AF_UNIX into it', () => {
    expect(siteOf((f) => edit(f, 'backend_unix.c', '    addr.ss_family = AF_UNIX;\n', ''))).toEqual({ tcp: 'yes', keepalive: 'none' });
  });

  // unbound's control client sets AF_LOCAL on one branch and fills the address through a helper on the others.
  it('count when they force AF_UNIX into the address on one path only', () => {
    expect(siteOf((f) => edit(f, 'backend_unix.c', '    addr.ss_family = AF_UNIX;\n', '    if (c->keepalive == 0)\n        addr.ss_family = AF_UNIX;\n'))).toEqual({ tcp: 'yes', keepalive: 'none' });
  });

  it('count when they connect a socket they bound, and not when they bind and store it unconnected', () => {
    expect(siteOf((f) => edit(f, 'receiver.c', '    rx->fd = fd;\n', '    if (connect(fd, (struct sockaddr *)&rx->addr, rx->addrlen) == -1) {\n        close(fd);\n        return -1;\n    }\n    rx->fd = fd;\n'))).toEqual({
      tcp: 'yes',
      keepalive: 'none',
    });
  });

  it('own the socket when all of them make it a unix one', () => {
    expect(siteOf(only(['backend_unix.c']))).toEqual({ tcp: 'no', keepalive: 'none' });
  });
});
