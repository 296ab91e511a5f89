// Every C fixture: the findings and the classification of every site, exactly as expected.
import { describe, expect, it } from 'vitest';
import { actualFindings, actualSites, auditCase, byFileLine, loadCases } from './lib/fixtures.js';

const cases = loadCases('c');

describe('C fixtures', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  for (const c of cases) {
    it(`${c.name}: ${c.description}`, async () => {
      const r = await auditCase(c);
      expect(r.errors.filter((e) => (e.severity ?? 'error') === 'error')).toEqual([]);
      expect(actualFindings(r)).toEqual([...c.findings].sort(byFileLine));
      const sites = actualSites(r);
      const expected = [...c.sites].sort(byFileLine).map((s) => ({ loopback: false, ...s }));
      expect(sites).toEqual(expected);
    });
  }
});
