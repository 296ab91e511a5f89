// A file of factories whose callers are the same files: each caller's model is loaded once, not
// once per factory, even when the model cache holds one model (CProject's usesAhead).
import { describe, expect, it } from 'vitest';
import { DEFAULT_KEEPALIVE } from '../src/engine/types.js';
import { cBackend } from '../src/lang/c/index.js';
import type { CScan } from '../src/lang/c/scan.js';

const FACTORIES = 4;
const CALLERS = 30;

function tree(): Map<string, string> {
  const files = new Map<string, string>();
  const dials = Array.from({ length: FACTORIES }, (_, k) => `int dial${k}(void)\n{\n    int fd = socket(AF_INET, SOCK_STREAM, 0);\n    return fd;\n}\n`);
  files.set('factories.c', `#include <sys/socket.h>\n#include <netinet/in.h>\n\n${dials.join('\n')}`);
  for (let i = 0; i < CALLERS; i++) {
    const decls = Array.from({ length: FACTORIES }, (_, k) => `int dial${k}(void);`).join('\n');
    // Caller 7 leaves dial2's socket without keepalive: that factory must be reported.
    const uses = Array.from({ length: FACTORIES }, (_, k) =>
      i === 7 && k === 2
        ? `    int s${k} = dial${k}();\n    connect(s${k}, 0, 0);\n`
        : `    int s${k} = dial${k}();\n    setsockopt(s${k}, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);\n    connect(s${k}, 0, 0);\n`,
    ).join('');
    files.set(`use${i}.c`, `#include <sys/socket.h>\n${decls}\nvoid run${i}(void)\n{\n    int on = 1;\n${uses}}\n`);
  }
  return files;
}

describe('C factories with the same callers', () => {
  it("load each caller's model once, with a cache of one model, and judge each factory by all its callers", async () => {
    await cBackend.init();
    const files = tree();
    const scans = new Map<string, CScan>([...files].map(([f, text]) => [f, cBackend.scan(text)]));
    // A 1-byte bound: the cache keeps one model, and lets every other go.
    const opts = { keepalive: DEFAULT_KEEPALIVE, helpers: [], fixes: false, modelCacheHeap: 1 };
    const project = cBackend.createProject(scans, (f) => files.get(f), opts);
    const result = cBackend.analyze(project, 'factories.c', opts);
    expect(result.sites.map((s) => s.keepalive)).toEqual(['direct', 'direct', 'none', 'direct']);
    // The factories' file, then each caller once (before: once per factory whose callers were
    // followed, ~FACTORIES x CALLERS loads).
    expect(project.loads).toBe(1 + CALLERS);
    expect(project.parsedFiles.size).toBe(1 + CALLERS);
  });
});
