// `ka-audit doctor`: arithmetic and verdicts against a fake proc root, the catalog, the JSON
// contract, a non-Linux OS, and reading the real /proc.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import {
  assessKernelKeepalive,
  checkTimeouts,
  doctorExitCode,
  loadIdleTimeouts,
  parseSettingValue,
  readKernelKeepalive,
  RECOMMENDED_KEEPALIVE,
  runDoctor,
  strictestTimeout,
  sysctlFix,
  timeToDetect,
  type DoctorReport,
  type IdleTimeout,
} from '../../src/runtime/doctor.js';
import { formatDuration } from '../../src/runtime/common.js';
import { fakeKeepaliveSettings, makeTempDir, removeDir, runCli, writeTree } from './helpers.js';

const CATALOG: IdleTimeout[] = [
  { id: 'azure-lb', name: 'Azure Load Balancer', idleTimeoutSeconds: 240, source: 'https://example.invalid/a' },
  { id: 'aws-nlb', name: 'AWS NLB', idleTimeoutSeconds: 350, source: 'https://example.invalid/b' },
  { id: 'gcp-firewall', name: 'GCP firewall', idleTimeoutSeconds: 600, source: 'https://example.invalid/c' },
];

describe('doctor arithmetic (pure)', () => {
  it('time to detect = time + intvl × probes', () => {
    expect(timeToDetect({ time: 7200, intvl: 75, probes: 9 })).toBe(7875);
    expect(timeToDetect({ time: 60, intvl: 10, probes: 5 })).toBe(110);
    expect(timeToDetect({ time: 1, intvl: 1, probes: 0 })).toBe(1);
  });

  it('recommends 60/10/5 = 110 s, the values --fix writes', () => {
    expect(RECOMMENDED_KEEPALIVE).toEqual({ time: 60, intvl: 10, probes: 5 });
    expect(timeToDetect(RECOMMENDED_KEEPALIVE)).toBe(110);
  });

  it('checks each timeout: keeps the flow alive when the first probe comes first; ok when detection fits', () => {
    const checks = checkTimeouts({ time: 200, intvl: 10, probes: 5 }, CATALOG); // 250 s
    expect(checks.map((c) => [c.id, c.keepsFlowAlive, c.detectsDeadPeerInTime, c.status])).toEqual([
      ['azure-lb', true, false, 'too-slow'],
      ['aws-nlb', true, true, 'ok'],
      ['gcp-firewall', true, true, 'ok'],
    ]);
    const exact = checkTimeouts({ time: 140, intvl: 20, probes: 5 }, CATALOG); // exactly 240 s
    expect(exact[0]!.status).toBe('ok');
  });

  it('judges by the strictest timeout', () => {
    expect(strictestTimeout([...CATALOG].reverse())!.id).toBe('azure-lb');
    const slow = assessKernelKeepalive({ time: 200, intvl: 10, probes: 5 }, CATALOG, '/p');
    expect(slow.verdict).toBe('too-slow');
    expect(slow.strictest).toEqual({ id: 'azure-lb', name: 'Azure Load Balancer', idleTimeoutSeconds: 240 });
    expect(doctorExitCode(slow)).toBe(1);
    const ok = assessKernelKeepalive({ time: 60, intvl: 10, probes: 5 }, CATALOG, '/p');
    expect(ok.verdict).toBe('ok');
    expect(ok.fix).toBeNull();
    expect(doctorExitCode(ok)).toBe(0);
  });

  it('writes the exact sysctl lines and the sysctl.d snippet', () => {
    const fix = sysctlFix(RECOMMENDED_KEEPALIVE);
    expect(fix.commands).toEqual([
      'sysctl -w net.ipv4.tcp_keepalive_time=60',
      'sysctl -w net.ipv4.tcp_keepalive_intvl=10',
      'sysctl -w net.ipv4.tcp_keepalive_probes=5',
    ]);
    expect(fix.file).toBe('/etc/sysctl.d/90-tcp-keepalive.conf');
    expect(fix.fileContent.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([
      'net.ipv4.tcp_keepalive_time = 60',
      'net.ipv4.tcp_keepalive_intvl = 10',
      'net.ipv4.tcp_keepalive_probes = 5',
    ]);
    expect(fix.apply).toBe('sysctl -p /etc/sysctl.d/90-tcp-keepalive.conf');
  });

  it('reads a value file strictly', () => {
    expect(parseSettingValue('7200\n')).toBe(7200);
    expect(parseSettingValue('  75 ')).toBe(75);
    expect(parseSettingValue('')).toBeUndefined();
    expect(parseSettingValue('-1\n')).toBeUndefined();
    expect(parseSettingValue('7200 75\n')).toBeUndefined();
  });

  it('formats durations', () => {
    expect(formatDuration(110)).toBe('110 s');
    expect(formatDuration(7875)).toBe('7875 s (2 h 11 min 15 s)');
    expect(formatDuration(600)).toBe('600 s (10 min)');
  });
});

describe('the idle-timeout catalog (rules/catalog/idle-timeouts.json)', () => {
  const catalog = loadIdleTimeouts();

  it('holds Azure LB 240 s, AWS NLB 350 s and GCP firewall 600 s, each with a source URL', () => {
    const byId = Object.fromEntries(catalog.map((t) => [t.id, t.idleTimeoutSeconds]));
    expect(byId).toMatchObject({ 'azure-lb': 240, 'aws-nlb': 350, 'gcp-firewall': 600 });
    for (const t of catalog) expect(t.source).toMatch(/^https:\/\/\S+$/);
  });

  it('the recommended values detect a dead peer within the strictest timeout', () => {
    expect(timeToDetect(RECOMMENDED_KEEPALIVE)).toBeLessThanOrEqual(strictestTimeout(catalog)!.idleTimeoutSeconds);
  });
});

describe('doctor against a fake proc root', () => {
  let root: string;
  const dirs: Record<string, string> = {};
  beforeAll(() => {
    root = makeTempDir('ka-doctor-');
    const make = (name: string, files: Record<string, string>) => {
      dirs[name] = join(root, name);
      writeTree(dirs[name]!, files);
    };
    make('defaults', fakeKeepaliveSettings(7200, 75, 9));
    make('tuned', fakeKeepaliveSettings(60, 10, 5));
    make('between', fakeKeepaliveSettings(200, 10, 5));
    make('garbage', fakeKeepaliveSettings(7200, 'seventy-five', 9));
    make('partial', { 'sys/net/ipv4/tcp_keepalive_time': '7200\n' });
    make('empty', {});
  });
  afterAll(() => removeDir(root));

  const doctorJson = async (dir: string) => {
    const r = await runCli(['doctor', '--proc-root', dir, '--format', 'json']);
    return { ...r, report: JSON.parse(r.stdout) as DoctorReport };
  };

  it('Linux defaults (7200/75/9): 7875 s, too slow everywhere, exit 1, with the fix', async () => {
    const { code, report } = await doctorJson(dirs['defaults']!);
    expect(code).toBe(1);
    expect(report.version).toBe(1);
    expect(report.settings).toEqual({ time: 7200, intvl: 75, probes: 9 });
    expect(report.timeToDetectSeconds).toBe(7875);
    expect(report.verdict).toBe('too-slow');
    expect(report.timeouts.map((t) => t.status)).toEqual(['too-slow', 'too-slow', 'too-slow']);
    expect(report.timeouts.every((t) => !t.keepsFlowAlive)).toBe(true);
    expect(report.recommended).toEqual({ time: 60, intvl: 10, probes: 5, timeToDetectSeconds: 110 });
    expect(report.fix!.commands).toContain('sysctl -w net.ipv4.tcp_keepalive_time=60');
    expect(report.notes.join(' ')).toMatch(/SO_KEEPALIVE/);
    expect(report.notes.join(' ')).toMatch(/TCP_KEEPIDLE/);
    expect(report.errors).toEqual([]);
  });

  it('keeps a stable JSON shape (version 1)', async () => {
    const { report } = await doctorJson(dirs['defaults']!);
    expect(Object.keys(report)).toEqual([
      'version', 'procRoot', 'settings', 'timeToDetectSeconds', 'verdict', 'strictest', 'timeouts', 'recommended', 'fix', 'notes', 'errors',
    ]);
    expect(Object.keys(report.timeouts[0]!)).toEqual(['id', 'name', 'idleTimeoutSeconds', 'source', 'keepsFlowAlive', 'detectsDeadPeerInTime', 'status']);
    expect(Object.keys(report.fix!)).toEqual(['commands', 'file', 'fileContent', 'apply']);
  });

  it('60/10/5: 110 s, ok, exit 0, no fix', async () => {
    const { code, report } = await doctorJson(dirs['tuned']!);
    expect(code).toBe(0);
    expect(report.timeToDetectSeconds).toBe(110);
    expect(report.verdict).toBe('ok');
    expect(report.fix).toBeNull();
  });

  it('200/10/5: 250 s passes AWS and GCP but not Azure, so too slow', async () => {
    const { code, report } = await doctorJson(dirs['between']!);
    expect(code).toBe(1);
    expect(report.timeToDetectSeconds).toBe(250);
    expect(Object.fromEntries(report.timeouts.map((t) => [t.id, t.status]))).toEqual({ 'azure-lb': 'too-slow', 'aws-nlb': 'ok', 'gcp-firewall': 'ok' });
  });

  it('stylish output: the verdict, the sysctl lines, the snippet and the SO_KEEPALIVE note', async () => {
    const r = await runCli(['doctor', '--proc-root', dirs['defaults']!]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('7200 + 75 × 9 = 7875 s');
    expect(r.stdout).toContain('too slow');
    expect(r.stdout).toContain('sysctl -w net.ipv4.tcp_keepalive_probes=5');
    expect(r.stdout).toContain('/etc/sysctl.d/90-tcp-keepalive.conf');
    expect(r.stdout).toContain('net.ipv4.tcp_keepalive_intvl = 10');
    expect(r.stdout).toMatch(/only to sockets that set SO_KEEPALIVE/);
    const ok = await runCli(['doctor', '--proc-root', dirs['tuned']!]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('✔');
    expect(ok.stdout).not.toContain('sysctl -w');
  });

  it.each(['garbage', 'partial', 'empty'])('%s settings: cannot read, exit 2', async (name) => {
    const { code, report } = await doctorJson(dirs[name]!);
    expect(code).toBe(2);
    expect(report.verdict).toBe('unavailable');
    expect(report.settings).toBeNull();
    expect(report.errors[0]!.message).toMatch(/cannot read|does not hold a number/);
    const stylish = await runCli(['doctor', '--proc-root', dirs[name]!]);
    expect(stylish.code).toBe(2);
    expect(stylish.stderr).toMatch(/ka-audit doctor:/);
    expect(stylish.stdout).toBe('');
  });

  it('on a non-Linux OS it says it cannot read the settings (exit 2), unless given a proc root', () => {
    const mac = runDoctor({ platform: 'darwin' });
    expect(mac.verdict).toBe('unavailable');
    expect(mac.errors[0]!.message).toMatch(/cannot read the kernel's TCP keepalive settings on darwin/);
    expect(doctorExitCode(mac)).toBe(2);
    expect(runDoctor({ platform: 'win32' }).errors[0]!.message).toMatch(/on win32/);
    expect(runDoctor({ platform: 'darwin', procRoot: dirs['tuned']! }).verdict).toBe('ok');
  });

  it('rejects a bad --format', async () => {
    const r = await runCli(['doctor', '--format', 'sarif']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Allowed choices are stylish, json/);
  });
});

describe.skipIf(process.platform !== 'linux')('doctor against the real /proc', () => {
  it('reads three non-negative integers, without root', () => {
    const read = readKernelKeepalive('/proc');
    expect('settings' in read).toBe(true);
    if (!('settings' in read)) return;
    for (const v of Object.values(read.settings)) expect(Number.isInteger(v) && v >= 0).toBe(true);
    expect(read.settings.time).toBeGreaterThan(0);
  });

  it('the command gives a verdict and exit 0 or 1', async () => {
    const r = await runCli(['doctor', '--format', 'json']);
    const report = JSON.parse(r.stdout) as DoctorReport;
    expect(['ok', 'too-slow']).toContain(report.verdict);
    expect(r.code).toBe(report.verdict === 'ok' ? 0 : 1);
    expect(report.timeToDetectSeconds).toBe(timeToDetect(report.settings!));
  });
});
