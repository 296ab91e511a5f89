// --format sarif: real audit output validated against the official SARIF 2.1.0 schema (the copy
// shipped in @microsoft/sarif-multitool-linux, loaded from node_modules), rules with their docs,
// regions, stable partialFingerprints, fixes that round-trip, suppressions and tool errors.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/cli/program.js';
import { audit, type AuditResult } from '../src/engine/audit.js';
import { applyEdits } from '../src/engine/apply.js';
import { rulesDir } from '../src/engine/paths.js';
import type { Finding } from '../src/engine/types.js';
import { VERSION } from '../src/engine/version.js';
import { printerFor, printerNames } from '../src/report/index.js';
import { FINGERPRINT_KEY, replacementOrder, sarif } from '../src/report/sarif.js';
import { RULES } from '../src/rules/index.js';
import { docsUrl } from '../src/rules/rule.js';
import { FIXTURES } from './lib/fixtures.js';
import { ANY_DOMAIN, CLIENT } from './lib/samples.js';

type Log = any;

const require = createRequire(import.meta.url);
const SCHEMA_PATH = require.resolve('@microsoft/sarif-multitool-linux/sarif-2.1.0.json');
const MULTITOOL = join(dirname(SCHEMA_PATH), 'Sarif.Multitool');

function schemaValidator() {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
}
const validate = schemaValidator();

function expectValid(log: Log): void {
  const ok = validate(log);
  expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
  expect(ok).toBe(true);
}

function sarifOf(result: AuditResult, cwd: string, quiet = false): Log {
  return JSON.parse(sarif.print(result, { color: false, listSites: false, quiet, cwd }));
}

/** Returned straight from the call: reported, but no safe spot for a fix. */
const RETURNED = `#include <netinet/in.h>
#include <sys/socket.h>

int make(void)
{
    return socket(AF_INET, SOCK_STREAM, 0);
}
`;

const TS_CLIENT = `import net from 'node:net';
const sock = net.connect({ host: 'db.internal', port: 5432 });
sock.write('ping');
// ka-audit-ignore-next-line require-keepalive -- one-shot health probe, tracked in #12
const probe = net.connect({ host: 'health.internal', port: 8080 });
probe.write('GET /health\\r\\n');
`;

let dir: string;
let result: AuditResult;
let log: Log;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ka-sarif-'));
  writeFileSync(join(dir, 'client.c'), CLIENT);
  writeFileSync(join(dir, 'any.c'), ANY_DOMAIN);
  writeFileSync(join(dir, 'returned.c'), RETURNED);
  writeFileSync(join(dir, 'client.ts'), TS_CLIENT);
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'lib', 'dial helper.c'), CLIENT);
  writeFileSync(join(dir, 'blob.c'), Buffer.from('int x;\0\0\n'));
  result = await audit({ cwd: dir, paths: ['.'], includeUnknown: true });
  log = sarifOf(result, dir);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const results = (l: Log): Log[] => l.runs[0].results;
const resultFor = (l: Log, uri: string, line?: number): Log =>
  results(l).find(
    (r: Log) =>
      r.locations[0].physicalLocation.artifactLocation.uri === uri &&
      (line === undefined || r.locations[0].physicalLocation.region.startLine === line),
  );

describe('sarif: registry', () => {
  it('is a registered format', () => {
    expect(printerNames()).toContain('sarif');
    expect(printerFor('sarif')).toBe(sarif);
  });

  it('ka-audit --format sarif prints a valid log and exits 1 on findings', async () => {
    let out = '';
    const code = await run(['--format', 'sarif', 'client.c'], { cwd: dir, stdout: (s) => (out += s), stderr: () => {} });
    expect(code).toBe(1);
    const l = JSON.parse(out);
    expectValid(l);
    expect(results(l).map((r: Log) => r.locations[0].physicalLocation.artifactLocation.uri)).toEqual(['client.c']);
  });
});

