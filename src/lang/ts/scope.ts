// Lexical scopes of one file, without a type checker: which declaration every value identifier
// refers to. Parse-only analysis needs this so that a repo's own `Socket` class or a local
// function named `connect` is never mistaken for the `net` one.
import ts from './tsc.cjs';
import { forEachDescendant, reverseFrom } from './walk.js';

export type BindingKind = 'var' | 'let' | 'const' | 'param' | 'function' | 'class' | 'import' | 'catch' | 'enum';

export interface Binding {
  name: string;
  kind: BindingKind;
  /** The declaring identifier. */
  id: ts.Identifier;
  /** VariableDeclaration, ParameterDeclaration, BindingElement, FunctionDeclaration, ImportSpecifier, … */
  decl: ts.Node;
  /** Value references (the declaring identifier excluded). */
  refs: ts.Identifier[];
  /** Right-hand sides of later `name = expr` assignments. */
  writes: ts.Expression[];
}

interface Scope {
  parent: Scope | undefined;
  names: Map<string, Binding>;
}

export class FileScopes {
  private readonly byRef = new Map<ts.Identifier, Binding>();
  private readonly byDecl = new Map<ts.Node, Binding>();
  /** Identifiers that name no declaration in the file (globals such as `require`). */
  readonly unresolved: ts.Identifier[] = [];

  constructor(readonly sf: ts.SourceFile) {
    const root: Scope = { parent: undefined, names: new Map() };
    this.declareHoisted(sf, root);
    this.declareLexical(sf.statements, root);
    this.walkChildren(sf, root);
  }

  /** The binding an identifier (reference or declaring name) belongs to. */
  bindingOf(id: ts.Identifier): Binding | undefined {
    return this.byRef.get(id) ?? this.byDecl.get(id);
  }

  /** The binding declared by a declaration node (or its name). */
  bindingOfDecl(node: ts.Node): Binding | undefined {
    return this.byDecl.get(node);
  }

  // ---- declarations -------------------------------------------------------------------------

  private bind(scope: Scope, id: ts.Identifier, kind: BindingKind, decl: ts.Node): void {
    const existing = scope.names.get(id.text);
    // `var x` twice, or a function and a var of one name: one binding (JS semantics).
    if (existing) {
      this.byDecl.set(id, existing);
      this.byDecl.set(decl, existing);
      return;
    }
    const b: Binding = { name: id.text, kind, id, decl, refs: [], writes: [] };
    scope.names.set(id.text, b);
    this.byDecl.set(id, b);
    this.byDecl.set(decl, b);
  }

  private bindName(scope: Scope, name: ts.BindingName, kind: BindingKind, decl: ts.Node): void {
    if (ts.isIdentifier(name)) {
      this.bind(scope, name, kind, decl);
      return;
    }
    for (const el of name.elements) {
      if (ts.isOmittedExpression(el)) continue;
      this.bindName(scope, el.name, kind, ts.isIdentifier(el.name) ? el : el);
    }
  }

  /** Where the file's text says `var` (ascending), to skip hoisting walks that find nothing. */
  private varAt: number[] | undefined;

  /** `var` and function declarations anywhere in a function body (not in nested functions). */
  private declareHoisted(body: ts.Node, scope: Scope): void {
    // This walk comes before the main walk of every body; most TS/JS has no `var`, so the text
    // decides first whether there is anything to find (a keyword spelled with escapes is a
    // syntax error).
    if (!this.mayDeclareVar(body)) return;
    forEachDescendant(body, (n) => {
      if (ts.isVariableDeclarationList(n) && !(n.flags & ts.NodeFlags.BlockScoped)) {
        for (const d of n.declarations) this.bindName(scope, d.name, 'var', d);
      }
      if (n !== body && (isFunctionScope(n) || ts.isClassLike(n))) return false;
    });
  }

