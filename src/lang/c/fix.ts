// C fixes: placeholder until the style-inferring fixer lands (issue 4).
import type { BackendOptions } from '../../engine/backend.js';
import type { CSite } from './analyze.js';
import type { CNode } from './parse.js';
import type { CProject } from './project.js';

export function planFixes(_text: string, _root: CNode, sites: CSite[], _project: CProject, _opts: BackendOptions): void {
  for (const s of sites) s.fix = null;
}
