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

function writeTree(): void {
  mkdirSync(join(dir, 'src'));
  const dials = Array.from({ length: FACTORIES }, (_, i) => `dial${i}`);
  writeFileSync(join(dir, 'src', 'factories.ts'), "import net from 'node:net';\n" + dials.map((d, i) => `export function ${d}(host: string): net.Socket {\n  return net.connect(${6000 + i}, host);\n}\n`).join(''));
  for (let j = 0; j < CALLERS; j++) {
    const body = dials.map((d, i) => `  const s${i} = ${d}(host);\n  s${i}.setKeepAlive(true, 30000);\n`).join('');
    writeFileSync(join(dir, 'src', `use${j}.ts`), `import { ${dials.join(', ')} } from './factories.js';\n\nexport function run${j}(host: string): void {\n${body}}\n`);
  }
}

describe('factories with many callers', () => {
  it(`follows ${FACTORIES} factories to their ${CALLERS} callers each within a 96 MB worker heap`, async () => {
    writeTree();
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
});
