// ka-audit as a CI gate: configuration file, suppression comments, baselines that survive line
// shifts, --max-warnings and --quiet, .gitignore and symlinks.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../src/cli/program.js';
import { cClient as CLIENT } from './lib/samples.js';

/** A socket whose family is only known at run time: tcp "unknown", a warning with includeUnknown. */
const MAYBE_TCP = `#include <sys/socket.h>
int open_any(const struct sockaddr *sa, socklen_t len)
{
    int fd = socket(sa->sa_family, SOCK_STREAM, 0);
    connect(fd, sa, len);
    return fd;
}
`;

async function cli(args: string[], cwd: string) {
  let out = '';
  let err = '';
  const code = await run(args, { cwd, stdout: (s) => (out += s), stderr: (s) => (err += s) });
  return { code, out, err, json: () => JSON.parse(out) };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ka-gate-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('configuration file', () => {
  it('is found from the working directory upward and applies rules, values, globs and helpers', async () => {
    writeFileSync(
      join(dir, 'ka-audit.config.json'),
      JSON.stringify({ exclude: ['vendor/**'], keepalive: { idle: 30 }, helpers: { c: ['tune_socket'] }, includeUnknown: true }),
    );
    mkdirSync(join(dir, 'src'));
    mkdirSync(join(dir, 'vendor'));
    writeFileSync(join(dir, 'src', 'a.c'), CLIENT());
    writeFileSync(join(dir, 'src', 'maybe.c'), MAYBE_TCP);
    writeFileSync(join(dir, 'vendor', 'b.c'), CLIENT());
    writeFileSync(join(dir, 'src', 'helper.c'), CLIENT('with_helper').replace('    if (fd < 0)', '    tune_socket(fd);\n    if (fd < 0)'));
    const r = await cli(['--format', 'json', '.'], join(dir, 'src'));
    const doc = r.json();
    const byFile = doc.findings.map((f: { file: string; severity: string }) => `${f.file}:${f.severity}`).sort();
    // vendor/ excluded; the configured helper counts as keepalive; the unknown-TCP site is a warning.
    expect(byFile).toEqual(['a.c:error', 'maybe.c:warning']);
    // keepalive.idle from the config reaches the fix.
    expect(JSON.stringify(doc.findings[0].fix)).toContain('int idle = 30;');
  });

  it('can live in package.json under "ka-audit", with severities per rule', async () => {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', 'ka-audit': { rules: { 'require-keepalive': 'warning' } } }));
    writeFileSync(join(dir, 'a.c'), CLIENT());
    const r = await cli(['--format', 'json', '.'], dir);
    expect(r.json().findings[0].severity).toBe('warning');
    expect(r.code).toBe(0); // warnings alone do not fail the gate…
    expect((await cli(['--max-warnings', '0', '.'], dir)).code).toBe(1); // …unless there are too many
  });

  it('rejects unknown keys and bad values with exit 2 and a message naming them', async () => {
    writeFileSync(join(dir, 'ka-audit.config.json'), JSON.stringify({ keepalive: { idle: 0 }, colour: true, rules: { 'no-such-rule': 'error' } }));
    writeFileSync(join(dir, 'a.c'), CLIENT());
    const r = await cli(['.'], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown key "colour"/);
    expect(r.err).toMatch(/\/keepalive\/idle: must be >= 1/);
    expect(r.err).toMatch(/unknown rule "no-such-rule"/);
    writeFileSync(join(dir, 'ka-audit.config.json'), '{ not json');
    expect((await cli(['.'], dir)).err).toMatch(/not valid JSON/);
  });
});

describe('suppression comments', () => {
  const suppressed = (comment: string) => CLIENT().replace('    int fd = socket', `${comment}\n    int fd = socket`);

  it('ignore-next-line with a reason suppresses; without a reason it warns', async () => {
    writeFileSync(join(dir, 'a.c'), suppressed('    // ka-audit-ignore-next-line require-keepalive -- health probe, one request'));
    writeFileSync(join(dir, 'b.c'), suppressed('    /* ka-audit-ignore-next-line */'));
    const doc = (await cli(['--format', 'json', '.'], dir)).json();
    expect(doc.findings.map((f: { file: string; ruleId: string }) => `${f.file}:${f.ruleId}`)).toEqual(['b.c:explain-suppression']);
  });

  it('the block form covers a region; other rules are not suppressed', async () => {
    const text = `/* ka-audit-disable require-keepalive -- generated stubs */\n${CLIENT('one')}/* ka-audit-enable require-keepalive */\n${CLIENT('two').replace(/#include[^\n]*\n/g, '')}`;
    writeFileSync(join(dir, 'a.c'), text);
    const doc = (await cli(['--format', 'json', '.'], dir)).json();
    expect(doc.findings).toHaveLength(1);
    expect(doc.findings[0].line).toBeGreaterThan(20);
    writeFileSync(join(dir, 'a.c'), suppressed('    // ka-audit-ignore-next-line tls-keepalive-ignored -- not this rule'));
    expect((await cli(['--format', 'json', '.'], dir)).json().findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(['require-keepalive']);
  });

  it('--report-unused-suppressions reports comments that suppress nothing', async () => {
    writeFileSync(join(dir, 'ok.c'), '// ka-audit-ignore-next-line require-keepalive -- stale\nint x;\n');
    expect((await cli(['--format', 'json', '.'], dir)).json().findings).toEqual([]);
    const doc = (await cli(['--format', 'json', '--report-unused-suppressions', '.'], dir)).json();
    expect(doc.findings.map((f: { ruleId: string; line: number }) => `${f.ruleId}:${f.line}`)).toEqual(['unused-suppression:1']);
  });
});

describe('baseline', () => {
  it('records findings and then reports only new ones, matched across inserted lines', async () => {
    writeFileSync(join(dir, 'a.c'), CLIENT());
    const w = await cli(['--write-baseline', 'baseline.json', '.'], dir);
    expect(w.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'baseline.json'), 'utf8')).findings).toHaveLength(1);
    expect((await cli(['--baseline', 'baseline.json', '.'], dir)).code).toBe(0);
    // Lines inserted above the finding: still the same finding.
    writeFileSync(join(dir, 'a.c'), `/* a new header comment */\n\n\n${CLIENT()}`);
    const shifted = await cli(['--format', 'json', '--baseline', 'baseline.json', '.'], dir);
    expect(shifted.code).toBe(0);
    expect(shifted.json().findings).toEqual([]);
    // A new socket is new.
    writeFileSync(join(dir, 'b.c'), CLIENT('other'));
    const fresh = await cli(['--format', 'json', '--baseline', 'baseline.json', '.'], dir);
    expect(fresh.code).toBe(1);
    expect(fresh.json().findings.map((f: { file: string }) => f.file)).toEqual(['b.c']);
  });

  it('a missing or foreign baseline is a usage error', async () => {
    writeFileSync(join(dir, 'a.c'), CLIENT());
    expect((await cli(['--baseline', 'nope.json', '.'], dir)).code).toBe(2);
    writeFileSync(join(dir, 'x.json'), '{"version": 7}');
    expect((await cli(['--baseline', 'x.json', '.'], dir)).code).toBe(2);
  });
});

