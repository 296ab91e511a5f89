// Strings kept for a whole run must not keep the texts they were cut from (engine/strings.ts).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { builtFile } from '../src/engine/paths.js';
import { detach, detachDeep, intern, internSlice } from '../src/engine/strings.js';

/** Live heap (MB) after 100 texts of 2 MB are dropped and a 20-character key of each is kept, as given by `keep`. */
function heapAfterKeeping(keep: 'slice' | 'detach'): number {
  const strings = builtFile('engine', 'strings.js');
  if (!strings) throw new Error('run npm run build first');
  const script = `
    const { detach } = await import(${JSON.stringify(strings)});
    const kept = new Map();
    for (let i = 0; i < 100; i++) {
      const text = String(i).padStart(4, '0') + 'x'.repeat(2 << 20) + i; // unique, not shared
      const key = text.slice(0, 20) + ':' + i;
      kept.set(${keep === 'detach' ? 'detach(key)' : 'key'}, i);
    }
    globalThis.gc();
    console.log(process.memoryUsage().heapUsed / 1048576);
    if (kept.size !== 100) process.exit(1);
  `;
  const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return Number(r.stdout.trim());
}

describe('detach', () => {
  it('gives the same string, and does not keep the text a key was cut from', () => {
    const text = 'a'.repeat(100) + 'ngx_http_upstream_connect(c->fd)';
    const cut = text.slice(100, 125);
    expect(detach(cut)).toBe(cut);
    expect(detach('\ud800 lone surrogate, é, 日本')).toBe('\ud800 lone surrogate, é, 日本');
    expect(detach('short')).toBe('short');
    // 100 texts of 2 MB: cut keys keep them all (~200 MB); detached keys keep none.
    expect(heapAfterKeeping('slice')).toBeGreaterThan(150);
    expect(heapAfterKeeping('detach')).toBeLessThan(30);
  });

  it('detaches every string of plain data in place, through arrays, Sets, Maps and cycles', () => {
    class Node {
      constructor(readonly text: string) {}
    }
    const node = new Node('left alone');
    const cyclic: Record<string, unknown> = { name: 'x'.repeat(20) };
    cyclic['self'] = cyclic;
    const v = { a: ['y'.repeat(30), 1, null], s: new Set(['z'.repeat(40)]), m: new Map([['k'.repeat(15), { deep: 'w'.repeat(16) }]]), node, cyclic };
    const copy = JSON.parse(JSON.stringify({ a: v.a, s: [...v.s], m: [...v.m], name: cyclic['name'] }));
    expect(detachDeep(v)).toBe(v);
    expect(JSON.parse(JSON.stringify({ a: v.a, s: [...v.s], m: [...v.m], name: cyclic['name'] }))).toEqual(copy);
    expect(v.node).toBe(node);
    expect(cyclic['self']).toBe(cyclic);
  });
});

describe('intern', () => {
  it('gives one string for equal ones, from a slice of a text too', () => {
    const a = intern('x'.repeat(5) + 'socket_connect_nonblocking');
    expect(intern('xxxxxsocket_connect_nonblocking')).toBe(a);
    const text = '  xxxxxsocket_connect_nonblocking(fd);';
    expect(internSlice(text, 2, 33, 7)).toBe('xxxxxsocket_connect_nonblocking');
  });

  it('keeps a bounded table however many distinct names a pass 0 meets', () => {
    const strings = builtFile('engine', 'strings.js');
    if (!strings) throw new Error('run npm run build first');
    // 400,000 distinct names of 40 characters (16 MB of text as copies, ~30 MB with an unbounded
    // table), none kept by the script: what stays is the table's.
    const script = `
      const { intern } = await import(${JSON.stringify(strings)});
      globalThis.gc();
      const before = process.memoryUsage().heapUsed;
      let last;
      for (let i = 0; i < 400000; i++) last = intern('name_of_some_function_number_' + String(i).padStart(11, '0'));
      if (intern('name_of_some_function_number_' + String(399999).padStart(11, '0')) !== last) process.exit(3);
      globalThis.gc();
      console.log((process.memoryUsage().heapUsed - before) / 1048576);
    `;
    const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(Number(r.stdout.trim())).toBeLessThan(12);
  });
});
