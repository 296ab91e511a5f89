// The command as users and CI see it: exit codes, the JSON contract, per-file diagnostics for
// bad input, and --fix writing atomically while keeping every untouched byte.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyPatch } from 'diff';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../src/cli/program.js';
import { STAT_TRUST_MS } from '../src/engine/cache.js';
import { engineFingerprint } from '../src/engine/version.js';
import { FIXTURES } from './lib/fixtures.js';
import { CLIENT } from './lib/samples.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');

async function cli(args: string[], cwd: string) {
  let out = '';
  let err = '';
  const code = await run(args, { cwd, stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ka-cli-'));
});
afterEach(() => {
  chmodSync(dir, 0o755);
  rmSync(dir, { recursive: true, force: true });
});

describe("the README's first command", () => {
  it('npx ka-audit fixtures/ runs the built command and exits 1 with findings', () => {
    // npx runs the package's own bin directly: the build must leave it executable.
    expect(statSync(join(REPO, 'dist/cli/bin.js')).mode & 0o111).not.toBe(0);
    const r = spawnSync('npx', ['--no-install', 'ka-audit', 'fixtures/'], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).not.toMatch(/denied/);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/\d+ problems/);
  });
});

describe('exit codes', () => {
  it('0 on a clean tree, 1 with findings, 2 on a usage error', async () => {
    writeFileSync(join(dir, 'ok.c'), '#include <stdio.h>\nint main(void) { return 0; }\n');
    expect((await cli(['.'], dir)).code).toBe(0);
    writeFileSync(join(dir, 'client.c'), CLIENT);
    const r = await cli(['.'], dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/client\.c/);
    expect(r.out).toMatch(/7:14\s+error\s+TCP client socket 'fd' from socket\(\) has no keepalive.*require-keepalive/);
    expect((await cli(['--format', 'xml', '.'], dir)).code).toBe(2);
    expect((await cli(['--keepidle', 'soon', '.'], dir)).code).toBe(2);
  });

  it('audits the bundled fixtures with findings (exit 1)', async () => {
    const r = await cli([join(FIXTURES, 'c')], dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/problems? \(\d+ errors?/);
  });
});

describe('--format json', () => {
  it('follows the versioned contract', async () => {
    writeFileSync(join(dir, 'client.c'), CLIENT);
    const r = await cli(['--format', 'json', '--list-sites', '.'], dir);
    const doc = JSON.parse(r.out);
    expect(doc.version).toBe(1);
    expect(Object.keys(doc)).toEqual(['version', 'findings', 'sites', 'errors', 'stats']);
    const f = doc.findings[0];
    expect(f).toMatchObject({
      file: 'client.c',
      line: 7,
      column: 14,
      endLine: 7,
      ruleId: 'require-keepalive',
      severity: 'error',
      site: { api: 'socket', tcp: 'yes', role: 'client', keepalive: 'none', name: 'fd' },
    });
    expect(f.fix.safe).toBe(true);
    expect(f.fix.edits.length).toBeGreaterThan(0);
    expect(typeof f.fingerprint).toBe('string');
    expect(doc.sites[0]).toMatchObject({ file: 'client.c', line: 7, api: 'socket', tcp: 'yes', role: 'client' });
    expect(doc.sites[0].notes.length).toBeGreaterThan(0);
    expect(doc.stats).toMatchObject({ files: 1, sites: 1, findings: 1 });
  });
});

describe('bad input: a per-file diagnostic, the run goes on', () => {
  it('binary, huge, unreadable files and symlink loops are reported; good files still audited', async () => {
    writeFileSync(join(dir, 'client.c'), CLIENT);
    writeFileSync(join(dir, 'blob.c'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]));
    writeFileSync(join(dir, 'huge.c'), `/* ${'x'.repeat(2048)} */\n`);
    mkdirSync(join(dir, 'sub'));
    symlinkSync('..', join(dir, 'sub', 'loop'));
    symlinkSync('/etc', join(dir, 'outside'));
    const r = await cli(['--format', 'json', '--max-file-size', '1024', '.'], dir);
    const doc = JSON.parse(r.out);
    expect(r.code).toBe(2);
    expect(doc.findings.map((f: { file: string }) => f.file)).toEqual(['client.c']);
    const msg = (file: string) => doc.errors.find((e: { file: string }) => e.file === file)?.message ?? '';
    expect(msg('blob.c')).toMatch(/binary/);
    expect(msg('huge.c')).toMatch(/over the .* limit/);
    expect(msg('sub/loop')).toMatch(/symlink loop/);
    expect(msg('outside')).toMatch(/outside the scanned root/);
  });

  it('a missing path is an error (exit 2) but other paths are audited', async () => {
    writeFileSync(join(dir, 'client.c'), CLIENT);
    const r = await cli(['--format', 'json', 'client.c', 'nope.c'], dir);
    const doc = JSON.parse(r.out);
    expect(r.code).toBe(2);
    expect(doc.findings).toHaveLength(1);
    expect(doc.errors[0]).toMatchObject({ file: 'nope.c', severity: 'error' });
  });

  it('an unreadable file is reported', async () => {
    writeFileSync(join(dir, 'secret.c'), CLIENT);
    chmodSync(join(dir, 'secret.c'), 0o000);
    let out: string;
    if (process.getuid?.() === 0) {
      // Root reads any file: run the built CLI as `nobody`, for whom mode 000 means unreadable.
      chmodSync(dir, 0o755);
      const r = spawnSync(process.execPath, [join(REPO, 'dist/cli/bin.js'), '--format', 'json', '.'], { cwd: dir, uid: 65534, gid: 65534, encoding: 'utf8', timeout: 30_000 });
      expect(r.status, r.stderr).toBe(2);
      out = r.stdout;
    } else out = (await cli(['--format', 'json', '.'], dir)).out;
    expect(JSON.parse(out).errors[0]).toMatchObject({ file: 'secret.c', severity: 'error', message: expect.stringMatching(/permission denied/) });
  });

  it('non-UTF-8 (Latin-1) source is analysed, with a warning, and fixed byte-for-byte', async () => {
    const latin1 = Buffer.concat([Buffer.from('/* caf'), Buffer.from([0xe9]), Buffer.from(' */\n'), Buffer.from(CLIENT)]);
    writeFileSync(join(dir, 'legacy.c'), latin1);
    const r = await cli(['--format', 'json', '.'], dir);
    const doc = JSON.parse(r.out);
    expect(r.code).toBe(1);
    expect(doc.errors[0]).toMatchObject({ file: 'legacy.c', severity: 'warning' });
    expect(doc.findings).toHaveLength(1);
    await cli(['--fix', '.'], dir);
    const after = readFileSync(join(dir, 'legacy.c'));
    expect(after.subarray(0, 12)).toEqual(latin1.subarray(0, 12));
    expect(after.includes(Buffer.from('SO_KEEPALIVE'))).toBe(true);
  });

  it('an unparsable file gets a diagnostic', async () => {
    writeFileSync(join(dir, 'garbage.c'), 'int socket( ) ) ) { { ]] accept(\n'.repeat(20));
    const doc = JSON.parse((await cli(['--format', 'json', '.'], dir)).out);
    expect(doc.errors.map((e: { file: string }) => e.file)).toContain('garbage.c');
  });

  it('TS/JS nested thousands deep (generated concatenations, call chains) is analysed; too deep for the parser gets a clear error', async () => {
    const head = "import net from 'node:net';\n";
    const concat = `export function f(): number {\n  const x = ${Array(20000).fill('1').join(' + ')};\n  const s = net.connect(80, 'example.com');\n  s.write('x');\n  return x;\n}\n`;
    const chain = `export function g(): void {\n  net.connect(80, 'example.com')${".on('data', () => {})".repeat(3000)};\n}\n`;
    writeFileSync(join(dir, 'concat.ts'), head + concat);
    writeFileSync(join(dir, 'chain.ts'), head + chain);
    writeFileSync(join(dir, 'nested.ts'), `${head}export function h(): void {\n${'{'.repeat(20000)}net.connect(80, 'h');${'}'.repeat(20000)}\n}\n`);
    const r = await cli(['--format', 'json', '.'], dir);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.out);
    expect(doc.findings.map((f: { file: string }) => f.file).sort()).toEqual(['chain.ts', 'concat.ts']);
    expect(doc.errors).toEqual([{ file: 'nested.ts', severity: 'error', message: 'nested too deeply to be parsed (the stack ran out); this file was not analysed' }]);
  });

  it('a file whose parse errors nest thousands deep gets the parse diagnostic, not a crash', async () => {
    // As in libtomcrypt's ltc_ecc_fp_mulmod.c: a macro line without `;` before a long table.
    const table = 'LOCK_GLOBAL(lock)\nstatic const struct { int a, b, c; } t[] = {\n' + '   { 1, 0, 0 }, { 2, 1, 2 },\n'.repeat(3000) + '};\n';
    writeFileSync(join(dir, 'table.c'), table + 'int mk(void) { return socket(AF_INET, SOCK_STREAM, 0); }\n');
    const r = await cli(['--format', 'json', '.'], dir);
    expect(r.code).toBe(2);
    const [error] = JSON.parse(r.out).errors;
    expect(error).toMatchObject({ file: 'table.c', severity: 'error', message: expect.stringMatching(/^could not be parsed as C/) });
    // Nested ERROR nodes are counted once: a share of the file, at most all of it.
    expect(Number(/\((\d+)% of the file/.exec(error.message)![1])).toBeLessThanOrEqual(100);
  });
});

