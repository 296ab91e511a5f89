// Every rule has its doc page (rules/<id>.md) whose first paragraph is the rule's
// meta.description, and every doc page belongs to a rule (typescript-eslint's pairing test).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../src/rules/index.js';
import { docsUrl } from '../src/rules/rule.js';

const RULES_DIR = join(import.meta.dirname, '..', 'rules');
const EXPECTED_RULES = ['require-keepalive', 'tls-keepalive-ignored', 'explain-suppression', 'unused-suppression'];

describe('rule docs', () => {
  it('registers exactly the documented rules', () => {
    expect(RULES.map((r) => r.id).sort()).toEqual([...EXPECTED_RULES].sort());
    const docs = readdirSync(RULES_DIR).filter((f) => f.endsWith('.md')).map((f) => f.replace(/\.md$/, ''));
    expect(docs.sort()).toEqual([...EXPECTED_RULES].sort());
  });

  for (const rule of RULES) {
    it(`${rule.id}: doc exists, title and description match meta, URL points at it`, () => {
      const path = join(RULES_DIR, `${rule.id}.md`);
      expect(existsSync(path)).toBe(true);
      const [title, , description] = readFileSync(path, 'utf8').split('\n');
      expect(title).toBe(`# ${rule.id}`);
      expect(description).toBe(rule.meta.description);
      expect(docsUrl(rule.id)).toMatch(new RegExp(`/rules/${rule.id}\\.md$`));
      const md = readFileSync(path, 'utf8');
      if (rule.meta.langs.length) expect(md).toMatch(/## Incorrect[\s\S]*## Correct/);
    });
  }
});
