// The TS/JS project's reversed import graph: who imports a module, directly or through modules
// that export it again, including chains and cycles of re-exports.
import { describe, expect, it } from 'vitest';
import { TsProject } from '../src/lang/ts/project.js';
import { scanTs } from '../src/lang/ts/scan.js';

function project(files: Record<string, string>): TsProject {
  const scans = new Map(Object.entries(files).map(([f, text]) => [f, scanTs(text)] as const));
  return new TsProject(scans, (f) => files[f], []);
}

describe('importers of a module', () => {
  const p = project({
    'lib/net/dial.ts': "import net from 'node:net';\nexport function dial() { return net.connect(1); }\n",
    'lib/net/index.ts': "export { dial } from './dial.js';\n",
    // A barrel that imports a module counts as exporting it again.
    'lib/index.ts': "import './net/index.js';\nexport * from './net/index.js';\n",
    'lib/util.ts': "export * from './index.js';\n",
    // A cycle of re-exports must end.
    'lib/a.ts': "export * from './b.js';\nexport * from './net/dial.js';\n",
    'lib/b.ts': "export * from './a.js';\n",
    'app.ts': "import { dial } from './lib/index.js';\ndial();\n",
    'direct.js': "const { dial } = require('./lib/net/dial');\ndial();\n",
    'via-dir.ts': "import { dial } from './lib';\ndial();\n",
    'cyclic-user.ts': "import { dial } from './lib/b.js';\ndial();\n",
    'other.ts': "import { x } from './lib/other.js';\n",
  });

  it('follows named re-exports, export-star barrels, directory imports and cycles', () => {
    expect(p.importersOf('lib/net/dial.ts')).toEqual(['app.ts', 'cyclic-user.ts', 'direct.js', 'lib/a.ts', 'lib/b.ts', 'lib/index.ts', 'lib/net/index.ts', 'lib/util.ts', 'via-dir.ts']);
    expect(p.importersOf('lib/index.ts')).toEqual(['app.ts', 'lib/util.ts', 'via-dir.ts']);
    expect(p.importersOf('lib/b.ts')).toEqual(['cyclic-user.ts', 'lib/a.ts']);
  });

  it('gives no importers for a module nobody imports, nor for a file outside the project', () => {
    expect(p.importersOf('app.ts')).toEqual([]);
    expect(p.importersOf('lib/other.ts')).toEqual([]);
  });

  it('gives the same list when asked again', () => {
    expect(p.importersOf('lib/net/dial.ts')).toBe(p.importersOf('lib/net/dial.ts'));
  });
});
