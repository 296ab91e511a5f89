// What a function and its file declare: parameters, locals with their types, file-level
// #defines and globals. Built once per file/function and read by value resolution and tracking.
import { child, declaredName, descendants, functionName, isFunctionBody, namedChildren, parameterNames, textMatches, textOf, walk } from './ast.js';
import type { CNode } from './parse.js';
import { DEFINE_HINT } from './hints.js';

export interface Decl {
  name: string;
  /** The declared type with qualifiers, `struct` and pointer marks removed: `sockaddr_in`, `ngx_listening_t`. */
  type: string;
  pointer: boolean;
  array: boolean;
  init?: CNode;
  node: CNode;
}

export interface FileScope {
  file: string;
  src: string;
  root: CNode;
  /** Object-like #defines: name → replacement text. */
  defines: Map<string, string>;
  /** Function-like #defines: name → { params, body }. */
  macros: Map<string, { params: string[]; body: string; node: CNode }>;
  globals: Map<string, Decl>;
  functions: CNode[];
}

export interface FnScope {
  file: FileScope;
  node: CNode;
  name: string;
  params: string[];
  isStatic: boolean;
  /** Every declaration in the body and the parameter list, by name (last one wins). */
  locals: Map<string, Decl>;
}

export function buildFileScope(file: string, src: string, root: CNode): FileScope {
  const defines = new Map<string, string>();
  const macros = new Map<string, { params: string[]; body: string; node: CNode }>();
  const globals = new Map<string, Decl>();
  const functions: CNode[] = [];
  walk(root, (n) => {
    if (n.type === 'function_definition') {
      functions.push(n);
      return true; // walk on: a #define may sit inside a function body…
    }
    if (isFunctionBody(n) && !textMatches(src, n, DEFINE_HINT)) return false; // …but rarely does
    if (n.type === 'preproc_def') {
      const name = child(n, 'name');
      const value = child(n, 'value');
      if (name) defines.set(textOf(src, name), value ? textOf(src, value).trim() : '');
      return false;
    }
    if (n.type === 'preproc_function_def') {
      const name = child(n, 'name');
      const params = child(n, 'parameters');
      const value = child(n, 'value');
      if (name && value) {
        macros.set(textOf(src, name), {
          params: params ? namedChildren(params).map((p) => textOf(src, p)) : [],
          body: textOf(src, value).trim(),
          node: n,
        });
      }
      return false;
    }
    if (n.type === 'declaration' && n.parent && n.parent.type !== 'compound_statement') {
      for (const d of declarationsOf(src, n)) globals.set(d.name, d);
      return false;
    }
    return true;
  });
  return { file, src, root, defines, macros, globals, functions };
}

export function buildFnScope(file: FileScope, fn: CNode): FnScope {
  const src = file.src;
  const storage = fn.children.filter((c) => c.type === 'storage_class_specifier').map((c) => textOf(src, c));
  let locals: Map<string, Decl> | undefined;
  return {
    file,
    node: fn,
    name: functionName(src, fn),
    params: parameterNames(src, fn),
    isStatic: storage.includes('static'),
    // Built on first use: reading the declarations mirrors (re-parses) the body, and most
    // functions looked up by name are never looked into.
    get locals() {
      return (locals ??= localsOf(src, fn));
    },
  };
}

function localsOf(src: string, fn: CNode): Map<string, Decl> {
  const locals = new Map<string, Decl>();
  // Parameters live outside the body.
  const body = child(fn, 'body');
  for (const p of fn.children.filter((c) => c !== body).flatMap((c) => descendants(c, 'parameter_declaration'))) {
    const name = declaredName(src, p);
    if (name) locals.set(name, declOf(src, p, name));
  }
  if (body) for (const d of descendants(body, 'declaration')) for (const decl of declarationsOf(src, d)) locals.set(decl.name, decl);
  return locals;
}

/** Each declarator of a declaration, with its type. */
export function declarationsOf(src: string, decl: CNode): Decl[] {
  const out: Decl[] = [];
  for (const d of decl.children.filter((c) => c.field === 'declarator')) {
    const name = declaredName(src, d);
    if (!name) continue;
    const item = declOf(src, decl, name, d);
    if (d.type === 'init_declarator') {
      const value = child(d, 'value');
      if (value) item.init = value;
    }
    out.push(item);
  }
  return out;
}

function declOf(src: string, decl: CNode, name: string, declarator?: CNode): Decl {
  const typeNode = child(decl, 'type');
  const type = typeNode ? textOf(src, typeNode).replace(/\b(struct|union|enum|const|volatile)\b/g, '').replace(/\s+/g, ' ').trim() : '';
  const dtext = textOf(src, declarator ?? child(decl, 'declarator') ?? decl);
  return { name, type, pointer: /\*/.test(dtext.split('=')[0] ?? ''), array: /\[/.test(dtext.split('=')[0] ?? ''), node: decl };
}

/** The declared struct type of the variable at the base of `a->b.c[i]`, or '' when unknown. */
export function baseType(scope: FnScope, baseName: string): string {
  const d = scope.locals.get(baseName) ?? scope.file.globals.get(baseName);
  return d ? d.type : '';
}
