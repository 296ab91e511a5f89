// TS/JS files are parsed without the compiler's setParentNodes, and their parents set by
// setParents (walk.ts), which is faster: every node must get the parent the compiler gives it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import ts from '../src/lang/ts/tsc.cjs';
import { scriptKindOf, TsFile } from '../src/lang/ts/parse.js';
import { setParents } from '../src/lang/ts/walk.js';
import { FIXTURES, inputFiles } from './lib/fixtures.js';

const WITH_JSDOC = `/**
 * @param {net.Socket} s the socket
 * @returns {void}
 */
function tune(s) { s.setKeepAlive(true, 1000); }
/** @type {import('net').Server} */
const server = require('net').createServer((c) => tune(c));
`;

/** Every node (JSDoc included), in one order, and for each the index of its parent (-1: none). */
function parentIndexes(sf: ts.SourceFile): { count: number; docs: number; parents: number[] } {
  const nodes: ts.Node[] = [];
  let docs = 0;
  const stack: ts.Node[] = [sf];
  while (stack.length) {
    const n = stack.pop()!;
    nodes.push(n);
    ts.forEachChild(n, (c) => {
      stack.push(c);
    });
    for (const d of (n as { jsDoc?: ts.Node[] }).jsDoc ?? []) {
      docs++;
      stack.push(d);
    }
  }
  const at = new Map(nodes.map((n, i) => [n, i]));
  return { count: nodes.length, docs, parents: nodes.map((n) => (n.parent ? (at.get(n.parent) ?? -2) : -1)) };
}

describe('TS/JS parents', () => {
  it('are those setParentNodes gives, on every node of the fixtures, with and without JSDoc', () => {
    const root = join(FIXTURES, 'ts');
    const files: Array<[string, string]> = inputFiles(root)
      .filter((f) => /\.(ts|tsx|js|jsx|mjs|cjs)$/.test(f))
      .map((f) => [f, readFileSync(join(root, f), 'utf8')]);
    files.push(['jsdoc.js', WITH_JSDOC]);
    let nodes = 0;
    let docs = 0;
    for (const mode of [ts.JSDocParsingMode.ParseNone, ts.JSDocParsingMode.ParseAll]) {
      const options = { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: mode };
      for (const [file, text] of files) {
        const want = parentIndexes(ts.createSourceFile(file, text, options, true, scriptKindOf(file)));
        const sf = ts.createSourceFile(file, text, options, false, scriptKindOf(file));
        setParents(sf);
        const got = parentIndexes(sf);
        expect(got.count, file).toBe(want.count);
        expect(got.parents, file).toEqual(want.parents);
        nodes += got.count;
        docs += got.docs;
      }
    }
    expect(nodes).toBeGreaterThan(5_000);
    // The JSDoc branch was taken: WITH_JSDOC has two JSDoc comments, parsed in the second mode.
    expect(docs).toBeGreaterThanOrEqual(2);
  });

  it('are set on a TsFile, which parses without setParentNodes', () => {
    const f = new TsFile('a.js', WITH_JSDOC);
    const { parents } = parentIndexes(f.sf);
    expect(parents[0]).toBe(-1);
    expect(parents.slice(1).every((p) => p >= 0)).toBe(true);
  });
});