describe('--fix and --fix-dry-run', () => {
  it('dry run prints a unified diff, writes nothing, and exits as an audit', async () => {
    writeFileSync(join(dir, 'client.c'), CLIENT);
    const r = await cli(['--fix-dry-run', '.'], dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^--- a\/client\.c/m);
    expect(r.out).toMatch(/^\+.*SO_KEEPALIVE/m);
    expect(readFileSync(join(dir, 'client.c'), 'utf8')).toBe(CLIENT);
    // The diff, applied to the file, gives what --fix writes.
    expect((await cli(['--fix', '.'], dir)).code).toBe(0);
    expect(applyPatch(CLIENT, r.out)).toBe(readFileSync(join(dir, 'client.c'), 'utf8'));
  });

  it('keeps CRLF, BOM, tabs, file mode and every untouched byte; a second run changes nothing', async () => {
    const crlf = '\ufeff' + CLIENT.replace(/    /g, '\t').replace(/\n/g, '\r\n');
    const path = join(dir, 'win.c');
    writeFileSync(path, crlf);
    chmodSync(path, 0o640);
    const r = await cli(['--fix', '.'], dir);
    expect(r.code).toBe(0);
    const after = readFileSync(path, 'utf8');
    expect(after.startsWith('\ufeff')).toBe(true);
    expect(after.replace(/\r\n/g, '')).not.toMatch(/\n/); // every line ending is still CRLF
    expect(after).toMatch(/\tif \(setsockopt\(fd, SOL_SOCKET, SO_KEEPALIVE/);
    expect(statSync(path).mode & 0o777).toBe(0o640);
    // Untouched bytes: the original, with insertions only.
    const removed = after.replace(/#include <netinet\/tcp\.h>\r\n/, '').replace(/\t\{\r\n[\s\S]*?\r\n\t\}\r\n/, '');
    expect(removed).toBe(crlf);
    const second = await cli(['--fix', '.'], dir);
    expect(second.code).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe(after);
  });
});

describe('--cache', () => {
  it('a re-run on an unchanged tree parses nothing and gives the same result; any change recomputes', async () => {
    writeFileSync(join(dir, 'client.c'), CLIENT);
    writeFileSync(join(dir, 'other.c'), 'int add(int a, int b) { return a + b; }\n');
    const json = async () => JSON.parse((await cli(['--format', 'json', '--cache', '.'], dir)).out);
    const cold = await json();
    expect(cold.stats.parsed).toBeGreaterThan(0);
    expect(readdirSync(join(dir, '.ka-audit-cache'))).toEqual(['results.json']);
    const warm = await json();
    expect(warm.stats.parsed).toBe(0);
    expect(warm.findings).toEqual(cold.findings);
    // The key covers every file's content, not only the files with sites.
    writeFileSync(join(dir, 'other.c'), 'int add(int a, int b) { return b + a; }\n');
    const changed = await json();
    expect(changed.stats.parsed).toBeGreaterThan(0);
    expect(changed.findings).toEqual(cold.findings);
  });

  it("keeps a file's stored hash without reading it only while its stat is unchanged and was already old when read", async () => {
    writeFileSync(join(dir, 'client.c'), CLIENT);
    const other = join(dir, 'other.c');
    writeFileSync(other, 'int add(int a, int b) { return a + b; }\n');
    // A whole-second mtime, so that it can be put back exactly below.
    const past = Math.floor(Date.now() / 1000) - 3600;
    utimesSync(other, past, past);
    const stats = async () => JSON.parse((await cli(['--format', 'json', '--cache', '.'], dir)).out).stats;
    expect(await stats()).toMatchObject({ hashed: 2 });
    // Both files changed less than STAT_TRUST_MS before they were read: a write in the same
    // timestamp tick would not show in their stat, so they are read again.
    expect(await stats()).toMatchObject({ parsed: 0, hashed: 2 });
    await new Promise((done) => setTimeout(done, STAT_TRUST_MS + 100));
    expect(await stats()).toMatchObject({ parsed: 0, hashed: 2 });
    // Now old when they were read: their stat vouches for them.
    expect(await stats()).toMatchObject({ parsed: 0, hashed: 0 });
    // Same size, mtime put back: the ctime still moves, so the file is read and the run redone.
    const before = statSync(other, { bigint: true });
    writeFileSync(other, 'int add(int a, int b) { return b + a; }\n');
    utimesSync(other, past, past);
    const after = statSync(other, { bigint: true });
    expect([after.size, after.mtimeNs, after.ino]).toEqual([before.size, before.mtimeNs, before.ino]);
    const redone = await stats();
    expect(redone.hashed).toBe(1);
    expect(redone.parsed).toBeGreaterThan(0);
  });

  it("is keyed by the engine's code: a rebuild from changed sources does not get the old result back", () => {
    const code = mkdtempSync(join(tmpdir(), 'ka-engine-'));
    try {
      mkdirSync(join(code, 'lang', 'c'), { recursive: true });
      writeFileSync(join(code, 'lang', 'c', 'sites.js'), 'export const x = 1;\n');
      writeFileSync(join(code, 'lang', 'c', 'sites.js.map'), '{}');
      writeFileSync(join(code, 'lang', 'c', 'sites.d.ts'), 'export declare const x: number;\n');
      const before = engineFingerprint(code);
      expect(engineFingerprint(code)).toBe(before);
      // Another directory with the same code gives the same print: source maps and declarations
      // do not count.
      const twin = mkdtempSync(join(tmpdir(), 'ka-engine-'));
      mkdirSync(join(twin, 'lang', 'c'), { recursive: true });
      writeFileSync(join(twin, 'lang', 'c', 'sites.js'), 'export const x = 1;\n');
      writeFileSync(join(twin, 'lang', 'c', 'sites.js.map'), '{"changed":1}');
      writeFileSync(join(twin, 'lang', 'c', 'other.d.ts'), 'export {};\n');
      expect(engineFingerprint(twin)).toBe(before);
      // Code does.
      const twin2 = mkdtempSync(join(tmpdir(), 'ka-engine-'));
      mkdirSync(join(twin2, 'lang', 'c'), { recursive: true });
      writeFileSync(join(twin2, 'lang', 'c', 'sites.js'), 'export const x = 2;\n');
      expect(engineFingerprint(twin2)).not.toBe(before);
      rmSync(twin, { recursive: true, force: true });
      rmSync(twin2, { recursive: true, force: true });
    } finally {
      rmSync(code, { recursive: true, force: true });
    }
  });

  it('an absolute --cache-location is used as given', async () => {
    writeFileSync(join(dir, 'client.c'), CLIENT);
    const store = mkdtempSync(join(tmpdir(), 'ka-cache-'));
    try {
      const args = ['--format', 'json', '--cache', '--cache-location', store, '.'];
      expect(JSON.parse((await cli(args, dir)).out).stats.parsed).toBeGreaterThan(0);
      expect(readdirSync(store)).toEqual(['results.json']);
      expect(JSON.parse((await cli(args, dir)).out).stats.parsed).toBe(0);
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
  });
});