describe('sarif: official SARIF 2.1.0 schema', () => {
  it('the validator rejects an invalid log (it is really checking)', () => {
    const broken = structuredClone(log);
    broken.runs[0].results[0].level = 'fatal';
    expect(validate(broken)).toBe(false);
    const noUri = structuredClone(log);
    noUri.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri = 'a b.c';
    expect(validate(noUri)).toBe(false);
  });

  it('the audit of fixtures/c/client-no-keepalive validates', async () => {
    const cwd = join(FIXTURES, 'c', 'client-no-keepalive');
    const r = await audit({ cwd, paths: ['.'] });
    expect(r.findings.length).toBeGreaterThan(0);
    const l = sarifOf(r, cwd);
    expectValid(l);
    expect(results(l)).toHaveLength(1);
    expect(results(l)[0]).toMatchObject({
      ruleId: 'require-keepalive',
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: 'main.c', uriBaseId: '%SRCROOT%' }, region: { startLine: 19 } } }],
    });
    expect(l.runs[0].invocations[0].executionSuccessful).toBe(true);
    expect(l.runs[0].invocations[0].toolExecutionNotifications).toBeUndefined();
  });

  it('an audit with fixes, a warning, a suppression, an unfixable finding and a tool error validates', () => {
    expectValid(log);
    const levels = results(log).map((r: Log) => r.level);
    expect(levels).toContain('warning');
    expect(levels).toContain('error');
    expect(results(log).some((r: Log) => r.fixes)).toBe(true);
    expect(results(log).some((r: Log) => r.suppressions)).toBe(true);
    expect(log.runs[0].invocations[0].toolExecutionNotifications.length).toBeGreaterThan(0);
  });

  it('every bundled fixture, audited in one run, validates', async () => {
    const r = await audit({ cwd: FIXTURES, paths: ['.'], includeUnknown: true });
    expect(r.findings.length).toBeGreaterThan(20);
    const l = sarifOf(r, FIXTURES);
    expectValid(l);
    expect(results(l)).toHaveLength(r.findings.length);
  });

  const multitool = (() => {
    try {
      accessSync(MULTITOOL, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  })();
  /** Runs `Sarif.Multitool validate` with its SARIF and GitHub rule sets; returns its errors and warnings. */
  const multitoolProblems = (l: Log, name: string): string[] => {
    const input = join(dir, `${name}.sarif`);
    const output = join(dir, `${name}.validation.sarif`);
    writeFileSync(input, JSON.stringify(l));
    const run = spawnSync(MULTITOOL, ['validate', input, '--output', output, '--log', 'ForceOverwrite', '--rule-kind', 'Sarif;Gh', '--level', 'Error;Warning'], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(output, 'utf8'));
    return (report.runs[0].results ?? [])
      .filter((r: Log) => r.level === 'error' || r.level === 'warning')
      .map((p: Log) => `${p.ruleId}: ${JSON.stringify(p.message.arguments)}`);
  };
  it.skipIf(!multitool)("passes the SARIF SDK's validator (Sarif.Multitool validate, SARIF and GitHub rules)", () => {
    expect(multitoolProblems(log, 'ours')).toEqual([]);
    // The same validator flags a result without a location (GitHub needs one).
    const broken = structuredClone(log);
    delete broken.runs[0].results[0].locations;
    expect(multitoolProblems(broken, 'broken').join('\n')).toMatch(/GH\d+: \["runs\[0\]\.results\[0\]"/);
  });
});

describe('sarif: tool and rules', () => {
  it('names the tool, its version and every rule with help from rules/<id>.md', () => {
    const driver = log.runs[0].tool.driver;
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    expect(log.runs).toHaveLength(1);
    expect(driver.name).toBe('ka-audit');
    expect(driver.version).toBe(VERSION);
    expect(driver.informationUri).toMatch(/^https:\/\//);
    expect(driver.rules.map((r: Log) => r.id)).toEqual(RULES.map((r) => r.id));
    for (const [i, rule] of RULES.entries()) {
      const d = driver.rules[i];
      const doc = readFileSync(join(rulesDir(), `${rule.id}.md`), 'utf8');
      expect(d.helpUri).toBe(docsUrl(rule.id));
      expect(d.helpUri).toMatch(new RegExp(`/rules/${rule.id}\\.md$`));
      expect(d.help.markdown).toBe(doc);
      expect(d.help.text).toBe(doc);
      expect(d.shortDescription.text).toBe(rule.meta.description);
      expect(d.fullDescription.text.startsWith(rule.meta.description)).toBe(true);
      expect(d.name).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(d.defaultConfiguration.level).toBe(rule.meta.severity);
    }
    // fullDescription carries the doc's "Why" section.
    expect(driver.rules[0].fullDescription.text).toMatch(/peer died silently/);
  });

  it('each result points at its rule by id and index', () => {
    const driver = log.runs[0].tool.driver;
    for (const r of results(log)) expect(driver.rules[r.ruleIndex].id).toBe(r.ruleId);
  });
});

describe('sarif: results', () => {
  it('one result per finding, suppressed ones included, with message, level and region', () => {
    expect(results(log)).toHaveLength(result.findings.length);
    const f = result.findings.find((x) => x.file === 'client.c')!;
    const r = resultFor(log, 'client.c');
    expect(r).toMatchObject({
      ruleId: 'require-keepalive',
      level: 'error',
      message: { text: f.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'client.c', uriBaseId: '%SRCROOT%' },
            region: { startLine: 7, startColumn: 14, endLine: 7, endColumn: 45, snippet: { text: 'socket(AF_INET, SOCK_STREAM, 0)' } },
            contextRegion: { startLine: 6, endLine: 8 },
          },
        },
      ],
    });
    expect(r.locations[0].physicalLocation.contextRegion.snippet.text).toBe('{\n    int fd = socket(AF_INET, SOCK_STREAM, 0);\n    if (fd < 0)');
    expect(log.runs[0].originalUriBaseIds['%SRCROOT%'].uri).toBe(`${pathToFileURL(dir).href}/`);
    expect(log.runs[0].columnKind).toBe('utf16CodeUnits');
  });

  it('warnings are level warning; --quiet keeps errors only', () => {
    expect(resultFor(log, 'any.c').level).toBe('warning');
    const quiet = sarifOf(result, dir, true);
    expectValid(quiet);
    expect(results(quiet).length).toBeGreaterThan(0);
    expect(results(quiet).every((r: Log) => r.level === 'error')).toBe(true);
    expect(resultFor(quiet, 'any.c')).toBeUndefined();
  });

  it('percent-encodes file names into URI references', () => {
    expect(resultFor(log, 'lib/dial%20helper.c')).toBeDefined();
    expect(decodeURIComponent('lib/dial%20helper.c')).toBe('lib/dial helper.c');
  });

  it('suppressed findings carry an inSource suppression with the justification', () => {
    const suppressed = result.findings.find((f) => f.suppressed);
    expect(suppressed, 'the ignore-next-line comment suppressed a finding').toBeDefined();
    const r = resultFor(log, 'client.ts', suppressed!.line);
    expect(r.suppressions).toEqual([{ kind: 'inSource', status: 'accepted', justification: 'one-shot health probe, tracked in #12' }]);
    const live = resultFor(log, 'client.ts', 2);
    expect(live.suppressions).toBeUndefined();
  });

  it('a suppression without a reason has no justification', () => {
    const f: Finding = { ...result.findings[0]!, suppressed: { reason: '' } };
    const l = sarifOf({ ...result, findings: [f], errors: [] }, dir);
    expectValid(l);
    expect(results(l)[0].suppressions).toEqual([{ kind: 'inSource', status: 'accepted' }]);
  });

  it('tool errors are notifications with their file; an error makes the run unsuccessful', () => {
    const inv = log.runs[0].invocations[0];
    expect(inv.executionSuccessful).toBe(false);
    const n = inv.toolExecutionNotifications.find((x: Log) => x.locations?.[0].physicalLocation.artifactLocation.uri === 'blob.c');
    expect(n).toMatchObject({ level: 'error', message: { text: expect.stringMatching(/binary file/) } });
    expect(n.locations[0].physicalLocation.artifactLocation.uriBaseId).toBe('%SRCROOT%');
    // Warnings alone leave the run successful.
    const warnOnly = sarifOf({ ...result, errors: [{ file: 'old.c', message: 'not valid UTF-8', severity: 'warning' }] }, dir);
    expectValid(warnOnly);
    expect(warnOnly.runs[0].invocations[0]).toMatchObject({
      executionSuccessful: true,
      toolExecutionNotifications: [{ level: 'warning', message: { text: 'not valid UTF-8' } }],
    });
  });

  it('an unfixable finding has no fixes and says why in its properties', () => {
    const r = resultFor(log, 'returned.c');
    expect(r).toBeDefined();
    expect(r.fixes).toBeUndefined();
    expect(r.properties.noFixReason).toMatch(/returned straight from the call/);
  });
});