describe('--quiet, .gitignore and symlinks', () => {
  it('--quiet prints errors only', async () => {
    writeFileSync(join(dir, 'maybe.c'), MAYBE_TCP);
    const loud = await cli(['--include-unknown', '.'], dir);
    expect(loud.out).toMatch(/warning/);
    const quiet = await cli(['--include-unknown', '--quiet', '.'], dir);
    expect(quiet.out).not.toMatch(/maybe\.c/);
  });

  it('honours .gitignore unless --no-ignore', async () => {
    writeFileSync(join(dir, '.gitignore'), 'build/\n');
    mkdirSync(join(dir, 'build'));
    writeFileSync(join(dir, 'build', 'gen.c'), CLIENT());
    expect((await cli(['.'], dir)).code).toBe(0);
    expect((await cli(['--no-ignore', '.'], dir)).code).toBe(1);
  });

  it('does not follow symlinks out of the scanned root', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'ka-outside-'));
    try {
      writeFileSync(join(outside, 'x.c'), CLIENT());
      mkdirSync(join(dir, 'root'));
      symlinkSync(outside, join(dir, 'root', 'link'));
      const doc = (await cli(['--format', 'json', 'root'], dir)).json();
      expect(doc.findings).toEqual([]);
      expect(doc.errors[0].message).toMatch(/outside the scanned root/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
