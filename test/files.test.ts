// File discovery builds each path from its directory's normalized path plus the entry's name
// (no join per file): the paths must be what join gives, however the root was written.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverFiles } from '../src/engine/files.js';

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'ka-files-'));
  for (const dir of ['proj/src/net', 'proj/src/util', 'proj/include']) mkdirSync(join(root, dir), { recursive: true });
  for (const f of ['proj/main.c', 'proj/src/net/conn.c', 'proj/src/net/conn.h', 'proj/src/util/str.c', 'proj/include/api.h', 'proj/src/client.ts', 'proj/README.md']) {
    writeFileSync(join(root, f), 'int x;\n');
  }
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('file discovery', () => {
  it('gives normalized absolute paths and slash-separated display paths, however the root is written', async () => {
    const expected = ['proj/include/api.h', 'proj/main.c', 'proj/src/client.ts', 'proj/src/net/conn.c', 'proj/src/net/conn.h', 'proj/src/util/str.c'];
    for (const written of ['proj', './proj/', 'proj/src/../', join(root, 'proj'), `${root}//proj/./`]) {
      const { files, errors } = await discoverFiles({ cwd: root, paths: [written], gitignore: false });
      expect(errors).toEqual([]);
      expect(files.map((f) => f.display)).toEqual(expected);
      for (const f of files) {
        expect(f.path).toBe(normalize(f.path));
        expect(f.path).toBe(resolve(root, f.display));
      }
    }
  });

  it('gives the same paths from a root directory that is the cwd', async () => {
    const { files } = await discoverFiles({ cwd: join(root, 'proj', 'src'), paths: ['.'], gitignore: false });
    expect(files.map((f) => [f.display, f.path])).toEqual([
      ['client.ts', join(root, 'proj/src/client.ts')],
      ['net/conn.c', join(root, 'proj/src/net/conn.c')],
      ['net/conn.h', join(root, 'proj/src/net/conn.h')],
      ['util/str.c', join(root, 'proj/src/util/str.c')],
    ]);
  });
});