describe('sarif: partialFingerprints', () => {
  it('stay the same when lines are inserted above the finding', async () => {
    const d = mkdtempSync(join(tmpdir(), 'ka-sarif-fp-'));
    try {
      const two = CLIENT.replace('    return fd;\n}\n', '    return fd;\n}\n\nint dial2(const struct sockaddr_in *sa)\n{\n    int s = socket(AF_INET6, SOCK_STREAM, 0);\n    if (s < 0)\n        return -1;\n    connect(s, (const struct sockaddr *)sa, sizeof *sa);\n    return s;\n}\n');
      writeFileSync(join(d, 'net.c'), two);
      const before = results(sarifOf(await audit({ cwd: d, paths: ['.'] }), d));
      writeFileSync(join(d, 'net.c'), two.replace('int dial(', '\n\n\n/* moved down */\nint dial('));
      const after = results(sarifOf(await audit({ cwd: d, paths: ['.'] }), d));
      expect(before).toHaveLength(2);
      expect(after).toHaveLength(2);
      const fps = (rs: Log[]) => rs.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
      expect(fps(before).every((x) => typeof x === 'string' && x.length >= 16)).toBe(true);
      expect(new Set(fps(before)).size).toBe(2);
      expect(fps(after)).toEqual(fps(before));
      const lines = (rs: Log[]) => rs.map((r) => r.locations[0].physicalLocation.region.startLine);
      expect(lines(after)).toEqual(lines(before).map((l) => l + 4));
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('are the finding fingerprints', () => {
    for (const [i, f] of result.findings.entries()) expect(results(log)[i].partialFingerprints).toEqual({ [FINGERPRINT_KEY]: f.fingerprint });
  });
});

/** Applies SARIF replacements one after another, each against the text the previous left. */
function applySequential(text: string, replacements: Log[]): string {
  let out = text;
  for (const r of replacements) {
    const { charOffset, charLength } = r.deletedRegion;
    out = out.slice(0, charOffset) + (r.insertedContent?.text ?? '') + out.slice(charOffset + charLength);
  }
  return out;
}

/** Applies SARIF replacements as regions of the original text (the other reading of the spec). */
function applyAgainstOriginal(text: string, replacements: Log[]): string {
  const sorted = [...replacements].sort((a, b) => a.deletedRegion.charOffset - b.deletedRegion.charOffset);
  let out = '';
  let pos = 0;
  for (const r of sorted) {
    out += text.slice(pos, r.deletedRegion.charOffset) + (r.insertedContent?.text ?? '');
    pos = r.deletedRegion.charOffset + r.deletedRegion.charLength;
  }
  return out + text.slice(pos);
}

describe('sarif: fixes', () => {
  it('every fixable finding has a fix whose replacements give the same text as applyEdits', () => {
    const fixable = result.findings.filter((f) => f.fix);
    expect(fixable.length).toBeGreaterThanOrEqual(3);
    expect(fixable.some((f) => f.fix!.edits.length > 1), 'a C fix with an #include and a block').toBe(true);
    for (const f of fixable) {
      const r = resultFor(log, f.file === 'lib/dial helper.c' ? 'lib/dial%20helper.c' : f.file, f.line);
      expect(r.fixes, `${f.file}:${f.line}`).toHaveLength(1);
      const fix = r.fixes[0];
      expect(fix.description.text).toContain(f.fix!.description);
      expect(fix.artifactChanges).toHaveLength(1);
      const change = fix.artifactChanges[0];
      expect(change.artifactLocation).toEqual(r.locations[0].physicalLocation.artifactLocation);
      const text = result.files.get(f.file)!.source.text;
      const expected = applyEdits(text, f.fix!.edits);
      expect(expected).not.toBe(text);
      expect(applySequential(text, change.replacements)).toBe(expected);
      expect(applyAgainstOriginal(text, change.replacements)).toBe(expected);
    }
  });

  it('insertions at one offset keep their order, duplicates are applied once', () => {
    const text = 'abcdefgh';
    const edits = [
      { start: 6, end: 8, text: 'GH' },
      { start: 2, end: 2, text: 'X' },
      { start: 2, end: 2, text: 'Y' },
      { start: 2, end: 3, text: 'C' },
      { start: 6, end: 8, text: 'GH' },
      { start: 0, end: 0, text: '>' },
    ];
    const expected = applyEdits(text, edits);
    expect(expected).toBe('>abXYCdefGH');
    const reps = replacementOrder(edits)!.map((e) => ({ deletedRegion: { charOffset: e.start, charLength: e.end - e.start }, insertedContent: { text: e.text } }));
    expect(applySequential(text, reps)).toBe(expected);
    expect(applyAgainstOriginal(text, reps)).toBe(expected);
    expect(replacementOrder([{ start: 1, end: 4, text: '' }, { start: 3, end: 5, text: '' }])).toBeUndefined();
  });

  it('an unsafe fix says so', () => {
    const f = result.findings.find((x) => x.fix)!;
    const l = sarifOf({ ...result, findings: [{ ...f, fix: { ...f.fix!, safe: false } }], errors: [] }, dir);
    expectValid(l);
    expect(results(l)[0].fixes[0].description.text).toMatch(/unsafe/);
    expect(results(l)[0].fixes[0].properties).toEqual({ safe: false });
  });
});
