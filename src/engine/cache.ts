// --cache: a re-run on an unchanged tree parses nothing. The key covers everything a result
// depends on — the engine version, the options, and every file's path and content hash — so a
// hit is exact. The analysis is cross-file, so any change anywhere recomputes the whole run.
//
// Hashing every file's content was most of a warm run (50 of ~190 ms on 2,000 files), so the
// cache also keeps each file's stat signature beside its hash, as git's index does: a file whose
// size, mtime, ctime, inode and device are unchanged keeps its stored hash without being read.
// A signature is only stored for a file last changed at least STAT_TRUST_MS before it was read:
// a write in the same timestamp tick as the read (ext4 ticks are milliseconds, FAT's 2 s) would
// leave every field the same, so such a file is read again next time.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, renameSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { AuditOptions, AuditResult } from './audit.js';
import type { FoundFile } from './files.js';
import { readUtf8 } from './read-text.cjs';
import { engineFingerprint, VERSION } from './version.js';

export const DEFAULT_CACHE_DIR = '.ka-audit-cache';

/** How long ago a file must have changed for its stat signature to vouch for its content. */
export const STAT_TRUST_MS = 2000;

type Cached = Pick<AuditResult, 'findings' | 'sites' | 'errors' | 'stats'>;

/** Absolute path → [stat signature, content hash (hex)]. */
type KnownHashes = Record<string, [string, string]>;

interface CacheDoc {
  key: string;
  result: Cached;
  hashes?: KnownHashes;
}

/** Where the cache lives, and the stored run, if any: its key, result and the content hashes it vouches for. */
export interface CacheStore {
  path: string;
  doc?: CacheDoc;
}

export interface CacheKey {
  key: string;
  /** Files whose content was read to compute the key (the others kept a stored hash). */
  hashed: number;
  hashes: KnownHashes;
  /** Some file read for the key can be trusted by its stat from now on: worth storing. */
  learned: boolean;
}

/**
 * Number fields, not BigInt ones: a BigInt stat cost ~2x as much in the warm run's single pass,
 * and microsecond timestamps are plenty next to STAT_TRUST_MS.
 */
function signature(st: Stats): string {
  return `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}:${st.dev}`;
}

export function cacheKey(options: AuditOptions, files: FoundFile[], store?: CacheStore): CacheKey {
  const known = store?.doc?.hashes ?? {};
  const hashes: KnownHashes = {};
  let hashed = 0;
  let learned = false;
  const h = createHash('sha256');
  const { cwd: _cwd, cacheDir: _dir, jobs: _jobs, ...relevant } = options;
  h.update(`ka-audit ${VERSION}\0${engineFingerprint()}\0${JSON.stringify(relevant)}\0`);
  // One reused buffer rather than a readFileSync per file: it was measured 30 % faster on
  // 10,000 files.
  const buf = Buffer.allocUnsafe(1 << 20);
  for (const f of files) {
    h.update(f.display);
    h.update('\0');
    try {
      const stored = known[f.path];
      if (stored && stored[0] === signature(statSync(f.path))) {
        hashes[f.path] = stored;
        h.update(stored[1]);
        continue;
      }
      const read = contentHash(f.path, buf);
      hashed++;
      if (read.trusted) {
        hashes[f.path] = [read.signature, read.hash];
        learned = true;
      }
      h.update(read.hash);
    } catch (e) {
      h.update(`unreadable:${(e as NodeJS.ErrnoException).code ?? ''}`);
    }
  }
  return { key: h.digest('hex'), hashed, hashes, learned };
}

function contentHash(path: string, buf: Buffer): { hash: string; signature: string; trusted: boolean } {
  const fd = openSync(path, 'r');
  try {
    // The signature is taken before the read, so a write during the read changes it next time.
    const st = fstatSync(fd);
    const readAt = Date.now();
    const h = createHash('sha1');
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
    const changedAt = Math.max(st.mtimeMs, st.ctimeMs);
    return { hash: h.digest('hex'), signature: signature(st), trusted: changedAt <= readAt - STAT_TRUST_MS };
  } finally {
    closeSync(fd);
  }
}

/** Loads the stored run; a missing or unreadable store is an empty one. */
export function openCache(dir: string, cwd: string): CacheStore {
  const path = resolve(cwd, dir, 'results.json');
  try {
    // In pieces: the store of a large tree is megabytes (read-text.cjs says why that matters).
    const doc = JSON.parse(readUtf8(path)) as CacheDoc;
    return typeof doc?.key === 'string' ? { path, doc } : { path };
  } catch {
    return { path };
  }
}

export function cachedResult(store: CacheStore, key: string): Cached | undefined {
  return store.doc?.key === key ? store.doc.result : undefined;
}

export function writeCache(store: CacheStore, key: CacheKey, result: Cached): void {
  const { path } = store;
  try {
    mkdirSync(dirname(path), { recursive: true });
    const doc: CacheDoc = {
      key: key.key,
      result: { findings: result.findings, sites: result.sites, errors: result.errors, stats: result.stats },
      hashes: key.hashes,
    };
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(doc));
    renameSync(tmp, path);
  } catch {
    // A cache that cannot be written only costs speed next time.
  }
}
