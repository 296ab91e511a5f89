// GitHub Actions workflow commands: one `::error`/`::warning` annotation per finding, shown on
// the pull request's diff and in the run summary. Suppressed findings are not printed.
// https://docs.github.com/actions/reference/workflow-commands-for-github-actions
import type { Printer } from './printer.js';

/** The message part of a workflow command: %, CR and LF would end or corrupt the command. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value: as data, plus `:` and `,`, which separate the command's properties. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(kind: 'error' | 'warning', props: Array<[string, string | number]>, message: string): string {
  const p = props.map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join(',');
  return `::${kind}${p ? ` ${p}` : ''}::${escapeData(message)}`;
}

export const github: Printer = {
  name: 'github',
  print(result, opts) {
    const out: string[] = [];
    for (const f of result.findings) {
      if (f.suppressed || (opts.quiet && f.severity !== 'error')) continue;
      out.push(
        command(
          f.severity === 'error' ? 'error' : 'warning',
          [
            ['file', f.file],
            ['line', f.line],
            ['col', f.column],
            ['endLine', f.endLine],
            ['endColumn', f.endColumn],
            ['title', f.ruleId],
          ],
          f.message,
        ),
      );
    }
    for (const e of result.errors) {
      const kind = (e.severity ?? 'error') === 'error' ? 'error' : 'warning';
      if (opts.quiet && kind === 'warning') continue;
      out.push(command(kind, e.file ? [['file', e.file]] : [], e.message));
    }
    return out.length ? out.join('\n') + '\n' : '';
  },
};
