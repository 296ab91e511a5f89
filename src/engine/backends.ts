// Which backend analyses which language. Loaded on first use: a C-only tree (or a --cache hit)
// never pays for loading the TypeScript compiler, and vice versa.
import type { Backend } from './backend.js';
import type { Lang } from './types.js';

type AnyBackend = Backend<unknown, unknown>;

const LOADERS: Record<Lang, () => Promise<AnyBackend>> = {
  c: async () => (await import('../lang/c/index.js')).cBackend as unknown as AnyBackend,
  ts: async () => (await import('../lang/ts/index.js')).tsBackend as unknown as AnyBackend,
};

export async function backendFor(lang: Lang): Promise<AnyBackend | undefined> {
  const load = LOADERS[lang];
  return load ? load() : undefined;
}

/** A language's pass 0 alone: the text scan, without the parser and analysis behind it. */
export interface Scanner {
  scan(text: string): unknown;
  /**
   * False when no file can hold a site, whatever the project says: the language's analysis
   * (and its parser: the TypeScript compiler weighs ~100 MB) is then not loaded at all.
   */
  mayHaveSites(scans: unknown[]): boolean;
}

const SCANNERS: Record<Lang, () => Promise<Scanner>> = {
  // C site files depend on project-wide macro aliases: always analysed.
  c: async () => ({ scan: (await import('../lang/c/scan.js')).scanC, mayHaveSites: () => true }),
  ts: async () => ({ scan: (await import('../lang/ts/scan.js')).scanTs, mayHaveSites: (scans) => scans.some((s) => (s as { sites: boolean }).sites) }),
};

export function scannerFor(lang: Lang): Promise<Scanner> {
  return SCANNERS[lang]();
}
