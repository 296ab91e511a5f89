// C fixes: the missing keepalive code, inserted right after the check of the socket's creation
// (or after the creating statement), in the file's own layout and error-handling style. A fix is
// a list of text edits; nothing here touches the file system.
import type { BackendOptions } from '../../engine/backend.js';
import type { Fix, KeepaliveValues, TextEdit } from '../../engine/types.js';
import { child, namedChildren, textOf } from './ast.js';
import type { CSite } from './analyze.js';
import type { CFileModel } from './model.js';
import type { CNode } from './parse.js';
import type { CProject, KeepaliveHelper } from './project.js';
import { closeFunctionOf, errorStyleOf, inferLayout, lineIndent, type ErrorStyle, type Layout } from './style.js';

const REPORTABLE_ROLES = new Set(['client', 'accepted', 'unknown']);

export function planFixes(model: CFileModel, sites: CSite[], project: CProject, opts: BackendOptions): void {
  let layout: Layout | undefined;
  for (const site of sites) {
    if (site.keepalive !== 'none' || site.loopback || site.tcp === 'no' || !REPORTABLE_ROLES.has(site.role)) continue;
    layout ??= inferLayout(model.src, layoutSamples(model, sites));
    const planned = planSite(site, project, layout, opts.keepalive);
    if ('reason' in planned) {
      site.fix = null;
      site.noFixReason = planned.reason;
    } else site.fix = planned;
  }
}

/** The functions being fixed (already mirrored): where C89-ness and, failing the text, brace style are read. */
function layoutSamples(_model: CFileModel, sites: CSite[]): CNode[] {
  return [...new Set(sites.map((s) => enclosingFn(s.raw.call)).filter((f): f is CNode => !!f))];
}

interface Anchor {
  /** Offset where the inserted lines go (start of a line). */
  at: number;
  /** Indentation of the statements in that block. */
  indent: string;
  /** The `if` that checks the creation, when there is one. */
  check?: CNode;
  /** Where the check's failure branch is (consequence normally; alternative for `if ((fd = …) >= 0)`). */
  failureInAlternative?: boolean;
  /** Extra text before the inserted lines (a newline when the anchor is the end of the file). */
  prefix: string;
  /** The check `if` itself as the last line before the insertion (for the description). */
  afterLine: number;
}

