// readUtf8 reads large text files (the TypeScript compiler, the --cache store, a baseline) in
// pieces rather than with readFileSync(path, 'utf8') (read-text.cjs says why). It must give the
// same string for any bytes, wherever the pieces cut a character or an invalid sequence.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readUtf8 } from '../src/engine/read-text.cjs';

const dir = mkdtempSync(join(tmpdir(), 'ka-read-text-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(bytes: Uint8Array): string {
  const path = join(dir, `f${n++}`);
  writeFileSync(path, bytes);
  return path;
}

/** A deterministic byte generator (mulberry32), so a failure names its seed. */
function bytesFrom(seed: number, length: number, pick: (r: () => number) => number[]): Uint8Array {
  let a = seed;
  const r = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out: number[] = [];
  while (out.length < length) out.push(...pick(r));
  return Uint8Array.from(out.slice(0, length));
}

// Valid UTF-8 of 1 to 4 bytes, and the invalid kinds a decoder must replace: a stray
// continuation byte, a lead byte cut short, an overlong form, a surrogate, 0xFF.
const PIECES: number[][] = [[0x61], [0x0a], [0xc3, 0xa9], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x98, 0x80], [0x80], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff], [0xf0, 0x9f]];

describe('readUtf8', () => {
  it.each([1, 2, 3, 5, 7, 64 * 1024])('matches readFileSync(path, "utf8") on mixed valid and invalid UTF-8, in pieces of %i bytes', (piece) => {
    for (let seed = 1; seed <= 40; seed++) {
      const path = file(bytesFrom(seed, 300, (r) => PIECES[Math.floor(r() * PIECES.length)]!));
      expect(readUtf8(path, piece), `seed ${seed}`).toBe(readFileSync(path, 'utf8'));
    }
  });

  it('keeps a BOM, and reads an empty file and a file larger than one piece', () => {
    const bom = file(Buffer.from('\ufeffint x;\r\n', 'utf8'));
    expect(readUtf8(bom)).toBe('\ufeffint x;\r\n');
    expect(readUtf8(file(new Uint8Array(0)))).toBe('');
    const big = 'é€😀 socket(AF_INET, SOCK_STREAM, 0);\n'.repeat(20_000);
    expect(readUtf8(file(Buffer.from(big, 'utf8')))).toBe(big);
  });

  it('fails like readFileSync on a missing file', () => {
    const missing = join(dir, 'missing.json');
    expect(() => readUtf8(missing)).toThrow(/ENOENT/);
  });

  it('reads the TypeScript compiler (what tsc.cjs loads with it) as readFileSync does', () => {
    const require = createRequire(import.meta.url);
    expect(readUtf8(require.resolve('typescript'))).toBe(readFileSync(require.resolve('typescript'), 'utf8'));
  });
});
