// Locating the tools the benchmark compares with, and the ast-grep rules it runs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (this file is src/bench/tools.ts or dist/bench/tools.js). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function platformPackage(): string | undefined {
  const { platform, arch } = process;
  if (platform === 'linux') {
    const glibc = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header?.glibcVersionRuntime;
    if (!glibc) return undefined; // musl: no prebuilt package
    return arch === 'x64' ? '@ast-grep/cli-linux-x64-gnu' : arch === 'arm64' ? '@ast-grep/cli-linux-arm64-gnu' : undefined;
  }
  if (platform === 'darwin') return arch === 'arm64' ? '@ast-grep/cli-darwin-arm64' : '@ast-grep/cli-darwin-x64';
  if (platform === 'win32') return arch === 'x64' ? '@ast-grep/cli-win32-x64-msvc' : arch === 'arm64' ? '@ast-grep/cli-win32-arm64-msvc' : '@ast-grep/cli-win32-ia32-msvc';
  return undefined;
}

/**
 * The ast-grep binary. npm 11 runs no install scripts unless approved, so @ast-grep/cli's
 * postinstall may not have linked its binary: the platform package's binary is tried first.
 */
export function findAstGrep(): { bin: string; version: string } | undefined {
  const req = createRequire(join(ROOT, 'package.json'));
  const exe = process.platform === 'win32' ? 'ast-grep.exe' : 'ast-grep';
  const candidates: string[] = [];
  const pkg = platformPackage();
  for (const name of [pkg, '@ast-grep/cli']) {
    if (!name) continue;
    try {
      candidates.push(join(dirname(req.resolve(`${name}/package.json`)), exe));
    } catch {
      /* not installed */
    }
  }
  candidates.push(join(ROOT, 'node_modules', '.bin', exe), 'ast-grep');
  for (const c of candidates) {
    if (c.includes('/') && !existsSync(c)) continue;
    const r = spawnSync(c, ['--version'], { encoding: 'utf8' });
    if (r.status === 0 && /ast-grep/.test(r.stdout)) return { bin: c, version: r.stdout.trim() };
  }
  return undefined;
}

/** Rules matching the same sites as ka-audit: C socket/accept/accept4 calls, TS/JS net/tls calls. */
export function writeAstGrepConfig(dir: string): string {
  mkdirSync(join(dir, 'rules'), { recursive: true });
  writeFileSync(join(dir, 'sgconfig.yml'), 'ruleDirs:\n  - rules\n');
  // In C, a bare `socket($$$)` pattern parses as a macro type specifier; a statement context
  // with a call_expression selector makes it the call.
  const c = ['socket', 'accept', 'accept4'].map((f) => `    - pattern: { context: 'void f(void) { ${f}($$$); }', selector: call_expression }`);
  writeFileSync(join(dir, 'rules', 'c-socket.yml'), ['id: c-socket-site', 'language: c', 'severity: info', 'message: socket site', 'rule:', '  any:', ...c, ''].join('\n'));
  const ts = [
    'net.connect($$$)', 'net.createConnection($$$)', 'net.createServer($$$)', 'new net.Socket($$$)', 'new net.Server($$$)',
    'tls.connect($$$)', 'tls.createServer($$$)', 'new tls.TLSSocket($$$)', 'new tls.Server($$$)',
    // named imports (`import { connect } from 'node:net'`)
    'connect($$$)', 'createConnection($$$)', 'createServer($$$)', 'new Socket($$$)', 'new Socket', 'new Server($$$)',
  ].map((p) => `    - pattern: ${JSON.stringify(p)}`);
  for (const lang of ['typescript', 'tsx', 'javascript']) {
    writeFileSync(join(dir, 'rules', `${lang}-net.yml`), [`id: ${lang}-net-site`, `language: ${lang}`, 'severity: info', 'message: net/tls site', 'rule:', '  any:', ...ts, ''].join('\n'));
  }
  return join(dir, 'sgconfig.yml');
}

