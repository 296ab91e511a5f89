// --format github: GitHub Actions workflow commands, one annotation per finding, with the
// escaping the runner requires, suppressed findings skipped and --quiet honoured.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/cli/program.js';
import { audit, type AuditResult } from '../src/engine/audit.js';
import type { Finding, ToolError } from '../src/engine/types.js';
import { escapeData, escapeProperty, github } from '../src/report/github.js';
import { printerFor, printerNames } from '../src/report/index.js';
import { ANY_DOMAIN, CLIENT } from './lib/samples.js';

const print = (result: AuditResult, quiet = false) => github.print(result, { color: false, listSites: false, quiet, cwd: '/' });

function finding(over: Partial<Finding>): Finding {
  return {
    file: 'src/net.c',
    line: 12,
    column: 9,
    endLine: 12,
    endColumn: 40,
    ruleId: 'require-keepalive',
    severity: 'error',
    message: 'no keepalive',
    site: { api: 'socket', tcp: 'yes', role: 'client', keepalive: 'none', name: 'fd' },
    fix: null,
    fingerprint: '0123456789abcdef',
    ...over,
  };
}

function resultOf(findings: Finding[], errors: ToolError[] = []): AuditResult {
  return { version: 1, findings, sites: [], errors, stats: { files: 1, parsed: 1, sites: findings.length, findings: findings.length, ms: 0 }, files: new Map() };
}

const TS = `import net from 'node:net';
// ka-audit-ignore-next-line require-keepalive -- one-shot health probe
const probe = net.connect({ host: 'health.internal', port: 8080 });
probe.write('ping');
`;

describe('github: registry', () => {
  it('is a registered format', () => {
    expect(printerNames()).toContain('github');
    expect(printerFor('github')).toBe(github);
  });
});

describe('github: real audit output', () => {
  let dir: string;
  let result: AuditResult;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ka-gh-'));
    writeFileSync(join(dir, 'client.c'), CLIENT);
    writeFileSync(join(dir, 'any.c'), ANY_DOMAIN);
    writeFileSync(join(dir, 'probe.ts'), TS);
    writeFileSync(join(dir, 'blob.c'), Buffer.from('int x;\0\0\n'));
    result = await audit({ cwd: dir, paths: ['.'], includeUnknown: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one exact annotation per finding, then the tool errors; suppressed findings are skipped', () => {
    expect(result.findings.some((f) => f.suppressed)).toBe(true);
    expect(print(result).split('\n')).toEqual([
      "::warning file=any.c,line=6,col=14,endLine=6,endColumn=44,title=require-keepalive::TCP client socket 'fd' (may be TCP) from socket() has no keepalive: no SO_KEEPALIVE on it, its aliases, the helpers it is passed to, or its callers; a silently dead peer or a NAT timeout will hang it",
      "::error file=client.c,line=7,col=14,endLine=7,endColumn=45,title=require-keepalive::TCP client socket 'fd' from socket() has no keepalive: no SO_KEEPALIVE on it, its aliases, the helpers it is passed to, or its callers; a silently dead peer or a NAT timeout will hang it",
      '::error file=blob.c::binary file (contains NUL bytes); skipped',
      '',
    ]);
  });

  it('ka-audit --format github prints the same lines', async () => {
    let out = '';
    const code = await run(['--format', 'github', 'client.c'], { cwd: dir, stdout: (s) => (out += s), stderr: () => {} });
    expect(code).toBe(1);
    expect(out).toBe(print({ ...result, findings: result.findings.filter((f) => f.file === 'client.c'), errors: [] }));
    expect(out).toMatch(/^::error file=client\.c,line=7,col=14,/);
  });

  it('--quiet keeps errors only', () => {
    const out = print(result, true);
    expect(out).not.toContain('::warning');
    expect(out).not.toContain('any.c');
    expect(out.split('\n').filter(Boolean)).toHaveLength(2);
  });
});

describe('github: escaping', () => {
  it('escapes %, CR and LF in the message, and also : and , in property values', () => {
    expect(escapeData('100% sure\r\nnext: a,b')).toBe('100%25 sure%0D%0Anext: a,b');
    expect(escapeProperty('C:\\src\\a,b.c')).toBe('C%3A\\src\\a%2Cb.c');
    // % first: an already-escaped-looking sequence is escaped again, not passed through.
    expect(escapeData('%0A')).toBe('%250A');
    expect(escapeProperty('50%,x:y\n')).toBe('50%25%2Cx%3Ay%0A');
  });

  it('applies the escaping to every part of an annotation', () => {
    const f = finding({ file: 'src/a,b:c 100%.c', message: "socket 'fd' leaks\nsee: https://x/y?a=1,b=2 (100%)\r\n", ruleId: 'require-keepalive' });
    expect(print(resultOf([f]))).toBe(
      '::error file=src/a%2Cb%3Ac 100%25.c,line=12,col=9,endLine=12,endColumn=40,title=require-keepalive::' +
        "socket 'fd' leaks%0Asee: https://x/y?a=1,b=2 (100%25)%0D%0A\n",
    );
  });

  it('a message cannot start a new workflow command', () => {
    const f = finding({ message: 'ok\n::add-mask::secret\n::stop-commands::x' });
    const out = print(resultOf([f]));
    expect(out.split('\n').filter(Boolean)).toHaveLength(1);
    expect(out).toContain('ok%0A::add-mask::secret%0A::stop-commands::x');
  });
});

describe('github: findings and tool errors', () => {
  it('uses ::warning for warnings and ::error for errors', () => {
    const out = print(resultOf([finding({}), finding({ severity: 'warning', file: 'b.ts', line: 3, column: 1, endLine: 4, endColumn: 2, ruleId: 'tls-keepalive-ignored', message: 'w' })]));
    expect(out).toBe(
      '::error file=src/net.c,line=12,col=9,endLine=12,endColumn=40,title=require-keepalive::no keepalive\n' +
        '::warning file=b.ts,line=3,col=1,endLine=4,endColumn=2,title=tls-keepalive-ignored::w\n',
    );
  });

  it('skips suppressed findings', () => {
    expect(print(resultOf([finding({ suppressed: { reason: 'local' } })]))).toBe('');
  });

  it('prints tool errors and warnings with their file; --quiet hides tool warnings', () => {
    const errors: ToolError[] = [
      { file: 'bad, file.c', message: 'cannot read: EACCES: permission denied' },
      { file: 'old.c', message: 'not valid UTF-8 (byte 12); analysed as Latin-1', severity: 'warning' },
      { file: '', message: 'no files' },
    ];
    expect(print(resultOf([], errors))).toBe(
      '::error file=bad%2C file.c::cannot read: EACCES: permission denied\n' +
        '::warning file=old.c::not valid UTF-8 (byte 12); analysed as Latin-1\n' +
        '::error::no files\n',
    );
    expect(print(resultOf([], errors), true)).toBe('::error file=bad%2C file.c::cannot read: EACCES: permission denied\n::error::no files\n');
  });

  it('--quiet drops warning findings', () => {
    const r = resultOf([finding({ severity: 'warning' }), finding({ line: 20, endLine: 20 })]);
    expect(print(r, true)).toBe('::error file=src/net.c,line=20,col=9,endLine=20,endColumn=40,title=require-keepalive::no keepalive\n');
  });

  it('prints nothing for a clean run', () => {
    expect(print(resultOf([]))).toBe('');
  });
});
