import type { BackendOptions } from '../../engine/backend.js';
import type { TsSite } from './analyze.js';
import type { TsFile } from './parse.js';
export function planFixes(_f: TsFile, sites: TsSite[], _o: BackendOptions): void {
  for (const s of sites) s.fix = null;
}
