// Line-ending detection (engine/source.ts) decides the line ending every fix inserts; it was
// rewritten from two regex match arrays to one indexOf loop, and must agree with them.
import { describe, expect, it } from 'vitest';
import { decodeSource, dominantEol } from '../src/engine/source.js';
import { randomInts } from './lib/random.js';

/** The replaced implementation. */
function byRegex(text: string): '\n' | '\r\n' {
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length - crlf;
  return crlf > lf ? '\r\n' : '\n';
}

describe('dominantEol', () => {
  it('agrees with counting regex matches, on fixed and 5,000 random texts', () => {
    const fixed = ['', 'a', '\n', '\r\n', '\r', '\n\r', '\r\r\n', 'a\r\nb\nc\r\n', 'a\nb\r\nc\n', '\r\n\n', '\n\r\n\r\n'];
    for (const t of fixed) expect(dominantEol(t), JSON.stringify(t)).toBe(byRegex(t));
    const rnd = randomInts(5);
    const alphabet = ['\r', '\n', '\r\n', 'x', ' '];
    let crlfSeen = 0;
    for (let i = 0; i < 5000; i++) {
      let t = '';
      for (let n = rnd(40); n > 0; n--) t += alphabet[rnd(alphabet.length)];
      const want = byRegex(t);
      if (want === '\r\n') crlfSeen++;
      expect(dominantEol(t), JSON.stringify(t)).toBe(want);
    }
    // Both answers come up often enough for the comparison to mean something.
    expect(crlfSeen).toBeGreaterThan(500);
    expect(crlfSeen).toBeLessThan(4500);
  });

  it('finds CRLF in a decoded source, whose text keeps its line endings', () => {
    const decoded = decodeSource(Buffer.from('\ufeffint a;\r\nint b;\r\nint c;\n'));
    expect(decoded.ok && decoded.source.text).toBe('int a;\r\nint b;\r\nint c;\n');
    expect(decoded.ok && dominantEol(decoded.source.text)).toBe('\r\n');
    expect(decoded.ok && decoded.source.bom).toBe(true);
  });
});
