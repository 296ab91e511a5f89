// Helpers for the TS/JS fixture tests: apply a case's safe fixes the way --fix does, and
// type-check fixed TypeScript files with the compiler API (and @types/node).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Project, ts } from 'ts-morph';
import { planFile } from '../../src/engine/apply.js';
import type { AuditResult } from '../../src/engine/audit.js';
import { encodeSource } from '../../src/engine/source.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** file → fixed bytes (BOM and encoding kept), for every file with an applicable safe fix. */
export function fixedFiles(r: AuditResult): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const byFile = new Map<string, AuditResult['findings']>();
  for (const f of r.findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  for (const [file, findings] of byFile) {
    const audited = r.files.get(file);
    if (!audited) continue;
    const plan = planFile(audited.source.text, findings);
    if (plan.text !== undefined) out.set(file, encodeSource(audited.source, plan.text));
  }
  return out;
}

/** How many findings of a result have a safe fix (those --fix applies). */
export function safeFixCount(r: AuditResult): number {
  return r.findings.filter((f) => f.fix?.safe).length;
}

/**
 * Type errors of TypeScript files checked together with @types/node (strict), through a
 * ts-morph project: the same compiler a user's build runs, with the project API ka-audit's
 * optional type-aware checks would use.
 */
export function typeCheck(files: string[]): string[] {
  const project = new Project({
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      // Fixture imports omit extensions, as bundled and ts-node code does.
      module: ts.ModuleKind.Preserve,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      esModuleInterop: true,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules', '@types')],
      lib: ['lib.es2023.d.ts'],
    },
  });
  for (const f of files) project.addSourceFileAtPath(f);
  return project.getPreEmitDiagnostics().map((d) => {
    const sf = d.getSourceFile();
    const start = d.getStart();
    const where = sf && start !== undefined ? `${sf.getFilePath()}:${sf.getLineAndColumnAtPos(start).line}: ` : '';
    const msg = d.getMessageText();
    return where + (typeof msg === 'string' ? msg : msg.getMessageText());
  });
}

export function readBytes(dir: string, file: string): Buffer {
  return readFileSync(join(dir, file));
}

export { dirname };
