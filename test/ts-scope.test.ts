// The scope builder asks three questions of every node of every TS/JS site file: does it open a
// function scope, does it name types only, and does an identifier name a value where it stands.
// They were chains of `ts.isX` calls and are now tables and a switch on the node's kind; the
// chains are kept here as the reference, and the answers must be the same for every node.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import ts from '../src/lang/ts/tsc.cjs';
import { TsFile } from '../src/lang/ts/parse.js';
import { FileScopes, isFunctionScope, isTypeOnly, isValueReference } from '../src/lang/ts/scope.js';
import { forEachDescendant } from '../src/lang/ts/walk.js';
import { FIXTURES, inputFiles } from './lib/fixtures.js';

function functionScopeByChain(n: ts.Node): boolean {
  return ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n) || ts.isConstructorDeclaration(n) || ts.isGetAccessorDeclaration(n) || ts.isSetAccessorDeclaration(n);
}

function typeOnlyByChain(n: ts.Node): boolean {
  return ts.isTypeNode(n) || ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n) || ts.isTypeParameterDeclaration(n);
}

function valueReferenceByChain(id: ts.Identifier): boolean {
  const p = id.parent;
  if (!p) return false;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if (ts.isQualifiedName(p)) return false;
  if ((ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p) || ts.isPropertySignature(p) || ts.isMethodSignature(p) || ts.isEnumMember(p)) && p.name === id) return false;
  if (ts.isBindingElement(p) && p.propertyName === id) return false;
  if ((ts.isImportSpecifier(p) || ts.isExportSpecifier(p)) && p.propertyName === id) return false;
  if (ts.isExportSpecifier(p) && (p.propertyName || p.parent.parent.moduleSpecifier)) return false;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  if (ts.isJsxAttribute(p)) return false;
  if ((ts.isJsxOpeningElement(p) || ts.isJsxSelfClosingElement(p) || ts.isJsxClosingElement(p)) && /^[a-z]/.test(id.text)) return false;
  if (ts.isMetaProperty(p)) return false;
  if (ts.isNamespaceExport(p) || ts.isNamespaceExportDeclaration(p)) return false;
  if (ts.isImportClause(p) || ts.isNamespaceImport(p) || ts.isImportSpecifier(p) || ts.isImportEqualsDeclaration(p)) return false;
  if (ts.isModuleDeclaration(p) || ts.isEnumDeclaration(p) || ts.isFunctionDeclaration(p) || ts.isClassDeclaration(p)) return p.name !== id;
  if ((ts.isFunctionExpression(p) || ts.isClassExpression(p)) && p.name === id) return false;
  if ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isBindingElement(p)) && p.name === id) return false;
  return true;
}

/** Every parent kind the chain singles out, each with the identifier on each side of it. */
const EVERY_SHAPE = `
import def, { a as b, c } from './m';
import * as ns from './n';
import eq = require('./q');
export { b as d, c };
export { x as y } from './r';
export * as z from './s';
export as namespace G;
namespace N { export const v = 1; }
enum E { A = 1, B = A }
label: for (const i of [1]) { if (i) break label; else continue label; }
class K extends def { p = 1; static q: number; m() { return this.p; } get g() { return 1; } set g(v) {} constructor(public r: number) { super(); } }
const o = { p: 1, q() {}, [c]: 2, c, ...ns };
const { p: renamed, q = c, ...rest } = o;
function f(a1: number, { p: pa }: { p: number }) { return new.target ? a1 : pa; }
const fe = function named() { return named; };
const ce = class Named { x = Named; };
let t: N.T = eq.u;
interface I { p: number; m(): void }
type U = typeof def;
function generic<T extends I>(x: T): T | undefined { return x as T; }
const j = <div className={b}><Comp.Sub x={c} /><lower /></div>;
const arrow = (x) => x + renamed;
`;

/** The TS/JS input files of the fixtures, parsed. */
function fixtureFiles(): TsFile[] {
  const root = join(FIXTURES, 'ts');
  return inputFiles(root)
    .filter((f) => /\.(ts|tsx|js|mjs|cjs)$/.test(f))
    .map((f) => new TsFile(f, readFileSync(join(root, f), 'utf8')));
}

