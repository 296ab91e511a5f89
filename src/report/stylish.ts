// Human output in the shape of ESLint's stylish formatter: a header per file, one line per
// finding (line:col, severity, message, rule), then a summary.
import type Picocolors from 'picocolors';
import requireCjs from '../engine/cjs.cjs';
import type { Printer } from './printer.js';

const pc = requireCjs('picocolors') as typeof Picocolors;

export const stylish: Printer = {
  name: 'stylish',
  print(result, opts) {
    const c = pc.createColors(opts.color);
    const out: string[] = [];
    const byFile = new Map<string, typeof result.findings>();
    for (const f of result.findings) {
      if (f.suppressed || (opts.quiet && f.severity !== 'error')) continue;
      byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
    }
    let errors = 0;
    let warnings = 0;
    let fixable = 0;
    for (const [file, list] of byFile) {
      out.push(c.underline(file));
      const width = Math.max(...list.map((f) => `${f.line}:${f.column}`.length));
      for (const f of list) {
        if (f.severity === 'error') errors++;
        else warnings++;
        if (f.fix?.safe) fixable++;
        const sev = f.severity === 'error' ? c.red('error  ') : c.yellow('warning');
        const fix = f.fix ? '' : f.noFixReason ? c.dim(` (no fix: ${f.noFixReason})`) : '';
        out.push(`  ${c.dim(`${f.line}:${f.column}`.padEnd(width))}  ${sev}  ${f.message}${fix}  ${c.dim(f.ruleId)}`);
      }
      out.push('');
    }
    if (opts.listSites && result.sites.length) {
      out.push(c.bold('Sites'));
      for (const s of result.sites) {
        const verdict = `tcp=${s.tcp} role=${s.role} keepalive=${s.keepalive}${s.loopback ? ' loopback' : ''}`;
        out.push(`  ${s.file}:${s.span.line}:${s.span.column}  ${s.api}${s.name ? ` ${s.name}` : ''}  ${verdict}`);
        for (const n of s.notes) out.push(c.dim(`      ${n}`));
      }
      out.push('');
    }
    const toolErrors = result.errors.filter((e) => (e.severity ?? 'error') === 'error');
    const toolWarnings = result.errors.filter((e) => e.severity === 'warning');
    for (const e of toolErrors) out.push(`${c.red('ka-audit error')} ${e.file}: ${e.message}`);
    if (!opts.quiet) for (const e of toolWarnings) out.push(`${c.yellow('ka-audit warning')} ${e.file}: ${e.message}`);
    if (toolErrors.length || (!opts.quiet && toolWarnings.length)) out.push('');
    const total = errors + warnings;
    const s = result.stats;
    if (total > 0) {
      const summary = `✖ ${total} problem${total === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'})`;
      out.push((errors ? c.red : c.yellow)(c.bold(summary)));
      if (fixable) out.push(c.dim(`  ${fixable} of them can be fixed with --fix`));
    } else {
      out.push(c.green(`✔ no keepalive problems`));
    }
    out.push(c.dim(`  ${s.files} files, ${s.parsed} parsed, ${s.sites} socket sites, ${s.ms} ms`));
    return out.join('\n') + '\n';
  },
};
