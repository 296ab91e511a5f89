// Parsing one file with the TypeScript compiler's parser only (no program, no type checker):
// audited trees rarely have node_modules installed, and a parse is all the analysis needs.
import ts from './tsc.cjs';
import type { FileDiagnostic } from '../../engine/backend.js';
import { FileScopes } from './scope.js';
import { setParents } from './walk.js';

export function scriptKindOf(file: string): ts.ScriptKind {
  const ext = /\.[^./]+$/.exec(file)?.[0].toLowerCase() ?? '';
  switch (ext) {
    case '.tsx':
      return ts.ScriptKind.TSX;
    case '.jsx':
      return ts.ScriptKind.JSX;
    case '.js':
    case '.mjs':
    case '.cjs':
      return ts.ScriptKind.JS;
    default:
      return ts.ScriptKind.TS;
  }
}

/** One parsed file: its tree, scopes and line table. Pure function of (file name, text). */
export class TsFile {
  readonly sf: ts.SourceFile;
  private scopesCache: FileScopes | undefined;

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    // JSDoc is never read (no type checker runs), so it is not parsed either. Parents are set by
    // setParents, faster than the compiler's setParentNodes.
    const options = { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone };
    this.sf = ts.createSourceFile(file, text, options, false, scriptKindOf(file));
    setParents(this.sf);
  }

  get scopes(): FileScopes {
    return (this.scopesCache ??= new FileScopes(this.sf));
  }

  /** 1-based line of an offset. */
  line(pos: number): number {
    return this.sf.getLineAndCharacterOfPosition(pos).line + 1;
  }

  /** `file:line` of a node, for notes. */
  where(node: ts.Node): string {
    return `${this.file}:${this.line(node.getStart(this.sf))}`;
  }

  diagnostics(): FileDiagnostic[] {
    // parseDiagnostics is not in the public typings but is always present on a parsed file.
    const diags = (this.sf as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
    if (diags.length === 0) return [];
    const first = diags[0]!;
    const msg = ts.flattenDiagnosticMessageText(first.messageText, ' ');
    return [
      {
        severity: 'warning',
        message: `${diags.length} parse error(s), first at line ${this.line(first.start ?? 0)}: ${msg}; results for this file may be incomplete`,
      },
    ];
  }
}
