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
