// The package version, read from package.json so there is one source of truth, and the
// fingerprint of the engine's code that keys --cache.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from './paths.js';

export const VERSION: string = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;

/**
 * What a cached result (--cache) was computed by: a hash of the engine's code as it runs (every
 * `.js`/`.cjs`/`.ts` file under `dist/`, or `src/` under the tests) and of the parsers installed.
 * The package version alone keyed it before, so a tree cached before `git pull && npm run build`
 * gave the old engine's result back. Hashing the 108 built files takes ~9 ms once per run.
 */
export function engineFingerprint(codeDir = dirname(dirname(fileURLToPath(import.meta.url)))): string {
  let known = fingerprints.get(codeDir);
  if (known !== undefined) return known;
  const h = createHash('sha256');
  for (const file of codeFiles(codeDir)) {
    h.update(`${relative(codeDir, file)}\0`);
    h.update(readFileSync(file));
  }
  for (const pkg of ['web-tree-sitter', 'tree-sitter-c', 'typescript']) h.update(`${pkg}@${installedVersion(pkg)}\0`);
  known = h.digest('hex');
  fingerprints.set(codeDir, known);
  return known;
}

const fingerprints = new Map<string, string>();

/** A dependency's installed version, found as Node finds the package (web-tree-sitter does not export its package.json). */
function installedVersion(pkg: string): string {
  for (let dir = packageRoot(); ; dir = dirname(dir)) {
    try {
      return (JSON.parse(readFileSync(join(dir, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      if (dirname(dir) === dir) return '?';
    }
  }
}

/** The engine's code files under `dir`, in a fixed order (declarations and source maps left out). */
function codeFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = join(d, e.name);
      if (e.isDirectory()) visit(p);
      else if (/\.(c?js|ts|cts)$/.test(e.name) && !/\.d\.c?ts$/.test(e.name)) out.push(p);
    }
  };
  visit(dir);
  return out;
}
