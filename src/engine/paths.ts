// Where the package's own files live, whether run from dist/ or from src/ under vitest.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'rules'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('ka-audit: cannot find the package root (package.json + rules/)');
    dir = up;
  }
  root = dir;
  return root;
}

export function rulesDir(): string {
  return join(packageRoot(), 'rules');
}
