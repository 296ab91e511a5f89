// Which files a call's definition is looked for in: a file's own definition hides every other,
// so a static helper whose name many files also use costs no other file's parse.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { audit } from '../src/engine/audit.js';

const dir = mkdtempSync(join(tmpdir(), 'ka-c-definitions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SEED = `#include <sys/socket.h>
#include <netinet/in.h>

static int setup(int fd)
{
    int on = 1;
    return setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
}

int dial(const struct sockaddr_in *a)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    setup(fd);
    connect(fd, (const struct sockaddr *)a, sizeof *a);
    return fd;
}
`;

describe('definitions of a called function', () => {
  it('are not looked for in other files when the calling file defines the function itself', async () => {
    writeFileSync(join(dir, 'seed.c'), SEED);
    for (let i = 0; i < 50; i++) writeFileSync(join(dir, `m${i}.c`), `static int setup(int v)\n{\n    return v + ${i};\n}\n\nint mod${i}(int x)\n{\n    return setup(x);\n}\n`);
    const r = await audit({ cwd: dir, paths: ['.'], jobs: 1 });
    expect(r.sites).toHaveLength(1);
    expect(r.sites[0]!.keepalive).toBe('wrapper');
    expect(r.findings).toEqual([]);
    // Only the seed file is parsed: the 50 other static setup()s cannot be the one it calls.
    expect(r.stats.parsed).toBe(1);
  });
});
