// Reading keepalive switches: the value a setKeepAlive()/keepAlive option is given (on, off, or
// a run-time setting), and whether a keepalive call sits under a condition that asks for it.
import ts from './tsc.cjs';
import type { TsFile } from './parse.js';
import { skipParens } from './scope.js';

export function truthOf(file: TsFile, e: ts.Expression, depth = 0): boolean | 'dynamic' {
  const x = skipParens(e);
  if (x.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (x.kind === ts.SyntaxKind.FalseKeyword || x.kind === ts.SyntaxKind.NullKeyword) return false;
  if (ts.isNumericLiteral(x)) return Number(x.text) !== 0;
  if (ts.isStringLiteralLike(x)) return x.text !== '';
  if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken) {
    const v = truthOf(file, x.operand, depth + 1);
    return v === 'dynamic' ? 'dynamic' : !v;
  }
  if (ts.isIdentifier(x)) {
    if (x.text === 'undefined') return false;
    const b = file.scopes.bindingOf(x);
    if (b && b.kind === 'const' && ts.isVariableDeclaration(b.decl) && b.decl.initializer && depth < 3) return truthOf(file, b.decl.initializer, depth + 1);
  }
  if (ts.isVoidExpression(x)) return false;
  return 'dynamic';
}

/** A condition around a node that asks for keepalive (`if (opts.keepAlive)`), as text. */
export function keepaliveGuard(file: TsFile, n: ts.Node): string | undefined {
  const KA = /keep.?alive/i;
  let cur: ts.Node = n;
  for (let p = n.parent; p && !ts.isSourceFile(p); cur = p, p = p.parent) {
    let cond: ts.Expression | undefined;
    if (ts.isIfStatement(p) && p.expression !== cur) cond = p.expression;
    else if (ts.isConditionalExpression(p) && p.condition !== cur) cond = p.condition;
    else if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken && p.right === cur) cond = p.left;
    if (cond && KA.test(cond.getText(file.sf))) return cond.getText(file.sf).replace(/\s+/g, ' ');
  }
  return undefined;
}
