// The project around a linted file, for the cross-file facts the TS/JS backend uses (a keepalive
// helper imported from another module, a factory's callers in other files). ESLint rules run
// synchronously, so this is a synchronous walk with the engine's rules of discovery: TS/JS files
// only, .gitignore files honoured, node_modules/.git skipped, symlinks not followed. Scans are
// cached per root and reused while a file's size and mtime stay the same; the tree is walked
// again at most every few seconds, so a long-lived ESLint (an editor) sees other files change.
import { existsSync, readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { dirname, join } from 'node:path';
import type IgnoreFactory from 'ignore';
import requireCjs from '../engine/cjs.cjs';
import { displayPath, type IgnoreLayer, isIgnored, langOf } from '../engine/files.js';
import { decodeSource } from '../engine/source.js';
import { tsBackend } from '../lang/ts/index.js';
import type { TsScan } from '../lang/ts/scan.js';

const ignore = requireCjs('ignore') as typeof IgnoreFactory;

/** How long a walk of a root is trusted before the tree is listed again. */
const WALK_TTL_MS = 5000;
const SKIPPED_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn']);

interface Entry {
  mtimeMs: number;
  size: number;
  scan: TsScan;
}

interface RootState {
  entries: Map<string, Entry>;
  walkedAt: number;
}

const roots = new Map<string, RootState>();

/** The nearest directory above the file with a package.json or .git: the project it belongs to. */
export function projectRoot(abs: string): string {
  for (let d = dirname(abs); ; ) {
    if (existsSync(join(d, 'package.json')) || existsSync(join(d, '.git'))) return d;
    const up = dirname(d);
    if (up === d) return dirname(abs);
    d = up;
  }
}

/** Pass-0 scans of every TS/JS file under `root`, keyed by display path (relative, '/'). */
export function projectScans(root: string, now = Date.now()): Map<string, TsScan> {
  let state = roots.get(root);
  if (!state || now - state.walkedAt > WALK_TTL_MS) {
    state = walk(root, state?.entries ?? new Map());
    state.walkedAt = now;
    roots.set(root, state);
  }
  const out = new Map<string, TsScan>();
  for (const [display, e] of state.entries) out.set(display, e.scan);
  return out;
}

/** A project file's decoded text (BOM removed), or undefined when unreadable or not text. */
export function readProjectText(path: string): string | undefined {
  try {
    const d = decodeSource(readFileSync(path));
    return d.ok ? d.source.text : undefined;
  } catch {
    return undefined;
  }
}

/** Forgets every cached root (tests). */
export function clearProjectCache(): void {
  roots.clear();
}

function walk(root: string, previous: Map<string, Entry>): RootState {
  const entries = new Map<string, Entry>();
  const visit = (dir: string, layers: IgnoreLayer[]): void => {
    let items: Dirent[];
    try {
      items = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (items.some((i) => i.name === '.gitignore')) {
      const layer = loadIgnore(dir);
      if (layer) layers = [...layers, layer];
    }
    for (const item of items) {
      if (SKIPPED_DIRS.has(item.name)) continue;
      const full = join(dir, item.name);
      if (item.isDirectory()) {
        if (!isIgnored(layers, full, true)) visit(full, layers);
      } else if (item.isFile() && langOf(item.name) === 'ts' && !isIgnored(layers, full, false)) {
        const display = displayPath(root, full);
        let st;
        try {
          st = statSync(full);
        } catch {
          continue;
        }
        const old = previous.get(display);
        if (old && old.mtimeMs === st.mtimeMs && old.size === st.size) {
          entries.set(display, old);
          continue;
        }
        const text = readProjectText(full);
        if (text !== undefined) entries.set(display, { mtimeMs: st.mtimeMs, size: st.size, scan: tsBackend.scan(text) });
      }
    }
  };
  visit(root, ancestorIgnores(root));
  return { entries, walkedAt: 0 };
}

function loadIgnore(dir: string): IgnoreLayer | undefined {
  try {
    return { base: dir, ig: ignore().add(readFileSync(join(dir, '.gitignore'), 'utf8')) };
  } catch {
    return undefined;
  }
}

/** .gitignore files above the root, up to the repository root (none outside a repository). */
function ancestorIgnores(root: string): IgnoreLayer[] {
  const chain: string[] = [];
  for (let cur = dirname(root); ; ) {
    chain.unshift(cur);
    if (existsSync(join(cur, '.git'))) break;
    const up = dirname(cur);
    if (up === cur) return [];
    cur = up;
  }
  return chain.map(loadIgnore).filter((l): l is IgnoreLayer => !!l);
}
