// Pass 0 shared with a helper thread: the merged result must be exactly one thread's, whoever
// scanned which chunk, and a helper that dies must lose nothing.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_KEEPALIVE } from '../src/engine/types.js';
import { builtFile } from '../src/engine/paths.js';
import { mergeScans, passZero, SCAN_CHUNK, SCAN_CHUNKS_PER_PART, scanFiles, type LanguageInput, type ScanHelperJob, type ScanHelperMessage, type ScanShare } from '../src/engine/work.js';
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

/**
 * `input` with its first file read from a FIFO, so that this thread, which scans the first chunk
 * (and starts the helper while claiming it), waits in that read until the helper script writes
 * the file (`release`): what the helper does is then certain, not a race with this thread. The
 * script gets the FIFO's path and the real helper's URL. `expected` reads a plain file instead.
 */
function heldInput(input: LanguageInput, script: (fifo: string, helper: string) => string): { input: LanguageInput; expected: LanguageInput; helper: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ka-pass0-held-'));
  const fifo = join(dir, 'first.c');
  execFileSync('mkfifo', [fifo]);
  // Should passZero never start the helper, the read would block this thread for good (no test
  // timeout can end a blocked read): a watchdog writes other text after 30 s, and the test fails.
  const watchdog = spawn('timeout', ['40', 'sh', '-c', 'sleep 30 && printf "/* watchdog */" > "$0"', fifo], { stdio: 'ignore' });
  watchdog.unref();
  watchdogs.push(watchdog);
  const plain = join(dir, 'plain.c');
  writeFileSync(plain, HELD_TEXT);
  const helper = join(dir, 'helper.mjs');
  writeFileSync(helper, script(fifo, pathToFileURL(builtFile('engine', 'scan-helper.js')!).href));
  const first = input.files[0]!;
  return {
    input: { ...input, files: [{ ...first, path: fifo }, ...input.files.slice(1)] },
    expected: { ...input, files: [{ ...first, path: plain }, ...input.files.slice(1)] },
    helper,
  };
}

/** `share` with the FIFO's path given as the plain file's (the one difference meant). */
function samePaths(share: ScanShare, held: { input: LanguageInput; expected: LanguageInput }): ScanShare {
  const first = held.input.files[0]!.display;
  expect(share.paths[first]).toBe(held.input.files[0]!.path);
  return { ...share, paths: { ...share.paths, [first]: held.expected.files[0]!.path } };
}

const watchdogs: ChildProcess[] = [];
afterAll(() => {
  for (const w of watchdogs) w.kill();
});

const HELD_TEXT = 'int held(int a) { return connect(a, 0, 0); }\n';

/** The helper script's line that lets this thread's read of the FIFO end. */
function release(fifo: string): string {
  return `(await import('node:fs')).writeFileSync(${JSON.stringify(fifo)}, ${JSON.stringify(HELD_TEXT)});`;
}

describe('pass 0 with a helper thread', () => {
  const input = tree(2000);
  const withSpare = { ...input, opts: { ...input.opts, spareThreads: spareCore(), helpersAlways: true } };

  it('the helper alone scans every chunk exactly as one thread does, posting them as it goes', async () => {
    const one = await scanFiles(input);
    const { port1, port2 } = new MessageChannel();
    const job: ScanHelperJob = { input, counter: new SharedArrayBuffer(4), port: port2 };
    await new Promise<void>((resolve, reject) => {
      const w = new Worker(builtFile('engine', 'scan-helper.js')!, { workerData: job, transferList: [port2] });
      w.once('exit', () => resolve());
      w.once('error', reject);
    });
    const messages: ScanHelperMessage[] = [];
    for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1)) messages.push(m.message as ScanHelperMessage);
    port1.close();
    // 2,002 files in chunks of SCAN_CHUNK, SCAN_CHUNKS_PER_PART chunks a message.
    const chunks = Math.ceil(input.files.length / SCAN_CHUNK);
    expect(messages.length).toBe(Math.ceil(chunks / SCAN_CHUNKS_PER_PART));
    expect(messages.flatMap((m) => m.chunks)).toEqual(Array.from({ length: chunks }, (_, i) => i * SCAN_CHUNK));
    const share = mergeScans(
      messages.map((m) => m.part),
      input.files.map((f) => f.display),
    );
    expect(Object.keys(share.scans).length).toBe(2000);
    expect(share.directives.length).toBeGreaterThan(100);
    expect(share).toEqual(one);
  });

  it('gives one thread\'s result when both threads scan', async () => {
    // The real helper scans every chunk but this thread's first, which waits on the FIFO.
    const held = heldInput(withSpare, (fifo, helper) => `await import(${JSON.stringify(helper)});\n${release(fifo)}`);
    expect(samePaths(await passZero(held.input, held.helper), held)).toEqual(await scanFiles(held.expected));
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

  it('keeps the chunks a helper posted before it died, and scans here the ones it had claimed', async () => {
    // The real helper's work, of which only the first message gets through, with a size no scan
    // gives (so that its use shows); then it dies.
    const held = heldInput(
      withSpare,
      (fifo, helper) => `import { workerData } from 'node:worker_threads';
const { helpScan } = await import(${JSON.stringify(helper.replace(/scan-helper\.js$/, 'work.js'))});
let first = true;
const port = { postMessage(m) { if (!first) return; first = false; for (const f of Object.keys(m.part.sizes)) m.part.sizes[f] = -1; workerData.port.postMessage(m); } };
await helpScan({ ...workerData, port });
${release(fifo)}
throw new Error('helper died');
`,
    );
    const got = await passZero(held.input, held.helper);
    const one = await scanFiles(held.expected);
    // Its first message: the SCAN_CHUNKS_PER_PART chunks after this thread's first.
    const posted = Object.keys(got.sizes).filter((f) => got.sizes[f] === -1);
    const expectedPosted = held.input.files.slice(SCAN_CHUNK, SCAN_CHUNK * (1 + SCAN_CHUNKS_PER_PART)).map((f) => f.display).filter((f) => f in one.sizes);
    expect(posted).toEqual(expectedPosted);
    for (const f of posted) one.sizes[f] = -1;
    expect(samePaths(got, held)).toEqual(one);
  });

  it('scans here what a helper that died had claimed', async () => {
    // Claims every chunk not yet claimed, then dies without posting them.
    const held = heldInput(withSpare, (fifo) => `import { workerData } from 'node:worker_threads';\nAtomics.add(new Int32Array(workerData.counter), 0, 1 << 20);\n${release(fifo)}\nthrow new Error('helper died');\n`);
    expect(samePaths(await passZero(held.input, held.helper), held)).toEqual(await scanFiles(held.expected));
  });
});
