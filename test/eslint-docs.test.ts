// Every ESLint plugin rule has its doc page (typescript-eslint's pairing test): rules/<id>.md
// exists, its description line is meta.docs.description, meta.docs.url points at that page in
// the repository, and the page's TS/JS examples behave as documented under ESLint.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Linter } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import { describe, expect, it } from 'vitest';
import plugin from '../src/eslint/index.js';
import { RULES } from '../src/rules/index.js';

const ROOT = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { repository: { url: string } };
const REPO = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');

/** The ```ts / ```js blocks of one `## <heading>` section of a doc page. */
function examples(md: string, heading: string): string[] {
  const section = md.split(/^## /m).find((s) => s.startsWith(`${heading}\n`)) ?? '';
  return [...section.matchAll(/```(?:ts|js)\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe('ESLint plugin rule docs', () => {
  const ids = Object.keys(plugin.rules);

  it('has a rule for every engine rule that checks TS/JS sites, and no other', () => {
    expect(ids.sort()).toEqual(RULES.filter((r) => r.meta.langs.includes('ts')).map((r) => r.id).sort());
  });

  for (const [id, rule] of Object.entries(plugin.rules)) {
    describe(id, () => {
      const path = join(ROOT, 'rules', `${id}.md`);
      const docs = rule.meta!.docs!;

      it('has rules/<id>.md whose description line is meta.docs.description', () => {
        expect(existsSync(path)).toBe(true);
        const [title, , description] = readFileSync(path, 'utf8').split('\n');
        expect(title).toBe(`# ${id}`);
        expect(description).toBe(docs.description);
        expect(docs.description).toBe(RULES.find((r) => r.id === id)!.meta.description);
      });

      it('has meta.docs.url pointing at that page in the repository', () => {
        expect(docs.url).toBe(`${REPO}/blob/main/rules/${id}.md`);
        expect(existsSync(join(ROOT, new URL(docs.url!).pathname.replace(/^.*?\/blob\/main\//, '')))).toBe(true);
      });

      it('has TS/JS incorrect examples the rule reports and correct examples it does not', () => {
        const md = readFileSync(path, 'utf8');
        const bad = examples(md, 'Incorrect');
        const good = examples(md, 'Correct');
        expect(bad.length).toBeGreaterThan(0);
        expect(good.length).toBeGreaterThan(0);
        const lint = (code: string) =>
          new Linter({ cwd: ROOT })
            .verify(code, [{ files: ['**/*.ts'], languageOptions: { parser: tsParser }, plugins: { 'ka-audit': plugin }, rules: { [`ka-audit/${id}`]: ['error', { project: false }] } }], join(ROOT, 'example.ts'))
            .map((m) => m.ruleId);
        for (const code of bad) expect(lint(code), code).toContain(`ka-audit/${id}`);
        for (const code of good) expect(lint(code), code).toEqual([]);
      });
    });
  }
});
