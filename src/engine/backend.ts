// The contract between the engine and a language analyser. The engine owns files, workers,
// rules and printing; a backend owns parsing and the meaning of code.
import type { KeepaliveValues, Lang, Site, ToolError } from './types.js';

export interface BackendOptions {
  keepalive: KeepaliveValues;
  /** Extra keepalive helper function names the project declares (config `helpers`). */
  helpers: string[];
  /** Compute fixes for reportable sites. */
  fixes: boolean;
}

export interface FileDiagnostic {
  message: string;
  severity: 'error' | 'warning';
}

export interface Backend<Facts, Project> {
  lang: Lang;
  /** Loads grammars; called once per thread before anything else. */
  init(): Promise<void>;
  /** Cheap text scan for pass 0: names this file declares that other files must know (macro aliases). */
  scanAliases(text: string): Record<string, unknown>;
  /** Could this text contribute project facts? (pass-1 prefilter) */
  mayHaveFacts(text: string, aliases: AliasTable): boolean;
  /** Could this text hold a site? A file rejected here must never yield a finding. */
  mayHaveSites(text: string, aliases: AliasTable): boolean;
  facts(file: string, text: string, aliases: AliasTable): { facts: Facts; diagnostics: FileDiagnostic[] };
  project(facts: Facts[], aliases: AliasTable, opts: BackendOptions): Project;
  analyze(file: string, text: string, project: Project, opts: BackendOptions): { sites: Site[]; diagnostics: FileDiagnostic[] };
}

export type AliasTable = Record<string, unknown>;

export type { ToolError };