  /** Whether `var` occurs in the text of `node` (in a word, a string or a comment, too). */
  private mayDeclareVar(node: ts.Node): boolean {
    const text = this.sf.text;
    if (!this.varAt) {
      this.varAt = [];
      for (let i = text.indexOf('var'); i >= 0; i = text.indexOf('var', i + 3)) this.varAt.push(i);
    }
    const at = this.varAt;
    // The first occurrence at or after the node's start, by binary search.
    let lo = 0;
    let hi = at.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (at[mid]! < node.pos) lo = mid + 1;
      else hi = mid;
    }
    return lo < at.length && at[lo]! < node.end;
  }

  /** let/const/class/function/import/enum declared directly in a block's statement list. */
  private declareLexical(statements: readonly ts.Node[], scope: Scope): void {
    for (const st of statements) {
      if (ts.isVariableStatement(st) && st.declarationList.flags & ts.NodeFlags.BlockScoped) {
        const kind: BindingKind = st.declarationList.flags & ts.NodeFlags.Const ? 'const' : 'let';
        for (const d of st.declarationList.declarations) this.bindName(scope, d.name, kind, d);
      } else if (ts.isFunctionDeclaration(st) && st.name) {
        this.bind(scope, st.name, 'function', st);
      } else if (ts.isClassDeclaration(st) && st.name) {
        this.bind(scope, st.name, 'class', st);
      } else if (ts.isEnumDeclaration(st)) {
        this.bind(scope, st.name, 'enum', st);
      } else if (ts.isModuleDeclaration(st) && ts.isIdentifier(st.name)) {
        this.bind(scope, st.name, 'const', st);
      } else if (ts.isImportDeclaration(st) && st.importClause) {
        const c = st.importClause;
        if (c.name) this.bind(scope, c.name, 'import', c);
        const nb = c.namedBindings;
        if (nb && ts.isNamespaceImport(nb)) this.bind(scope, nb.name, 'import', nb);
        if (nb && ts.isNamedImports(nb)) for (const s of nb.elements) this.bind(scope, s.name, 'import', s);
      } else if (ts.isImportEqualsDeclaration(st)) {
        this.bind(scope, st.name, 'import', st);
      }
    }
  }

  // ---- walking ------------------------------------------------------------------------------
  // With a stack rather than recursion: generated code nests expressions thousands deep. Each
  // entry walks a node in a scope, or is an action that must run between two walks. Entries for
  // one node are pushed last first, so that they come off the stack in document order.

  private readonly todo: Array<ts.Node | (() => void)> = [];
  private readonly todoScopes: Scope[] = [];
  /** The scope `pushChild` gives: one callback for every forEachChild, not a closure per node. */
  private childScope: Scope | undefined;
  private readonly pushChild = (c: ts.Node): void => {
    this.todo.push(c);
    this.todoScopes.push(this.childScope!);
  };

  private walkChildren(node: ts.Node, scope: Scope): void {
    this.pushChildren(node, scope);
    while (this.todo.length) {
      const next = this.todo.pop()!;
      const scope = this.todoScopes.pop()!;
      if (typeof next === 'function') next();
      else this.visit(next, scope);
    }
  }

  private push(node: ts.Node | (() => void), scope: Scope): void {
    this.todo.push(node);
    this.todoScopes.push(scope);
  }

  private pushChildren(node: ts.Node, scope: Scope): void {
    const at = this.todo.length;
    this.childScope = scope;
    ts.forEachChild(node, this.pushChild);
    reverseFrom(this.todo, at); // the scopes pushed are all the same
  }

  /** Walks `node` itself, and pushes what to walk next. */
  private visit(node: ts.Node, scope: Scope): void {
    if (isTypeOnly(node)) {
      // Types name no values; but `class A extends B` names the value B.
      if (ts.isExpressionWithTypeArguments(node) && isClassExtends(node)) this.push(node.expression, scope);
      return;
    }
    if (ts.isIdentifier(node)) {
      this.reference(node, scope);
      return;
    }
    if (isFunctionScope(node)) {
      this.pushFunction(node, scope);
      return;
    }
    if (ts.isClassLike(node)) {
      let inner = scope;
      if (ts.isClassExpression(node) && node.name) {
        inner = { parent: scope, names: new Map() };
        this.bind(inner, node.name, 'class', node);
      }
      this.pushChildren(node, inner);
      return;
    }
    if (ts.isBlock(node) || ts.isModuleBlock(node) || ts.isCaseBlock(node)) {
      const inner: Scope = { parent: scope, names: new Map() };
      const statements = ts.isCaseBlock(node) ? node.clauses.flatMap((c) => [...c.statements]) : node.statements;
      this.declareLexical(statements, inner);
      this.pushChildren(node, inner);
      return;
    }
    if (ts.isForStatement(node) || ts.isForInStatement(node) || ts.isForOfStatement(node)) {
      const inner: Scope = { parent: scope, names: new Map() };
      const init = node.initializer;
      if (init && ts.isVariableDeclarationList(init) && init.flags & ts.NodeFlags.BlockScoped) {
        for (const d of init.declarations) this.bindName(inner, d.name, init.flags & ts.NodeFlags.Const ? 'const' : 'let', d);
      }
      this.pushChildren(node, inner);
      return;
    }
    if (ts.isCatchClause(node)) {
      const inner: Scope = { parent: scope, names: new Map() };
      if (node.variableDeclaration) this.bindName(inner, node.variableDeclaration.name, 'catch', node.variableDeclaration);
      this.pushChildren(node, inner);
      return;
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(skipParens(node.left))) {
      // Last first: the left side, then (once it is resolved) the write, then the right side.
      this.push(node.right, scope);
      this.push(() => {
        const b = this.bindingOf(skipParens(node.left) as ts.Identifier);
        if (b) b.writes.push(node.right);
      }, scope);
      this.push(node.left, scope);
      return;
    }
    this.pushChildren(node, scope);
  }

  private pushFunction(fn: ts.SignatureDeclaration, scope: Scope): void {
    const inner: Scope = { parent: scope, names: new Map() };
    // A function expression's own name is visible only inside it.
    if (ts.isFunctionExpression(fn) && fn.name) this.bind(inner, fn.name, 'function', fn);
    for (const p of fn.parameters) this.bindName(inner, p.name, 'param', p);
    const body = (fn as ts.FunctionLikeDeclaration).body;
    const at = this.todo.length;
    // In order (reversed below): names and defaults of parameters first, in the function's scope.
    for (const p of fn.parameters) {
      if (!ts.isIdentifier(p.name)) this.pushPattern(p.name, inner);
      if (p.initializer) this.push(p.initializer, inner);
    }
    if (fn.name && ts.isComputedPropertyName(fn.name)) this.push(fn.name.expression, scope);
    if (body && ts.isBlock(body)) {
      // Declared once the parameters' defaults are walked, as a recursive walk did.
      this.push(() => {
        this.declareHoisted(body, inner);
        this.declareLexical(body.statements, inner);
      }, inner);
      this.childScope = inner;
      ts.forEachChild(body, this.pushChild);
    } else if (body) {
      this.push(body, inner);
    }
    reverseFrom(this.todo, at);
    reverseFrom(this.todoScopes, at);
  }

  /** Computed keys and defaults of a destructuring pattern, in order, nested patterns included. */
  private pushPattern(p: ts.BindingPattern, scope: Scope): void {
    for (const el of p.elements) {
      if (ts.isOmittedExpression(el)) continue;
      if (el.propertyName && ts.isComputedPropertyName(el.propertyName)) this.push(el.propertyName.expression, scope);
      if (el.initializer) this.push(el.initializer, scope);
      if (!ts.isIdentifier(el.name)) this.pushPattern(el.name, scope);
    }
  }

  private reference(id: ts.Identifier, scope: Scope): void {
    if (!isValueReference(id)) return;
    if (this.byDecl.has(id)) return; // a declaring name
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      const b = s.names.get(id.text);
      if (b) {
        b.refs.push(id);
        this.byRef.set(id, b);
        return;
      }
    }
    this.unresolved.push(id);
  }
}

