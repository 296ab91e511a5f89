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

/**
 * A compiled entry for a thread (`dist/...`), or undefined when running from sources without a
 * build (some test setups): the caller then stays in its own thread.
 */
export function builtFile(...parts: string[]): string | undefined {
  const file = join(packageRoot(), 'dist', ...parts);
  return existsSync(file) ? file : undefined;
}

export function rulesDir(): string {
  return join(packageRoot(), 'rules');
}
