// Walking TypeScript syntax trees without recursion. Generated and bundled code nests syntax
// thousands deep (`a + b + …` concatenations, `x.on(…).on(…)…` chains): a recursive walk
// overflowed the JS stack there, an internal error that lost the file's sites.
import ts from './tsc.cjs';

/**
 * Every node under `root`, `root` first, in document order (as a recursive `ts.forEachChild`
 * walk visits them). `enter` returning false skips the node's children.
 */
export function forEachDescendant(root: ts.Node, enter: (n: ts.Node) => boolean | void): void {
  const stack: ts.Node[] = [root];
  // The callback must return nothing: a truthy value stops forEachChild.
  const push = (c: ts.Node): void => {
    stack.push(c);
  };
  while (stack.length) {
    const n = stack.pop()!;
    if (enter(n) === false) continue;
    const at = stack.length;
    ts.forEachChild(n, push);
    reverseFrom(stack, at);
  }
}

/** Reverses `list[at..]` in place: children pushed in order must come off a stack in order. */
export function reverseFrom<T>(list: T[], at: number): void {
  for (let i = at, j = list.length - 1; i < j; i++, j--) {
    const t = list[i]!;
    list[i] = list[j]!;
    list[j] = t;
  }
}

/**
 * Sets every node's `parent`, as `createSourceFile(…, setParentNodes: true)` does (JSDoc nodes
 * included), with one stack and one callback. The compiler's own walk (`forEachChildRecursively`
 * with a work queue) took 560–720 ms for 1,500 generated TS files, this one 220–300 ms; it was
 * ~9 % of a TS/JS-only run's analysis thread (CPU profile). test/ts-parse.test.ts compares the
 * two on every node of the fixtures.
 */
export function setParents(root: ts.Node): void {
  const stack: ts.Node[] = [root];
  let parent: ts.Node = root;
  const visit = (c: ts.Node): void => {
    (c as { parent: ts.Node }).parent = parent;
    stack.push(c);
    const docs = (c as { jsDoc?: ts.Node[] }).jsDoc;
    if (docs) {
      for (const d of docs) {
        (d as { parent: ts.Node }).parent = c;
        stack.push(d);
      }
    }
  };
  while (stack.length) {
    parent = stack.pop()!;
    ts.forEachChild(parent, visit);
  }
}
