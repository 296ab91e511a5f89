// Which function bodies a C file's parse records for the analysis to read (hints.ts): those a
// seed file's passes read, and for a file the analysis loads for a name (the definition of a
// callee, the callers of a socket factory) those functions'. Reading them must not parse them a
// second time, and the results are those of reading them parsed.
import { describe, expect, it } from 'vitest';
import { DEFAULT_KEEPALIVE } from '../src/engine/types.js';
import { reasonReads, seedPassesRead, siteCallHint } from '../src/lang/c/hints.js';
import { cBackend } from '../src/lang/c/index.js';
import { bodyCounts, loadCParser, parseTop, type BodyWanted } from '../src/lang/c/parse.js';
import type { LoadReason } from '../src/lang/c/project.js';

// Not a seed file: no socket call, no SO_KEEPALIVE (enable_keepalive() is outside the tree).
// tune()'s parameter is not named like a descriptor: only its name gets its body recorded.
const LIB = `int unrelated(int a) { return a * 2; }
int tune(int conn) { return enable_keepalive(conn); }
int also_unrelated(int a) { return unrelated(a) + 1; }
long with_descriptor(int sock) { return sock; }
`;

const SEED = `#include <sys/socket.h>
int dial(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  tune(fd);
  return fd;
}
`;

/** Names of the functions whose bodies `wanted` records, in order. */
async function recordedBy(text: string, wanted: BodyWanted): Promise<string[]> {
  const ctx = await loadCParser();
  const names: string[] = [];
  parseTop(ctx, text, (fn, body) => {
    const is = wanted(fn, body);
    if (is) names.push(text.slice(fn.start, fn.end).match(/(\w+)\(/)![1]!);
    return is;
  });
  return names;
}

const recorded = (text: string, reason: LoadReason) => recordedBy(text, reasonReads(text, reason)!);

describe('C seed files', () => {
  it('record the bodies with a site, a #define, a descriptor use, or a descriptor parameter', async () => {
    const text = `#include <sys/socket.h>
static int math(int a, long b) { return a + (int)b; }
static int opened(void) { return socket(AF_INET, SOCK_STREAM, 0); }
static int defines(void) {
#define N 3
  return N;
}
static void stored(struct conn *c) { use(c->fd); }
static void tuned(int x) { setsockopt(x, 1, 2, 0, 0); }
static int nonblock(int fd) { return fd; }
static int by_name(curl_socket_t s, int flags) { return flags; }
static int second(void *ctx, const int sockfd) { return 0; }
static int not_a_descriptor(int sides, char *fdname) { return sides; }
`;
    const siteHint = siteCallHint(['socket', 'accept']);
    expect(await recordedBy(text, (fn, body) => seedPassesRead(text, fn, body, siteHint))).toEqual(['opened', 'defines', 'stored', 'tuned', 'nonblock', 'by_name', 'second']);
  });
});

describe('C files loaded for a name', () => {
  it('record the bodies of the functions that define the name, or call it, or take a descriptor', async () => {
    // with_descriptor() takes a descriptor: it is recorded whatever the name.
    expect(await recorded(LIB, { name: 'tune', role: 'defines' })).toEqual(['tune', 'with_descriptor']);
    expect(await recorded(LIB, { name: 'unrelated', role: 'calls' })).toEqual(['also_unrelated', 'with_descriptor']);
    // `unrelated(` in a declarator is a definition, not a call; a longer name is not the name.
    expect(await recorded(LIB, { name: 'unrelated', role: 'defines' })).toEqual(['unrelated', 'with_descriptor']);
    expect(await recorded(LIB, { name: 'unrel', role: 'defines' })).toEqual(['with_descriptor']);
  });

  it('are read without parsing those bodies again, with the same results', async () => {
    await cBackend.init();
    const texts = new Map([
      ['seed.c', SEED],
      ['lib.c', LIB],
    ]);
    const scans = new Map([...texts].map(([f, t]) => [f, cBackend.scan(t)]));
    const opts = { keepalive: DEFAULT_KEEPALIVE, helpers: [], fixes: true };
    const project = cBackend.createProject(scans, (f) => texts.get(f), opts);
    expect(project.seedFiles).toEqual(['seed.c']);
    const before = { ...bodyCounts };
    const out = cBackend.analyze(project, 'seed.c', opts);
    // The site's keepalive comes from tune() in lib.c, whose body came with lib.c's parse.
    expect(out.sites).toHaveLength(1);
    expect(out.sites[0]).toMatchObject({ keepalive: 'wrapper', evidenceLine: 4 });
    expect(out.sites[0]!.notes).toContain('keepalive: tune() → enable_keepalive() (not in the audited tree; judged by its name) at line 4');
    expect([...project.parsedFiles].sort()).toEqual(['lib.c', 'seed.c']);
    expect(bodyCounts.parsed - before.parsed).toBe(0);
    expect(bodyCounts.ahead - before.ahead).toBeGreaterThan(0);
  });
});