function planSite(site: CSite, project: CProject, layout: Layout, values: KeepaliveValues): Fix | { reason: string } {
  // A server whose listener is visible here: one fix on the listener covers every accepted socket.
  let target = site;
  let onListener = false;
  if (site.role === 'accepted' && site.listener && site.listener.role === 'listener' && site.listener.model === site.model) {
    target = site.listener;
    onListener = true;
  }
  const { model, raw } = target;
  if (site.effects.disabled) {
    const d = site.effects.disabled;
    return { reason: `keepalive is switched off explicitly at ${d.file === model.file ? 'line ' : `${d.file}:`}${d.line}; if that is not deliberate, change it there` };
  }
  if (inMacro(raw.call)) return { reason: 'the socket call is inside a macro definition' };
  if (!raw.target.key || !raw.target.node) {
    return { reason: raw.target.kind === 'return' ? 'the socket is returned straight from the call; no variable to configure' : 'the socket is not stored in a variable' };
  }
  const fd = textOf(model.src, raw.target.node).replace(/^\s*\*?\s*(?=[A-Za-z_(])/, (m) => (m.includes('*') && raw.target.kind === 'declaration' ? '' : m)).trim();
  const fdExpr = raw.target.kind === 'declaration' ? raw.target.key : fd;
  const anchor = anchorFor(model, raw.call, raw.target.kind, raw.target.key, layout);
  if ('reason' in anchor) return anchor;
  // A file parsed per #if configuration: safe only when no directive lies between the socket
  // call and the insertion point, so the edit cannot straddle configurations.
  if (model.parseNote) {
    const from = model.src.lastIndexOf('\n', raw.call.start) + 1;
    if (/^[ \t]*#[ \t]*(if|ifdef|ifndef|elif|else|endif)\b/m.test(model.src.slice(from, anchor.at))) {
      return { reason: 'an #if/#else/#endif sits between the socket call and the place for the fix' };
    }
  }
  const fnNode = enclosingFn(raw.call);
  if (!fnNode) return { reason: 'not inside a function' };
  const style = errorStyleOf(model.src, anchor.check, fnNode, raw.target.key);
  const closeFn = closeFunctionOf(model.src, fnNode);
  const helper = usableHelper(project, model, raw.call.start);
  const lines = helper
    ? helperLines(helper, fdExpr, style, closeFn, layout)
    : blockLines(fdExpr, style, closeFn, layout, values, localNames(model, fnNode));
  const eol = layout.eol;
  const text = anchor.prefix + lines.map((l) => (l.startsWith('#') || l === '' ? l : anchor.indent + l)).join(eol) + eol;
  const edits: TextEdit[] = [{ start: anchor.at, end: anchor.at, text }];
  if (!helper) {
    // IPPROTO_TCP comes from <netinet/in.h>, the TCP_KEEP* options from <netinet/tcp.h>.
    for (const [header, present] of [
      ['<netinet/in.h>', /netinet\/in\.h|arpa\/inet\.h|netdb\.h/],
      ['<netinet/tcp.h>', /netinet\/tcp\.h/],
    ] as const) {
      const inc = includeEdit(model, header, present, eol);
      if (inc) edits.push(inc);
    }
  }
  if (needsClose(style) && closeFn === 'close' && !callsCloseOutside(model, lines.join('\n')) && !srcMatches(model, /unistd\.h/)) {
    const inc = includeEdit(model, '<unistd.h>', /unistd\.h/, eol);
    if (inc) edits.push(inc);
  }
  const what = helper ? `call ${helper.name}()` : `set SO_KEEPALIVE, TCP_KEEPIDLE ${values.idle}s, TCP_KEEPINTVL ${values.interval}s, TCP_KEEPCNT ${values.count}`;
  const where = onListener
    ? `on the listener '${fdExpr}' (line ${target.span.line}): sockets accepted from it inherit keepalive on Linux and the BSDs`
    : `on '${fdExpr}' after line ${anchor.afterLine}`;
  return { safe: true, description: `${what} ${where} (${styleName(style)} error handling)`, edits };
}

function styleName(s: ErrorStyle): string {
  return s.kind === 'none' ? 'unchecked, as the code around it' : s.kind === 'log' ? `${s.log?.callee ?? 'perror'}()` : s.kind === 'return' ? `return ${s.returnValue ?? ''}`.trim() : s.kind === 'goto' ? `goto ${s.gotoLabel}` : s.kind;
}

function needsClose(s: ErrorStyle): boolean {
  return s.kind === 'return' || s.kind === 'continue' || s.kind === 'break' || (s.kind === 'goto' && !s.labelCloses) || (s.kind === 'exit' && !!s.exitCall);
}

/** Where to insert: after the check of the creation, in the same block; C89 files after the declarations. */
/**
 * Per creating call: where its fix goes, by kind and key. Every accepted socket of a listener
 * plans the listener's fix again (one fix there covers them all), and finding the place reads
 * the statements after the listener's: 1,000 accept()s in one loop spent 0.8 of 3.1 s here
 * (CPU profile).
 */
const anchors = new WeakMap<CNode, Map<string, { layout: Layout; anchor: Anchor | { reason: string } }>>();

function anchorFor(model: CFileModel, call: CNode, kind: string, key: string, layout: Layout): Anchor | { reason: string } {
  let byTarget = anchors.get(call);
  if (!byTarget) anchors.set(call, (byTarget = new Map()));
  const known = byTarget.get(`${kind}\0${key}`);
  if (known && known.layout === layout) return known.anchor;
  const anchor = findAnchor(model, call, kind, key, layout);
  byTarget.set(`${kind}\0${key}`, { layout, anchor });
  return anchor;
}

function findAnchor(model: CFileModel, call: CNode, kind: string, key: string, layout: Layout): Anchor | { reason: string } {
  const src = model.src;
  let stmt: CNode | undefined;
  for (let n: CNode | null = call; n && n.parent; n = n.parent) {
    if (n.parent.type === 'compound_statement') {
      stmt = n;
      break;
    }
    if (n.parent.type === 'translation_unit' || n.parent.type.startsWith('preproc_') || n.parent.type === 'case_statement') {
      stmt = n.parent.type === 'translation_unit' ? undefined : n;
      break;
    }
  }
  if (!stmt) return { reason: 'no block around the socket call to insert into' };
  const block = stmt.parent!;
  if (!enclosingFn(block)) return { reason: 'not inside a function body' };

  // `if ((fd = socket(...)) < 0) …`, `while ((c = accept(...)) >= 0) { … }`.
  if (kind === 'condition') {
    if (stmt.type === 'if_statement') {
      const cond = child(stmt, 'condition');
      if (cond && isPositiveCheck(textOf(src, cond))) {
        const body = child(stmt, 'consequence');
        if (!body || body.type !== 'compound_statement') return { reason: 'the success branch of the check is not a block' };
        return insideBlock(src, body, layout, stmt);
      }
      return afterStatement(model, stmt, stmt, layout);
    }
    if (stmt.type === 'while_statement' || stmt.type === 'for_statement') {
      const body = child(stmt, 'body');
      if (!body || body.type !== 'compound_statement') return { reason: 'the loop body is not a block' };
      return insideBlock(src, body, layout);
    }
    return { reason: 'the socket call sits inside another expression' };
  }
  if (kind !== 'declaration' && kind !== 'assignment') return { reason: 'the socket call sits inside another expression' };
  // A check of it follows (`if (fd < 0) …`), possibly after more declarations or a log line.
  const { siblings, at } = statementsOf(block);
  let ni = at.get(stmt)! + 1;
  const limit = ni + 3;
  while (ni < limit && siblings[ni] && siblings[ni]!.type !== 'if_statement' && !assigns(src, siblings[ni]!, key)) ni++;
  if (siblings[ni]?.type !== 'if_statement' || !mentions(src, child(siblings[ni]!, 'condition'), key)) ni = at.get(stmt)! + 1;
  while (siblings[ni]?.type === 'declaration' && !mentions(src, siblings[ni], key)) ni++;
  const next = siblings[ni];
  if (next && next.type === 'if_statement' && mentions(src, child(next, 'condition'), key)) {
    const cond = child(next, 'condition')!;
    if (isPositiveCheck(textOf(src, cond))) {
      const body = child(next, 'consequence');
      if (body && body.type === 'compound_statement') return insideBlock(src, body, layout, next);
    }
    return afterStatement(model, next, next, layout);
  }
  return afterStatement(model, stmt, undefined, layout);
}

/** Per block: its statements (comments left out) and where each one is among them. */
const blockStatements = new WeakMap<CNode, { siblings: CNode[]; at: Map<CNode, number> }>();

/** Computed once per block: a fix per site listed them again (a function of 3,000 sites spent 1.5 s of 47 s in anchorFor, CPU profile). */
function statementsOf(block: CNode): { siblings: CNode[]; at: Map<CNode, number> } {
  let found = blockStatements.get(block);
  if (!found) {
    const siblings = namedChildren(block).filter((c) => c.type !== 'comment');
    found = { siblings, at: new Map(siblings.map((c, i) => [c, i])) };
    blockStatements.set(block, found);
  }
  return found;
}

/** `>= 0`, `!= -1`, `> 0`: the branch is the success path. */
function isPositiveCheck(cond: string): boolean {
  return /(>=\s*0|>\s*-1|!=\s*-1|>\s*0|!=\s*[A-Z_]*(INVALID|BAD|ERR)[A-Z_]*)/.test(cond) && !/(<\s*0|==\s*-1|==\s*[A-Z_]*(INVALID|BAD|ERR))/.test(cond);
}

function afterStatement(model: CFileModel, stmt: CNode, check: CNode | undefined, layout: Layout): Anchor {
  const src = model.src;
  let last = stmt;
  if (layout.c89) {
    // C89: a statement may not precede declarations; go past the declarations that follow.
    const { siblings, at } = statementsOf(stmt.parent!);
    for (let i = at.get(stmt)! + 1; i < siblings.length && siblings[i]!.type === 'declaration'; i++) last = siblings[i]!;
  }
  const nl = src.indexOf('\n', last.end);
  const at = nl === -1 ? src.length : nl + 1;
  return { at, indent: lineIndent(src, stmt.start), ...(check ? { check } : {}), prefix: nl === -1 ? layout.eol : '', afterLine: last.endRow + 1 };
}

function insideBlock(src: string, body: CNode, layout: Layout, check?: CNode): Anchor {
  const nl = src.indexOf('\n', body.start);
  const first = namedChildren(body).find((c) => c.type !== 'comment');
  const indent = first ? lineIndent(src, first.start) : lineIndent(src, body.start) + layout.unit;
  const anchor: Anchor = { at: nl + 1, indent, prefix: '', afterLine: body.startRow + 1 };
  if (check) {
    anchor.check = check;
    anchor.failureInAlternative = true;
  }
  return anchor;
}

/** Whether a statement assigns the socket's variable (then a later check is about another value). */
function assigns(src: string, n: CNode, key: string): boolean {
  const esc = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\w>.])${esc}\\s*=[^=]`).test(textOf(src, n).replace(/\s+/g, ''));
}

function mentions(src: string, n: CNode | undefined, key: string): boolean {
  if (!n) return false;
  return textOf(src, n).replace(/\s+/g, '').includes(key);
}

function inMacro(n: CNode): boolean {
  for (let p = n.parent; p; p = p.parent) if (p.type === 'preproc_def' || p.type === 'preproc_function_def') return true;
  return false;
}

function enclosingFn(n: CNode): CNode | undefined {
  for (let p: CNode | null = n; p; p = p.parent) if (p.type === 'function_definition') return p;
  return undefined;
}

const localNameSets = new WeakMap<CNode, Set<string>>();

function localNames(model: CFileModel, fn: CNode): Set<string> {
  let names = localNameSets.get(fn);
  if (!names) localNameSets.set(fn, (names = new Set(model.fnScope(fn).locals.keys())));
  return names;
}

/** `name(args)`, or `name (args)` in files written that way. */
function call(layout: Layout, name: string, args: string): string {
  return `${name}${layout.callSpace ? ' ' : ''}(${args})`;
}

/** The failure path, in the neighbour's words. */
function failureLines(style: ErrorStyle, fd: string, closeFn: string, layout: Layout, what: string): string[] {
  const out: string[] = [];
  if (style.perror) out.push(`${call(layout, 'perror', `"${what}"`)};`);
  if (style.log) {
    const msg = style.log.percentM ? `${what}: %m` : style.log.usesErrno ? `${what}: %s` : what;
    const args = [...style.log.leadingArgs, `"${msg}"`, ...(style.log.usesErrno && !style.log.percentM ? [call(layout, 'strerror', 'errno')] : [])];
    out.push(`${call(layout, style.log.callee, args.join(', '))};`);
  }
  const close = () => {
    out.push(`${call(layout, closeFn, fd)};`);
    if (style.resetsTo) out.push(`${fd} = ${style.resetsTo};`);
    out.push(...(style.cleanup ?? []));
  };
  switch (style.kind) {
    case 'exit':
      if (style.exitCall) {
        out.push(`${call(layout, closeFn, fd)};`);
        out.push(`${style.exitCall};`);
      }
      break;
    case 'return': {
      close();
      const v = style.returnValue && keyOf2(style.returnValue) !== keyOf2(fd) ? style.returnValue : style.returnValue ? '-1' : undefined;
      out.push(v ? `return ${v};` : 'return;');
      break;
    }
    case 'goto':
      if (!style.labelCloses) close();
      out.push(`goto ${style.gotoLabel};`);
      break;
    case 'continue':
      close();
      out.push('continue;');
      break;
    case 'break':
      close();
      out.push('break;');
      break;
    default:
      break;
  }
  return out;
}

function keyOf2(s: string): string {
  return s.replace(/\s+/g, '').replace(/^\((.*)\)$/, '$1');
}

/** `if (cond)` + the failure path, in the file's brace style (no braces where the neighbour has none). */
function guarded(cond: string, body: string[], layout: Layout, braceless = false): string[] {
  const kw = layout.ifSpace ? 'if (' : 'if(';
  const u = layout.unit;
  if (braceless && body.length === 1) return [`${kw}${cond})`, u + body[0]];
  switch (layout.brace) {
    case 'allman':
      return [`${kw}${cond})`, '{', ...body.map((l) => u + l), '}'];
    case 'gnu':
      // GNU: braces one level in from the `if`, the body one level further.
      return [`${kw}${cond})`, `${u}{`, ...body.map((l) => u + u + l), `${u}}`];
    default:
      return [`${kw}${cond}) {`, ...body.map((l) => u + l), '}'];
  }
}

function blockLines(fd: string, style: ErrorStyle, closeFn: string, layout: Layout, v: KeepaliveValues, taken: Set<string>): string[] {
  const name = (n: string) => (taken.has(n) ? `ka_${n}` : n);
  const on = name('on');
  const idle = name('idle');
  const intvl = name('intvl');
  const cnt = name('cnt');
  const u = layout.unit;
  const so = call(layout, 'setsockopt', `${fd}, SOL_SOCKET, SO_KEEPALIVE, &${on}, ${call(layout, 'sizeof', on)}`);
  const tune = (opt: string, v: string) => `(void)${call(layout, 'setsockopt', `${fd}, IPPROTO_TCP, ${opt}, &${v}, ${call(layout, 'sizeof', v)}`)};`;
  const fail = style.kind === 'none' ? [] : failureLines(style, fd, closeFn, layout, 'setsockopt(SO_KEEPALIVE)');
  const head = fail.length ? guarded(`${so} < 0`, fail, layout, style.braceless) : [`(void)${so};`];
  const body = [
    `int ${on} = 1;`,
    '#if defined(TCP_KEEPIDLE) || defined(TCP_KEEPALIVE)',
    `int ${idle} = ${v.idle};`,
    '#endif',
    '#ifdef TCP_KEEPINTVL',
    `int ${intvl} = ${v.interval};`,
    '#endif',
    '#ifdef TCP_KEEPCNT',
    `int ${cnt} = ${v.count};`,
    '#endif',
    ...head,
    `/* Probe after ${v.idle} s idle, every ${v.interval} s; drop after ${v.count} misses (tuning is best effort). */`,
    '#if defined(TCP_KEEPIDLE)',
    tune('TCP_KEEPIDLE', idle),
    '#elif defined(TCP_KEEPALIVE)',
    tune('TCP_KEEPALIVE', idle),
    '#endif',
    '#ifdef TCP_KEEPINTVL',
    tune('TCP_KEEPINTVL', intvl),
    '#endif',
    '#ifdef TCP_KEEPCNT',
    tune('TCP_KEEPCNT', cnt),
    '#endif',
  ];
  return ['{', ...body.map((l) => (l.startsWith('#') ? l : u + l)), '}'];
}

function helperLines(h: KeepaliveHelper, fd: string, style: ErrorStyle, closeFn: string, layout: Layout): string[] {
  const args: string[] = [];
  for (let i = 0; i < h.arity; i++) args.push(i === h.fdIndex ? fd : i === h.enableIndex ? '1' : '0');
  const invoke = call(layout, h.name, args.join(', '));
  if (h.returnsVoid) return [`${invoke};`];
  const fail = style.kind === 'none' || !h.negativeOnError ? [] : failureLines(style, fd, closeFn, layout, h.name);
  return fail.length ? guarded(`${invoke} < 0`, fail, layout, style.braceless) : [`(void)${invoke};`];
}

/** A project helper that turns keepalive on, callable from this file at this point. */
function usableHelper(project: CProject, model: CFileModel, before: number): KeepaliveHelper | undefined {
  // Declared here already when the file calls it anywhere (through a header); a static one only
  // from its own file, above the call.
  return project.keepaliveHelpers().find((h) => (h.file === model.file ? h.definedAt < before : !h.isStatic && new RegExp(`\\b${h.name}\\s*\\(`).test(model.src)));
}

/** `#include <x>` after the file's last top-level #include, unless it is already there. */
/** Whether a file's text matches `re`, asked once per file and pattern: every site asked it again (18 s for 6,000 sites in one file). */
const srcFacts = new WeakMap<CFileModel, Map<string, boolean>>();

function srcMatches(model: CFileModel, re: RegExp): boolean {
  let facts = srcFacts.get(model);
  if (!facts) srcFacts.set(model, (facts = new Map()));
  let hit = facts.get(re.source);
  if (hit === undefined) facts.set(re.source, (hit = re.test(model.src)));
  return hit;
}

/** Whether the file calls close() other than in `block` (the lines a fix inserts, if already there). */
function callsCloseOutside(model: CFileModel, block: string): boolean {
  const CLOSE_CALL = /\bclose\s*\(/;
  return model.src.includes(block) ? CLOSE_CALL.test(model.src.replace(block, '')) : srcMatches(model, CLOSE_CALL);
}

/** A file's last top-level #include, found once per file (null: none). */
const lastIncludes = new WeakMap<CFileModel, CNode | null>();

function includeEdit(model: CFileModel, header: string, present: RegExp, eol: string): TextEdit | undefined {
  if (srcMatches(model, present)) return undefined;
  let last = lastIncludes.get(model);
  if (last === undefined) lastIncludes.set(model, (last = model.root.children.findLast((c) => c.type === 'preproc_include') ?? null));
  if (!last) return { start: 0, end: 0, text: `#include ${header}${eol}` };
  // preproc_include spans its trailing newline.
  const end = model.src[last.end - 1] === '\n' ? last.end : model.src.indexOf('\n', last.end) + 1 || model.src.length;
  return { start: end, end, text: `#include ${header}${eol}` };
}

