// Pass 0: a cheap text scan of every C file (no parsing). It finds the names other files must
// know (macros that alias socket()/accept(), keepalive and close macros, socket constants) and
// which function names each file mentions, so the project can parse files only on demand.
import { copyString, detachStrings } from '../../engine/strings.js';
import { socketAliasOf, type SocketAlias } from './sites.js';

export interface CScan {
  socketAliases: Record<string, SocketAlias>;
  /** `#define KA(fd) setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, …)` → the argument holding the fd. */
  keepaliveMacros: Record<string, number>;
  closeMacros: string[];
  /** `#define fdio_close_socket(fd) fdevent_socket_close(fd)`: a macro that is one call of another function. */
  callAliases: Record<string, { callee: string; argMap: number[] }>;
  /** Object-like #defines whose value names socket constants (`#define LISTEN_TYPE SOCK_STREAM`). */
  defines: Record<string, string>;
  /** Identifiers followed by `(`: functions this file defines or calls. Emptied (moved into the project's NameIndex) when a CProject is built from the scan. */
  names: string[];
  /** Functions this file defines (a name, its parameter list, then `{`). Emptied like `names`. */
  defs: string[];
  /** Could hold a socket()/accept() call (before project-wide aliases are known). */
  sites: boolean;
  /** Sets SO_KEEPALIVE somewhere. */
  keepalive: boolean;
  /** Hands a descriptor field to an option/socket helper (`set_sockopts(c->fd, …)`): a field fact. */
  fieldToHelper: boolean;
}

const DEFINE = /^[ \t]*#[ \t]*define[ \t]+(\w+)(\(([^)]*)\))?[ \t]*((?:[^\n\\]|\\\n|\\.)*)$/gm;
const SOCKETISH = /\b(AF_|PF_|SOCK_|IPPROTO_|SOL_|SO_)\w+/;
const CALLED = /\b([A-Za-z_]\w*)\s*\(/g;
// Anchored on the literal (`opt`, `alive`) rather than `\b\w*`: the latter retries at every word.
const FIELD_TO_HELPER = /(?:opt|[Aa]live)\w*\s*\([^;()]*(?:->|\.)\s*\w*(?:fd|sock|socket)\s*[,)]/;
const KEYWORDS = new Set(['if', 'while', 'for', 'switch', 'return', 'sizeof', 'defined', 'do', 'else', 'case', '__attribute__', 'typeof', '__typeof__', 'alignof', '_Alignof', 'offsetof']);

export function scanC(text: string): CScan {
  const scan: CScan = { socketAliases: {}, keepaliveMacros: {}, closeMacros: [], callAliases: {}, defines: {}, names: [], defs: [], sites: false, keepalive: false, fieldToHelper: false };
  if (text.includes('define')) {
    for (const m of text.matchAll(DEFINE)) {
      const name = copyString(m[1]!);
      const params = m[2] ? m[3]!.split(',').map((s) => copyString(s.trim())).filter(Boolean) : null;
      const body = copyString(m[4]!.replace(/\\\n/g, ' ').replace(/\/\*.*?\*\/|\/\/.*$/g, '').trim());
      const alias = socketAliasOf(params, body);
      if (alias) {
        scan.socketAliases[name] = alias;
        continue;
      }
      if (params) {
        const ka = /setsockopt\s*\(\s*\(?\s*(\w+)\s*\)?\s*,\s*SOL_SOCKET\s*,\s*SO_KEEPALIVE\b/.exec(body);
        const idx = ka ? params.indexOf(ka[1]!) : -1;
        if (idx >= 0) scan.keepaliveMacros[name] = idx;
        if (/^\(?\s*(close|closesocket)\s*\(\s*\(?\s*\w+\s*\)?\s*\)\s*\)?$/.test(body)) scan.closeMacros.push(name);
        const call = /^\(?\s*([A-Za-z_]\w*)\s*\(([^()]*)\)\s*\)?$/.exec(body);
        if (call && call[1] !== name) {
          const argMap = call[2]!.split(',').map((a) => params.indexOf(a.trim().replace(/^\((.*)\)$/, '$1')));
          if (argMap.some((i) => i >= 0)) scan.callAliases[name] = { callee: call[1]!, argMap };
        }
      } else {
        if (/^\(?\s*(close|closesocket)\s*\)?$/.test(body)) scan.closeMacros.push(name);
        else if (SOCKETISH.test(body) && body.length < 200) scan.defines[name] = body;
      }
    }
  }
  const names = new Set<string>();
  const defs = new Set<string>();
  for (const m of text.matchAll(CALLED)) {
    const n = m[1]!;
    if (KEYWORDS.has(n)) continue;
    names.add(n);
    if (!defs.has(n) && isDefinition(text, m.index!, m.index! + m[0].length)) defs.add(n);
  }
  scan.names = detachStrings([...names]);
  scan.defs = detachStrings([...defs]);
  scan.sites = names.has('socket') || names.has('accept') || names.has('accept4');
  scan.keepalive = /\bSO_KEEPALIVE\b/.test(text);
  scan.fieldToHelper = FIELD_TO_HELPER.test(text);
  return scan;
}

/**
 * Whether `name(` at `at` starts a function definition: the name is not used in an expression
 * (nothing like `=`, `(`, `,`, `return` before it on its line) and its balanced parameter list is
 * followed by `{`.
 */
function isDefinition(text: string, at: number, open: number): boolean {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const before = text.slice(lineStart, at);
  if (/[=(,!&|?:+\-<>\[]|\breturn\b|\belse\b|^\s*#/.test(before)) return false;
  if (before.trim() === '' && /^[ \t]/.test(text.slice(lineStart, lineStart + 1)) && lineStart !== at) return false;
  let depth = 1;
  let i = open;
  const limit = Math.min(text.length, open + 4000);
  for (; i < limit && depth > 0; i++) {
    const c = text.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41) depth--;
  }
  if (depth !== 0) return false;
  // Skip whitespace, comments and trailing attributes/macros before the body.
  const rest = text.slice(i, i + 400).replace(/^(\s|\/\*[\s\S]*?\*\/|\/\/[^\n]*)+/, '');
  return rest.startsWith('{');
}
