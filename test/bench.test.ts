// The benchmark's corpus generator: deterministic, the requested share of socket files, and a
// manifest that ka-audit's findings must match exactly (so the corpus is a correctness check
// too). Correctness only: speed is measured by `npm run bench`, never asserted here.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { audit } from '../src/engine/audit.js';
import { generateCorpus, writeCorpus, type CorpusOptions, type Manifest } from '../src/bench/corpus.js';
import { compareWithManifest, type KaReport } from '../src/bench/verify.js';
import { findAstGrep, writeAstGrepConfig } from '../src/bench/tools.js';

function hashOf(options: CorpusOptions): { sha: string; files: Map<string, string>; manifest: Manifest } {
  const h = createHash('sha256');
  const files = new Map<string, string>();
  const manifest = generateCorpus(options, (path, text) => {
    files.set(path, text);
    h.update(path).update('\0').update(text).update('\0');
  });
  return { sha: h.digest('hex'), files, manifest };
}

// A call that makes a socket, as the generator spells them (C, then TS/JS).
const C_SITE = /\b(socket|accept4?)\s*\(/;
const TS_SITE = /\b(net|tls)\.(connect|createConnection|createServer)\(|\bnew (net\.)?(Socket|Server)\b|(^|[^.\w])(connect|createConnection|createServer)\(/;

const tmp: string[] = [];
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

describe('benchmark corpus generator', () => {
  it('is deterministic: the same seed gives the same bytes, another seed other bytes', () => {
    const a = hashOf({ files: 30, socketShare: 0.2, seed: 7 });
    const b = hashOf({ files: 30, socketShare: 0.2, seed: 7 });
    const c = hashOf({ files: 30, socketShare: 0.2, seed: 8 });
    expect(a.files.size).toBe(30);
    expect(b.sha).toBe(a.sha);
    expect(a.manifest.sha256).toBe(a.sha);
    expect(b.manifest).toEqual(a.manifest);
    expect(c.sha).not.toBe(a.sha);
    // Written to disk, the files are the bytes the manifest hashed.
    const dir = mkdtempSync(join(tmpdir(), 'ka-bench-test-'));
    tmp.push(dir);
    const m = writeCorpus({ files: 30, socketShare: 0.2, seed: 7 }, join(dir, 'corpus'));
    const h = createHash('sha256');
    for (const path of [...a.files.keys()]) h.update(path).update('\0').update(readFileSync(join(dir, 'corpus', path), 'utf8')).update('\0');
    expect(h.digest('hex')).toBe(a.sha);
    expect(m.sha256).toBe(a.sha);
  });

  it('writes the requested number of files and share of socket files, and sites nowhere else', () => {
    const { files, manifest } = hashOf({ files: 200, socketShare: 0.1, seed: 3 });
    expect(files.size).toBe(200);
    expect(manifest.files).toBe(200);
    expect(manifest.socketFiles.length).toBe(20);
    const withSites = new Set(manifest.sites.map((s) => s.file));
    expect([...withSites].sort()).toEqual([...manifest.socketFiles].sort());
    for (const [path, text] of files) {
      const site = /\.[ch]$/.test(path) ? C_SITE : TS_SITE;
      const lines = text.split('\n');
      if (withSites.has(path)) {
        for (const s of manifest.sites.filter((x) => x.file === path)) {
          // Each site line holds the call (a C macro alias such as kazo_socket( counts).
          expect(lines[s.line - 1], `${path}:${s.line}`).toMatch(/socket\(|accept4?\(|connect\(|createConnection\(|createServer\(|new (net\.)?Socket|new Socket/);
        }
      } else {
        expect(lines.filter((l) => site.test(l) && !/^\s*(\/\*|\*|\/\/)/.test(l)), path).toEqual([]);
      }
    }
    // Both languages, and sizes spread like real code.
    const paths = [...files.keys()];
    expect(paths.some((p) => p.endsWith('.c'))).toBe(true);
    expect(paths.some((p) => p.endsWith('.h'))).toBe(true);
    expect(paths.some((p) => p.endsWith('.ts'))).toBe(true);
    expect(paths.some((p) => /\.(c|m)?js$/.test(p))).toBe(true);
    const sizes = [...files.values()].map((t) => Buffer.byteLength(t));
    expect(Math.min(...sizes)).toBeLessThan(1500);
    expect(Math.max(...sizes)).toBeGreaterThan(20_000);
    expect(Math.max(...sizes)).toBeLessThan(120_000);
    // Findings and quiet sites both occur: reported and handled sockets in C and TS.
    expect(manifest.sites.some((s) => s.finding && /\.c$/.test(s.file))).toBe(true);
    expect(manifest.sites.some((s) => !s.finding && s.tcp === 'yes' && /\.c$/.test(s.file))).toBe(true);
    expect(manifest.sites.some((s) => s.finding && !/\.[ch]$/.test(s.file))).toBe(true);
    expect(manifest.sites.some((s) => !s.finding && s.tcp === 'yes' && !/\.[ch]$/.test(s.file))).toBe(true);
  });

  it("ka-audit's findings and sites on a small corpus are exactly the generator's ground truth", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ka-bench-test-'));
    tmp.push(dir);
    const manifest = writeCorpus({ files: 60, socketShare: 0.5, seed: 11 }, dir);
    expect(manifest.findings.length).toBeGreaterThan(10);
    const r = await audit({ cwd: dir, paths: ['.'], gitignore: false, jobs: 1 });
    const report: KaReport = {
      version: r.version,
      findings: r.findings.map((f) => ({ file: f.file, line: f.line, ruleId: f.ruleId })),
      sites: r.sites.map((s) => ({ file: s.file, line: s.span.line, api: s.api, tcp: s.tcp, role: s.role, keepalive: s.keepalive })),
      errors: r.errors,
      stats: r.stats,
    };
    expect(compareWithManifest(report, manifest)).toEqual([]);
    expect(r.findings.length).toBe(manifest.findings.length);
  });

  it("finds the ast-grep binary, and its rules match the generator's sites (all but C macro aliases)", () => {
    const sg = findAstGrep();
    expect(sg, 'ast-grep binary (devDependency @ast-grep/cli)').toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'ka-bench-test-'));
    tmp.push(dir);
    const manifest = writeCorpus({ files: 60, socketShare: 0.5, seed: 11 }, join(dir, 'corpus'));
    const cfg = writeAstGrepConfig(join(dir, 'sg'));
    const r = spawnSync(sg!.bin, ['scan', '-c', cfg, '-j', '1', '--json=stream', '.'], { cwd: join(dir, 'corpus'), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const got = r.stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { file: string; range: { start: { line: number } } });
    const matched = new Set(got.map((m) => `${m.file}:${m.range.start.line + 1}`));
    const texts = new Map<string, string[]>();
    const lineOf = (file: string, line: number) => {
      if (!texts.has(file)) texts.set(file, readFileSync(join(dir, 'corpus', file), 'utf8').split('\n'));
      return texts.get(file)![line - 1]!;
    };
    const expected = manifest.sites.filter((s) => !/\b[a-z]+_socket\(/.test(lineOf(s.file, s.line))).map((s) => `${s.file}:${s.line}`);
    expect([...matched].sort()).toEqual([...new Set(expected)].sort());
  });
});
