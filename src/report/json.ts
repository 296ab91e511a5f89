// The JSON contract CI users script against (DESIGN §2). Versioned: fields are only ever added.
import type { Printer } from './printer.js';

export const json: Printer = {
  name: 'json',
  print(result, opts) {
    const findings = result.findings
      .filter((f) => !f.suppressed && !(opts.quiet && f.severity !== 'error'))
      .map((f) => ({
        file: f.file,
        line: f.line,
        column: f.column,
        endLine: f.endLine,
        endColumn: f.endColumn,
        ruleId: f.ruleId,
        severity: f.severity,
        message: f.message,
        site: f.site,
        fix: f.fix,
        ...(f.noFixReason ? { noFixReason: f.noFixReason } : {}),
        fingerprint: f.fingerprint,
      }));
    const doc: Record<string, unknown> = { version: 1, findings };
    if (opts.listSites) {
      doc['sites'] = result.sites.map((s) => ({
        file: s.file,
        line: s.span.line,
        column: s.span.column,
        endLine: s.span.endLine,
        endColumn: s.span.endColumn,
        lang: s.lang,
        api: s.api,
        name: s.name,
        tcp: s.tcp,
        role: s.role,
        keepalive: s.keepalive,
        loopback: s.loopback,
        notes: s.notes,
      }));
    }
    doc['errors'] = result.errors.map((e) => ({ file: e.file, message: e.message, severity: e.severity ?? 'error' }));
    doc['stats'] = result.stats;
    return JSON.stringify(doc, null, 2) + '\n';
  },
};
