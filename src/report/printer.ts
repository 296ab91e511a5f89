// One interface for every output format; the engine never prints.
import type { AuditResult } from '../engine/audit.js';

export interface PrintOptions {
  color: boolean;
  listSites: boolean;
  /** Print errors only (warnings hidden), as ESLint's --quiet. */
  quiet: boolean;
  cwd: string;
}

export interface Printer {
  name: string;
  print(result: AuditResult, opts: PrintOptions): string;
}