const K = ts.SyntaxKind;

/** Kinds that open a function scope: a table, since every node of every site file is asked. */
const FUNCTION_SCOPE = new Uint8Array(K.Count);
for (const k of [K.FunctionDeclaration, K.FunctionExpression, K.ArrowFunction, K.MethodDeclaration, K.Constructor, K.GetAccessor, K.SetAccessor]) FUNCTION_SCOPE[k] = 1;

export function isFunctionScope(n: ts.Node): n is ts.SignatureDeclaration {
  return FUNCTION_SCOPE[n.kind] === 1;
}

/**
 * Kinds that name types only (type nodes, interfaces, type aliases, type parameters): a table
 * too. `ts.isTypeNode` compares the kind with ~20 values; with the four predicates it was 193 ms
 * of self time in a TS/JS-only run of 16,196 files (CPU profile). Building the scopes of 600 of
 * their site files: 403–542 → 286–313 ms (medians of 7 per process; 3 processes before, 6 after,
 * alternating).
 */
const TYPE_ONLY = new Uint8Array(K.Count);
for (let k = 0; k < K.Count; k++) {
  const kind = k as ts.SyntaxKind;
  // These predicates read nothing but the kind (test/ts-scope.test.ts checks the table against them).
  if (ts.isTypeNode({ kind } as ts.Node) || kind === K.InterfaceDeclaration || kind === K.TypeAliasDeclaration || kind === K.TypeParameter) TYPE_ONLY[k] = 1;
}

