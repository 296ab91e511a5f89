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
