// Sites: calls that make a socket or server through net/tls. A call through an alias that names
// the API somewhere else (`const connectFn = secure ? tls.connect : net.connect`) is a site at
// that naming, with the calls through the alias as the places the socket is made.
import ts from './tsc.cjs';
import { netValues, SITE_MEMBERS, type Mod, type SiteKind } from './imports.js';
import type { TsFile } from './parse.js';
import { skipParens } from './scope.js';
import { forEachDescendant } from './walk.js';

export type SocketCall = ts.CallExpression | ts.NewExpression;

export interface RawSite {
  api: string;
  mod: Mod;
  member: string;
  kind: SiteKind;
  /** The node the site is reported at. */
  anchor: ts.Node;
  /** The calls that make the socket. */
  calls: SocketCall[];
  /** Set when the API is reached through an alias (the alias call differs from the anchor). */
  alias: boolean;
}

export function findSites(file: TsFile): RawSite[] {
  const byKey = new Map<string, RawSite>();
  forEachDescendant(file.sf, (n) => {
    if ((ts.isCallExpression(n) || ts.isNewExpression(n)) && mayBeSiteCallee(n.expression)) {
      for (const v of netValues(file, n.expression)) {
        if (v.kind !== 'member') continue;
        const info = SITE_MEMBERS[v.mod][v.member]!;
        // Constructors called without `new` still construct (net.Socket() returns new Socket()).
        if (ts.isNewExpression(n) && info.kind === 'connect') continue;
        const callee = skipParens(n.expression);
        const anchor: ts.Node = v.via && v.via !== callee ? v.via : n;
        const key = `${anchor.pos}:${anchor.end}:${info.api}`;
        const site: RawSite = byKey.get(key) ?? { api: info.api, mod: v.mod, member: v.member, kind: info.kind, anchor, calls: [], alias: anchor !== n };
        if (!site.calls.includes(n)) site.calls.push(n);
        byKey.set(key, site);
      }
    }
  });
  return [...byKey.values()].sort((a, b) => a.anchor.getStart(file.sf) - b.anchor.getStart(file.sf) || (a.api < b.api ? -1 : 1));
}

/** Cheap syntactic filter before resolving values: calls of identifiers, members or `(…)`. */
function mayBeSiteCallee(e: ts.Expression): boolean {
  const c = skipParens(e);
  if (ts.isIdentifier(c)) return true;
  if (ts.isPropertyAccessExpression(c)) return c.name.text in MEMBER_NAMES;
  if (ts.isElementAccessExpression(c)) return true;
  return ts.isConditionalExpression(c) || ts.isBinaryExpression(c) || ts.isCallExpression(c);
}

const MEMBER_NAMES: Record<string, true> = Object.fromEntries(
  Object.values(SITE_MEMBERS).flatMap((m) => Object.keys(m).map((k) => [k, true] as const)),
);