describe('TS scope questions by kind', () => {
  it('answer as the ts.isX chains they replaced, for every node of the fixtures and of a file with every shape', () => {
    const files = [...fixtureFiles(), new TsFile('shapes.tsx', EVERY_SHAPE)];
    let identifiers = 0;
    let nonValues = 0;
    const typeOnlyKinds = new Set<number>();
    const parentKinds = new Set<number>();
    for (const file of files) {
      forEachDescendant(file.sf, (n) => {
        expect(isFunctionScope(n), `${file.file}: ${ts.SyntaxKind[n.kind]}`).toBe(functionScopeByChain(n));
        expect(isTypeOnly(n), `${file.file}: ${ts.SyntaxKind[n.kind]}`).toBe(typeOnlyByChain(n));
        if (typeOnlyByChain(n)) typeOnlyKinds.add(n.kind);
        if (ts.isIdentifier(n)) {
          identifiers++;
          parentKinds.add(n.parent.kind);
          const want = valueReferenceByChain(n);
          if (!want) nonValues++;
          expect(isValueReference(n), `${file.file}: ${n.text} in ${ts.SyntaxKind[n.parent.kind]}`).toBe(want);
        }
      });
    }
    expect(identifiers).toBeGreaterThan(1000);
    // Type nodes of several kinds came up, and each of the other three type-only declarations.
    expect(typeOnlyKinds.size).toBeGreaterThan(8);
    for (const k of [ts.SyntaxKind.InterfaceDeclaration, ts.SyntaxKind.TypeAliasDeclaration, ts.SyntaxKind.TypeParameter]) expect(typeOnlyKinds.has(k), ts.SyntaxKind[k]).toBe(true);
    expect(nonValues).toBeGreaterThan(200);
    // Every kind the switch singles out came up as an identifier's parent.
    const special = ['PropertyAccessExpression', 'PropertyAssignment', 'PropertyDeclaration', 'MethodDeclaration', 'GetAccessor', 'SetAccessor', 'PropertySignature', 'MethodSignature', 'EnumMember', 'ModuleDeclaration', 'EnumDeclaration', 'FunctionDeclaration', 'ClassDeclaration', 'FunctionExpression', 'ClassExpression', 'VariableDeclaration', 'Parameter', 'BindingElement', 'ExportSpecifier', 'JsxOpeningElement', 'JsxSelfClosingElement', 'JsxClosingElement', 'QualifiedName', 'ImportSpecifier', 'LabeledStatement', 'BreakStatement', 'ContinueStatement', 'JsxAttribute', 'MetaProperty', 'NamespaceExport', 'NamespaceExportDeclaration', 'ImportClause', 'NamespaceImport', 'ImportEqualsDeclaration'];
    const kindOf = ts.SyntaxKind as unknown as Record<string, number>;
    expect(special.filter((k) => !parentKinds.has(kindOf[k]!))).toEqual([]);
  });
});

/** `var` in every place a hoisting walk looks, and the word in places it must not matter. */
const VARS = `
var top = 1;
function outer(a) {
  if (a) { var inBlock = a; }
  for (var i = 0; i < 3; i++) { var j = i; }
  for (var k in a) {}
  try { var t = 1; } catch (e) { var c = e; }
  const variable = "var in a string";
  function inner() { var own = inBlock; return own + j; }
  const arrow = () => { var mine = t; return mine + c + k; };
  return inner() + arrow() + variable + top;
}
const noVar = (x) => { let y = x; return y; }; // var in a comment only
class C { m() { var inMethod = 1; return inMethod; } }
var top;
`;

/** Each identifier's binding, as the declaration's kind and position (or unresolved). */
function bindings(scopes: FileScopes): string[] {
  const out: string[] = [];
  forEachDescendant(scopes.sf, (n) => {
    if (!ts.isIdentifier(n)) return;
    const b = scopes.bindingOf(n);
    out.push(`${n.text}@${n.pos}: ${b ? `${b.kind} ${b.name}@${b.decl.pos}` : '-'}`);
  });
  return [...out, `unresolved: ${scopes.unresolved.map((id) => `${id.text}@${id.pos}`).join(' ')}`];
}

describe('TS scopes: hoisting walks skipped where the text has no var', () => {
  it('bind every identifier as when every body is walked, on the fixtures and on a file of vars', () => {
    const files = [...fixtureFiles(), new TsFile('vars.js', VARS)];
    const proto = FileScopes.prototype as unknown as { mayDeclareVar: (n: ts.Node) => boolean };
    const check = proto.mayDeclareVar;
    for (const file of files) {
      const skipping = bindings(new FileScopes(file.sf));
      proto.mayDeclareVar = () => true;
      try {
        expect(skipping, file.file).toEqual(bindings(new FileScopes(file.sf)));
      } finally {
        proto.mayDeclareVar = check;
      }
    }
    // Only the hoisting walk binds a var: every use of one, in its body or in a nested function,
    // must have found it (the names are not declared any other way in the file).
    const varNames = ['top', 'inBlock', 'i', 'j', 'k', 't', 'c', 'own', 'mine', 'inMethod'];
    const uses = bindings(new FileScopes(files.at(-1)!.sf)).filter((b) => varNames.includes(b.split('@')[0]!));
    expect(uses.length).toBe(23);
    expect(uses.filter((b) => !/: var /.test(b))).toEqual([]);
  });
});