export function isTypeOnly(n: ts.Node): boolean {
  return TYPE_ONLY[n.kind] === 1;
}

function isClassExtends(n: ts.ExpressionWithTypeArguments): boolean {
  const clause = n.parent;
  return ts.isHeritageClause(clause) && clause.token === ts.SyntaxKind.ExtendsKeyword && ts.isClassLike(clause.parent);
}

/**
 * Whether an identifier, where it stands, names a value (not a property, label or declaration).
 * One switch on the parent's kind: every identifier of every site file is asked.
 */
export function isValueReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (!p) return false;
  switch (p.kind) {
    case K.PropertyAccessExpression:
      return (p as ts.PropertyAccessExpression).name !== id;
    case K.PropertyAssignment:
    case K.PropertyDeclaration:
    case K.MethodDeclaration:
    case K.GetAccessor:
    case K.SetAccessor:
    case K.PropertySignature:
    case K.MethodSignature:
    case K.EnumMember:
    case K.ModuleDeclaration:
    case K.EnumDeclaration:
    case K.FunctionDeclaration:
    case K.ClassDeclaration:
    case K.FunctionExpression:
    case K.ClassExpression:
    case K.VariableDeclaration:
    case K.Parameter:
      return (p as ts.NamedDeclaration).name !== id;
    case K.BindingElement:
      return (p as ts.BindingElement).propertyName !== id && (p as ts.BindingElement).name !== id;
    case K.ExportSpecifier: {
      const spec = p as ts.ExportSpecifier;
      return !(spec.propertyName || spec.parent.parent.moduleSpecifier);
    }
    case K.JsxOpeningElement:
    case K.JsxSelfClosingElement:
    case K.JsxClosingElement:
      return !/^[a-z]/.test(id.text);
    case K.QualifiedName:
    case K.ImportSpecifier:
    case K.LabeledStatement:
    case K.BreakStatement:
    case K.ContinueStatement:
    case K.JsxAttribute:
    case K.MetaProperty:
    case K.NamespaceExport:
    case K.NamespaceExportDeclaration:
    case K.ImportClause:
    case K.NamespaceImport:
    case K.ImportEqualsDeclaration:
      return false;
    default:
      return true;
  }
}

export function skipParens(e: ts.Expression): ts.Expression {
  for (;;) {
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isTypeAssertionExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
    else return e;
  }
}
