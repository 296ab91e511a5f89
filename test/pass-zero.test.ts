// Pass 0 shared with a helper thread: the merged result must be exactly one thread's, whoever
// scanned which chunk, and a helper that dies must lose nothing.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { DEFAULT_KEEPALIVE } from '../src/engine/types.js';
import { builtFile } from '../src/engine/paths.js';
import { passZero, scanFiles, type LanguageInput, type ScanHelperJob, type ScanShare } from '../src/engine/work.js';
import { CLIENT } from './lib/samples.js';

/**
 * A C tree of `n` files of ~8 KB (so that one thread scans long after a helper has started):
 * every 7th opens a client socket, every 11th holds a suppression comment.
 */
function tree(n: number): LanguageInput {
  const dir = mkdtempSync(join(tmpdir(), 'ka-pass0-'));
  mkdirSync(join(dir, 'src'));
  const files = Array.from({ length: n }, (_, i) => {
    const display = `src/f${i}.c`;
    const body = i % 7 === 0 ? CLIENT : `int f${i}(int a) { return a + ${i}; }\n`;
    const filler = `/* ${'x'.repeat(8000)} */\n`;
    writeFileSync(join(dir, display), filler + (i % 11 === 0 ? '// ka-audit-ignore-next-line\n' : '') + body);
    return { path: join(dir, display), display };
  });
  // An unreadable path and a binary file: their problems must come out once, in order.
  files.splice(5, 0, { path: join(dir, 'missing.c'), display: 'missing.c' });
  writeFileSync(join(dir, 'bin.c'), Buffer.from([0, 1, 2, 0]));
  files.splice(40, 0, { path: join(dir, 'bin.c'), display: 'bin.c' });
  return {
    runId: 'test',
    lang: 'c',
    files,
    opts: { keepalive: DEFAULT_KEEPALIVE, helpers: [], fixes: false },
    maxBytes: 4 << 20,
    includeUnknown: false,
    severity: {},
    noPrefilter: false,
  };
}

function spareCore(): SharedArrayBuffer {
  const spare = new Int32Array(new SharedArrayBuffer(4));
  spare[0] = 1;
  return spare.buffer as SharedArrayBuffer;
}

describe('pass 0 with a helper thread', () => {
  const input = tree(2000);
  const withSpare = { ...input, opts: { ...input.opts, spareThreads: spareCore(), helpersAlways: true } };

  it('the helper alone scans every chunk exactly as one thread does', async () => {
    const one = await scanFiles(input);
    const job: ScanHelperJob = { input, counter: new SharedArrayBuffer(4) };
    const share = await new Promise<ScanShare>((resolve, reject) => {
      const w = new Worker(builtFile('engine', 'scan-helper.js')!, { workerData: job });
      w.once('message', resolve);
      w.once('error', reject);
    });
    expect(Object.keys(share.scans).length).toBe(2000);
    expect(share.directives.length).toBeGreaterThan(100);
    expect(share).toEqual(one);
  });

  it('gives one thread\'s result when both threads scan', async () => {
    expect(await passZero(withSpare)).toEqual(await scanFiles(input));
  });

  it('starts no helper while no core is spare', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ka-pass0-helper-'));
    const marking = join(dir, 'marking.mjs');
    writeFileSync(marking, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(join(dir, 'started'))}, '');\n`);
    const busy = { ...input, opts: { ...input.opts, spareThreads: new SharedArrayBuffer(4), helpersAlways: true } };
    expect(await passZero(busy, marking)).toEqual(await scanFiles(input));
    // Give a wrongly started helper time to write its mark.
    await new Promise((r) => setTimeout(r, 500));
    expect(existsSync(join(dir, 'started'))).toBe(false);
  });

  it('scans everything here when no helper thread can be started', async () => {
    // A relative path without ./ makes the Worker constructor throw.
    expect(await passZero(withSpare, 'no-such-helper.js')).toEqual(await scanFiles(input));
  });

  it('scans here what a helper that died had claimed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ka-pass0-helper-'));
    const dying = join(dir, 'dying.mjs');
    // Claims every chunk not yet claimed, then dies without posting them.
    writeFileSync(dying, "import { workerData } from 'node:worker_threads';\nAtomics.add(new Int32Array(workerData.counter), 0, 1 << 20);\nthrow new Error('helper died');\n");
    expect(await passZero(withSpare, dying)).toEqual(await scanFiles(input));
  });
});
