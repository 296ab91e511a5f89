// A factory module whose sockets every file of a large tree uses: following the factories back
// to their callers must not hold every caller's tree at once. Checked with a worker heap bound
// the old way of listing all callers first (and keeping each caller's evidence) went past.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { audit } from '../src/engine/audit.js';

const FACTORIES = 10;
const CALLERS = 400;
const dir = mkdtempSync(join(tmpdir(), 'ka-fan-in-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Factories that connect (`net.connect`), or return a `new net.Socket()` each caller connects. */
function writeTree(root: string, callersConnect: boolean): void {
  mkdirSync(join(root, 'src'), { recursive: true });
  const dials = Array.from({ length: FACTORIES }, (_, i) => `dial${i}`);
  const make = (i: number) => (callersConnect ? 'new net.Socket()' : `net.connect(${6000 + i}, host)`);
  writeFileSync(join(root, 'src', 'factories.ts'), "import net from 'node:net';\n" + dials.map((d, i) => `export function ${d}(host: string): net.Socket {\n  return ${make(i)};\n}\n`).join(''));
  for (let j = 0; j < CALLERS; j++) {
    const connect = (i: number) => (callersConnect ? `  s${i}.connect(${6000 + i}, host);\n` : '');
    const body = dials.map((d, i) => `  const s${i} = ${d}(host);\n${connect(i)}  s${i}.setKeepAlive(true, 30000);\n`).join('');
    writeFileSync(join(root, 'src', `use${j}.ts`), `import { ${dials.join(', ')} } from './factories.js';\n\nexport function run${j}(host: string): void {\n${body}}\n`);
  }
}

describe('factories with many callers', () => {
  it(`follows ${FACTORIES} factories to their ${CALLERS} callers each within a 96 MB worker heap`, async () => {
    writeTree(dir, false);
    const r = await audit({ cwd: dir, paths: ['.'], jobs: 2, parallelMinFiles: 0, workerHeapMb: 96 });
    expect(r.stats.workerFailure).toBeUndefined();
    expect(r.stats.threads).toBe(1);
    expect(r.sites).toHaveLength(FACTORIES);
    for (const s of r.sites) {
      expect(s.keepalive).toBe('direct');
      expect(s.notes.some((n) => n.includes(`followed to ${CALLERS} caller(s)`))).toBe(true);
    }
    expect(r.findings).toEqual([]);
  });
  // A tracker kept each caller's connect() or listen() call, and each value it had seen, as
  // nodes: every caller's tree stayed alive until its site was judged (the worker ran out of
  // heap in this test and the next).
  it(`follows ${FACTORIES} factories of unconnected sockets to the ${CALLERS} callers that connect them, within a 96 MB worker heap`, async () => {
    const root = join(dir, 'connecting');
    writeTree(root, true);
    const r = await audit({ cwd: root, paths: ['.'], jobs: 2, parallelMinFiles: 0, workerHeapMb: 96 });
    expect(r.stats.workerFailure).toBeUndefined();
    expect(r.sites).toHaveLength(FACTORIES);
    for (const s of r.sites) {
      expect([s.role, s.keepalive]).toEqual(['client', 'direct']);
      expect(s.notes.filter((n) => n.startsWith('connect() at '))).toHaveLength(CALLERS);
    }
    expect(r.findings).toEqual([]);
  });
  it(`follows ${FACTORIES} server factories to the ${CALLERS} callers that listen, within a 96 MB worker heap`, async () => {
    const root = join(dir, 'listening');
    writeServerTree(root, false);
    const r = await audit({ cwd: root, paths: ['.'], jobs: 2, parallelMinFiles: 0, workerHeapMb: 96 });
    expect(r.stats.workerFailure).toBeUndefined();
    expect(r.sites).toHaveLength(FACTORIES);
    for (const s of r.sites) {
      expect([s.role, s.keepalive]).toEqual(['server', 'direct']);
      expect(s.notes.filter((n) => n.includes('listen'))).toHaveLength(CALLERS + 1);
    }
  });
  // Each caller's 'connection' handler was kept as its node until the site was judged.
  it(`follows the 'connection' handlers the ${CALLERS} callers of ${FACTORIES} server factories add, within a 96 MB worker heap`, async () => {
    const root = join(dir, 'handling');
    writeServerTree(root, true);
    const r = await audit({ cwd: root, paths: ['.'], jobs: 2, parallelMinFiles: 0, workerHeapMb: 96 });
    expect(r.stats.workerFailure).toBeUndefined();
    expect(r.sites).toHaveLength(FACTORIES);
    for (const s of r.sites) {
      expect([s.role, s.keepalive]).toEqual(['server', 'direct']);
      expect(s.notes.filter((n) => n.startsWith('connection listener at '))).toHaveLength(CALLERS);
      expect(s.notes.filter((n) => n.startsWith('listen() on '))).toHaveLength(CALLERS);
    }
  });
});

/** Server factories with a connection listener of their own, or bare ones whose callers each add one with .on(). */
function writeServerTree(root: string, callersHandle: boolean): void {
  mkdirSync(join(root, 'src'), { recursive: true });
  const names = Array.from({ length: FACTORIES }, (_, i) => `serve${i}`);
  const listener = callersHandle ? '' : '(s) => {\n    s.setKeepAlive(true, 30000);\n  }';
  writeFileSync(join(root, 'src', 'servers.ts'), "import net from 'node:net';\n" + names.map((n) => `export function ${n}(): net.Server {\n  return net.createServer(${listener});\n}\n`).join(''));
  const handle = (i: number) => (callersHandle ? `  v${i}.on('connection', (s) => {\n    s.setKeepAlive(true, 30000);\n  });\n` : '');
  for (let j = 0; j < CALLERS; j++) {
    const body = names.map((n, i) => `  const v${i} = ${n}();\n${handle(i)}  v${i}.listen(port + ${i}, '0.0.0.0');\n`).join('');
    writeFileSync(join(root, 'src', `use${j}.ts`), `import { ${names.join(', ')} } from './servers.js';\n\nexport function run${j}(port: number): void {\n${body}}\n`);
  }
}
