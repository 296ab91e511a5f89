// Baselines: adopt the gate on a legacy tree without fixing every finding on day one.
// `--write-baseline FILE` records today's findings; `--baseline FILE` reports only new ones.
// Matching is by fingerprint (rule, file, socket, normalized source line), never by line number,
// so inserting code above a finding keeps it matched.
import { writeFileSync } from 'node:fs';
import { readUtf8 } from './read-text.cjs';
import type { Finding } from './types.js';

export interface BaselineFile {
  version: 1;
  tool: 'ka-audit';
  findings: Array<{ fingerprint: string; ruleId: string; file: string; message: string }>;
}

export class BaselineError extends Error {}

export function writeBaseline(path: string, findings: Finding[]): number {
  const live = findings.filter((f) => !f.suppressed);
  const doc: BaselineFile = {
    version: 1,
    tool: 'ka-audit',
    findings: live.map((f) => ({ fingerprint: f.fingerprint, ruleId: f.ruleId, file: f.file, message: f.message })),
  };
  writeFileSync(path, JSON.stringify(doc, null, 2) + '\n');
  return live.length;
}

export function readBaseline(path: string): Set<string> {
  let doc: BaselineFile;
  try {
    doc = JSON.parse(readUtf8(path)) as BaselineFile;
  } catch (e) {
    throw new BaselineError(`${path}: cannot read the baseline: ${(e as Error).message}`);
  }
  if (doc?.version !== 1 || !Array.isArray(doc.findings)) throw new BaselineError(`${path}: not a ka-audit baseline (version 1)`);
  return new Set(doc.findings.map((f) => f.fingerprint));
}

/** Findings already in the baseline are dropped; returns how many were. */
export function subtractBaseline(findings: Finding[], known: Set<string>): { findings: Finding[]; matched: number } {
  const kept = findings.filter((f) => !known.has(f.fingerprint));
  return { findings: kept, matched: findings.length - kept.length };
}
