// Which backend analyses which language.
import type { Backend } from './backend.js';
import type { Lang } from './types.js';
import { cBackend } from '../lang/c/index.js';
import { tsBackend } from '../lang/ts/index.js';

const BACKENDS: Partial<Record<Lang, Backend<never, never>>> = {
  c: cBackend as unknown as Backend<never, never>,
  ts: tsBackend as unknown as Backend<never, never>,
};

export function backendFor(lang: Lang): Backend<never, never> | undefined {
  return BACKENDS[lang];
}
