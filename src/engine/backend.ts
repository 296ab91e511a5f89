// The contract between the engine and a language analyser. The engine owns files, rules and
// printing; a backend owns parsing and the meaning of code.
//
// Flow: every file gets a cheap text `scan` (pass 0); the backend builds a project from the
// scans, parsing further files on demand through `load`; then `analyze` runs on each file the
// backend says may hold sites. A file not in `siteFiles` must never yield a finding.
import type { KeepaliveValues, Lang, Site } from './types.js';

export interface BackendOptions {
  keepalive: KeepaliveValues;
  /** Extra keepalive helper function names the project declares (config `helpers`). */
  helpers: string[];
  /** Compute fixes for reportable sites. */
  fixes: boolean;
  /** Treat every file as possibly relevant (no text prefilter): results must not change. */
  noPrefilter?: boolean;
  /**
   * Cores free for a helper thread right now (C: one that parses ahead), as an Int32 in shared
   * memory: the main thread raises it when another language's thread finishes. Absent: none.
   */
  spareThreads?: SharedArrayBuffer;
  /** Start helper threads however small the input (tests exercise them on small trees). */
  helpersAlways?: boolean;
  /** Heap of parsed files a project keeps mirrored, as guessed (C; tests make it small to see models let go). */
  modelCacheHeap?: number;
}

/** Where a project's files are on disk, for a helper thread that reads them itself. */
export interface ProjectFiles {
  /** display path → absolute path */
  paths: Record<string, string>;
  /** display path → characters */
  sizes: Record<string, number>;
  maxBytes: number;
}

export interface FileDiagnostic {
  message: string;
  severity: 'error' | 'warning';
}

/** Reads a file's decoded text by its display path (undefined when unreadable). */
export type TextLoader = (file: string) => string | undefined;

export interface Backend<Scan, Project> {
  lang: Lang;
  /** Loads grammars; called once per thread before anything else. */
  init(): Promise<void>;
  /**
   * Called when a project is about to be built (before `init` and `createProject`), to start
   * helper threads that take a while to come up; `createProject` adopts or stops them.
   */
  prepare?(opts: BackendOptions, files: ProjectFiles): void;
  scan(text: string): Scan;
  /**
   * The project owns the scans from here on: it may drop from them what it has indexed in its own
   * form (C moves every file's name lists into one flat index); only `siteFiles`, with this
   * project, reads them again.
   */
  createProject(scans: Map<string, Scan>, load: TextLoader, opts: BackendOptions, files?: ProjectFiles): Project;
  /** Stops what a project started (helper threads); the project is not used after. */
  dispose?(project: Project): Promise<void>;
  /** The files that may hold sites (the prefilter); `all` skips the prefilter. */
  siteFiles(project: Project, scans: Map<string, Scan>, all: boolean): string[];
  analyze(project: Project, file: string, opts: BackendOptions): { sites: Site[]; diagnostics: FileDiagnostic[] };
  /** Files parsed so far (for statistics). */
  parsedCount(project: Project): number;
  /** Parse errors in a text: a fix must not add any. */
  parseErrorCount?(text: string): number;
}
