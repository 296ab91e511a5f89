// Fixes as text edits on the original text, in the file's own style: keepAlive options added to
// an options object literal already written in the call (one line or several, trailing commas,
// quoted keys), otherwise `setKeepAlive(true, ms)` as a statement after the declaration or chained
// on the call (it returns the socket), and for servers in the options or the connection listener.
import ts from './tsc.cjs';
import type { BackendOptions } from '../../engine/backend.js';
import { dominantEol } from '../../engine/source.js';
import type { Fix, TextEdit } from '../../engine/types.js';
import type { CallAnalysis, TsSite } from './analyze.js';
import { isFunctionLike } from './classify.js';
import { netValues } from './imports.js';
import type { TsFile } from './parse.js';
import { skipParens } from './scope.js';
import { forEachDescendant } from './walk.js';

interface Style {
  eol: string;
  semi: boolean;
  indentUnit: string;
}

type Planned = { fix: Fix } | { reason: string };

export function planFixes(file: TsFile, sites: TsSite[], opts: BackendOptions): void {
  const ms = Math.round(opts.keepalive.idle * 1000);
  let style: Style | undefined;
  for (const s of sites) {
    if (!needsFix(s)) continue;
    style ??= styleOf(file);
    const r = fixSite(file, s, ms, style);
    if ('fix' in r) s.fix = r.fix;
    else {
      s.fix = null;
      s.noFixReason = r.reason;
    }
  }
}

/** A site some rule reports: a TCP socket or server with no keepalive that is not loopback-only. */
function needsFix(s: TsSite): boolean {
  if (s.loopback || s.tcp === 'no') return false;
  if (s.flags?.['keepAliveOptionIgnored']) return true;
  return s.keepalive === 'none' && (s.role === 'client' || s.role === 'unknown' || s.role === 'server' || s.role === 'accepted');
}

function fixSite(file: TsFile, s: TsSite, ms: number, style: Style): Planned {
  const edits: TextEdit[] = [];
  const descriptions: string[] = [];
  let safe = true;
  for (const c of s.calls) {
    if (c.evidence && !c.ignoredOption) continue;
    const r = s.raw.kind === 'server' ? fixServer(file, c, ms, style) : fixSocket(file, s, c, ms, style);
    if ('reason' in r) return r;
    edits.push(...r.fix.edits);
    descriptions.push(r.fix.description);
    safe &&= r.fix.safe;
  }
  if (edits.length === 0) return { reason: 'no call of this site lacks keepalive' };
  return { fix: { safe, description: [...new Set(descriptions)].join('; '), edits } };
}

// ---- sockets --------------------------------------------------------------------------------

function fixSocket(file: TsFile, s: TsSite, c: CallAnalysis, ms: number, style: Style): Planned {
  const call = c.call;
  // setKeepAlive(false) written on purpose: offer to turn it on there, never apply it silently.
  const off = c.facts.disabled.filter((d) => d.file === file.file);
  if (off.length) {
    if (off.length !== c.facts.disabled.length) return { reason: 'keepalive is turned off explicitly in another file' };
    const edits = off.map((d) => ({ start: d.argsStart, end: d.argsEnd, text: `true, ${ms}` }));
    return { fix: { safe: false, description: `keepalive is turned off explicitly (line ${off.map((d) => d.line).join(', ')}): turn it on with setKeepAlive(true, ${ms}) there`, edits } };
  }
  // A call that may be tls.connect (an alias of both) must use setKeepAlive: the option is ignored there.
  const viaTls = s.raw.mod === 'tls' || netValues(file, call.expression).some((v) => v.kind === 'member' && v.mod === 'tls');
  const first = call.arguments?.[0] ? skipParens(call.arguments[0]) : undefined;
  if (s.raw.kind === 'connect' && !viaTls && first && ts.isObjectLiteralExpression(first)) {
    return optionFix(file, first, ms, style, `add keepAlive: true, keepAliveInitialDelay: ${ms} to the ${s.api}() options`);
  }
  return setKeepAliveFix(file, call, ms, s.api);
}

/** `sock.setKeepAlive(true, ms)` after the statement that stores the socket, else chained on the call. */
function setKeepAliveFix(file: TsFile, call: ts.CallExpression | ts.NewExpression, ms: number, api: string): Planned {
  const text = `setKeepAlive(true, ${ms})`;
  const holder = storingStatement(file, call);
  if (holder) {
    const at = lineEndAfter(file, holder.statement.getEnd());
    if (at !== undefined) {
      const indent = indentOf(file, holder.statement.getStart(file.sf));
      const semi = holder.statement.getText(file.sf).endsWith(';') ? ';' : '';
      return {
        fix: {
          safe: true,
          description: `call ${holder.name}.setKeepAlive(true, ${ms}) after it is created by ${api}()`,
          edits: [{ start: at.pos, end: at.pos, text: `${at.eol}${indent}${holder.name}.${text}${semi}` }],
        },
      };
    }
  }
  const needsParens = ts.isNewExpression(call) && !call.arguments;
  return {
    fix: {
      safe: true,
      description: `chain .setKeepAlive(true, ${ms}) on ${api}() (it returns the socket)`,
      edits: [{ start: call.getEnd(), end: call.getEnd(), text: `${needsParens ? '()' : ''}.${text}` }],
    },
  };
}

/** `const s = <call>;` or `x.y = <call>;` as a statement of a block: the statement and the holder. */
function storingStatement(file: TsFile, call: ts.Expression): { statement: ts.Statement; name: string } | undefined {
  let cur: ts.Node = call;
  while (ts.isParenthesizedExpression(cur.parent) || ts.isAsExpression(cur.parent) || ts.isNonNullExpression(cur.parent) || ts.isSatisfiesExpression(cur.parent)) cur = cur.parent;
  const p = cur.parent;
  if (ts.isVariableDeclaration(p) && p.initializer === cur && ts.isIdentifier(p.name)) {
    const list = p.parent;
    const st = list.parent;
    if (ts.isVariableDeclarationList(list) && list.declarations.length === 1 && ts.isVariableStatement(st) && inStatementList(st)) return { statement: st, name: p.name.text };
    return undefined;
  }
  if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === cur && isSimpleTarget(p.left) && ts.isExpressionStatement(p.parent) && inStatementList(p.parent)) {
    return { statement: p.parent, name: p.left.getText(file.sf) };
  }
  return undefined;
}

function isSimpleTarget(e: ts.Expression): boolean {
  if (ts.isIdentifier(e) || e.kind === ts.SyntaxKind.ThisKeyword) return true;
  return ts.isPropertyAccessExpression(e) && isSimpleTarget(e.expression);
}

function inStatementList(st: ts.Node): boolean {
  const p = st.parent;
  return ts.isBlock(p) || ts.isSourceFile(p) || ts.isModuleBlock(p) || ts.isCaseClause(p) || ts.isDefaultClause(p);
}

/**
 * Where a new line can go after a statement: the end of its last line, when only whitespace or
 * comments follow it there (so nothing that starts on that line is split).
 */
function lineEndAfter(file: TsFile, from: number): { pos: number; eol: string } | undefined {
  const text = file.text;
  let i = from;
  for (;;) {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
    if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
      break;
    }
    if (text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      if (close < 0 || /[\r\n]/.test(text.slice(i, close))) return undefined;
      i = close + 2;
      continue;
    }
    break;
  }
  if (i === text.length) return { pos: i, eol: dominantEol(text) };
  if (text[i] === '\r' && text[i + 1] === '\n') return { pos: i, eol: '\r\n' };
  if (text[i] === '\n') return { pos: i, eol: '\n' };
  return undefined;
}

// ---- servers --------------------------------------------------------------------------------

function fixServer(file: TsFile, c: CallAnalysis, ms: number, style: Style): Planned {
  const call = c.call;
  const args = call.arguments;
  const first = args?.[0] ? skipParens(args[0]) : undefined;
  const desc = `add keepAlive: true, keepAliveInitialDelay: ${ms} to the server options (inherited by every accepted connection)`;
  if (first && ts.isObjectLiteralExpression(first)) return optionFix(file, first, ms, style, desc);
  const literal = `{ keepAlive: true, keepAliveInitialDelay: ${ms} }`;
  if (!args) return { fix: { safe: true, description: desc, edits: [{ start: call.getEnd(), end: call.getEnd(), text: `(${literal})` }] } };
  if (!first) {
    const open = call.getText(file.sf).lastIndexOf('(');
    const at = call.getStart(file.sf) + open + 1;
    return { fix: { safe: true, description: desc, edits: [{ start: at, end: at, text: literal }] } };
  }
  if (isFunctionLike(file, first)) return { fix: { safe: true, description: desc, edits: [{ start: first.getStart(file.sf), end: first.getStart(file.sf), text: `${literal}, ` }] } };
  // Options held in a variable: configure each connection at the top of an inline listener.
  const listener = args.map((a) => skipParens(a)).find((a): a is ts.FunctionExpression | ts.ArrowFunction => (ts.isFunctionExpression(a) || ts.isArrowFunction(a)) && ts.isBlock(a.body));
  const param = listener?.parameters[0];
  if (listener && param && ts.isIdentifier(param.name)) {
    const edit = topOfBody(file, listener.body as ts.Block, `${param.name.text}.setKeepAlive(true, ${ms})`, style);
    if (edit) return { fix: { safe: true, description: `call ${param.name.text}.setKeepAlive(true, ${ms}) on each connection`, edits: [edit] } };
  }
  return { reason: 'the server options are not an object literal in this call and its connection listener is not an inline function: add keepAlive: true to the options' };
}

/** A statement as the first line of a block, in the block's indentation. */
function topOfBody(file: TsFile, body: ts.Block, stmt: string, style: Style): TextEdit | undefined {
  const open = body.getStart(file.sf);
  const firstSt = body.statements[0];
  const semi = firstSt ? (firstSt.getText(file.sf).endsWith(';') ? ';' : '') : style.semi ? ';' : '';
  const sameLine = firstSt ? file.line(firstSt.getStart(file.sf)) === file.line(open) : file.line(body.getEnd()) === file.line(open);
  if (sameLine) {
    // `(s) => { s.end() }`: keep it on one line.
    if (firstSt) return { start: firstSt.getStart(file.sf), end: firstSt.getStart(file.sf), text: `${stmt}${semi || ';'} ` };
    return { start: open + 1, end: open + 1, text: ` ${stmt}${semi} ` };
  }
  const at = lineEndAfter(file, open + 1);
  if (!at) return undefined;
  const indent = firstSt ? indentOf(file, firstSt.getStart(file.sf)) : indentOf(file, open) + style.indentUnit;
  return { start: at.pos, end: at.pos, text: `${at.eol}${indent}${stmt}${semi}` };
}

// ---- options object literals --------------------------------------------------------------

/** Adds keepAlive (and the initial delay) to an object literal, in its own layout. */
function optionFix(file: TsFile, obj: ts.ObjectLiteralExpression, ms: number, style: Style, description: string): Planned {
  const props = obj.properties;
  const named = (k: string) => props.find((p): p is ts.PropertyAssignment | ts.ShorthandPropertyAssignment => (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && propName(p) === k);
  const existing = named('keepAlive');
  if (existing) {
    // keepAlive: false written on purpose: offer to flip it, never apply it silently.
    if (ts.isPropertyAssignment(existing)) {
      const v = existing.initializer;
      return { fix: { safe: false, description: 'keepAlive is explicitly off here: set it to true', edits: [{ start: v.getStart(file.sf), end: v.getEnd(), text: 'true' }] } };
    }
    return { reason: 'keepAlive comes from a variable that is off here' };
  }
  const q = keyQuote(file, props);
  const sep = colonStyle(file, props);
  const entries = [`${q}keepAlive${q}${sep}true`];
  if (!named('keepAliveInitialDelay')) entries.push(`${q}keepAliveInitialDelay${q}${sep}${ms}`);
  // A spread may carry the caller's own keepAlive: false, which ours would override.
  const safe = !props.some((p) => ts.isSpreadAssignment(p));
  const sf = file.sf;
  const open = obj.getStart(sf);
  const close = obj.getEnd() - 1;
  if (props.length === 0) {
    const inner = file.text.slice(open + 1, close);
    if (/\/[/*]/.test(inner)) return { reason: 'the options object holds only comments' };
    return { fix: { safe, description, edits: [{ start: open, end: obj.getEnd(), text: `{ ${entries.join(', ')} }` }] } };
  }
  const last = props[props.length - 1]!;
  const trailingComma = props.hasTrailingComma;
  const commaEnd = trailingComma ? file.text.indexOf(',', last.getEnd()) + 1 : last.getEnd();
  const multiline = file.line(last.getStart(sf)) !== file.line(open) || file.line(close) !== file.line(last.getEnd());
  if (!multiline) {
    const text = trailingComma ? ` ${entries.join(', ')},` : `, ${entries.join(', ')}`;
    return { fix: { safe, description, edits: [{ start: commaEnd, end: commaEnd, text }] } };
  }
  if (file.line(close) === file.line(last.getEnd())) {
    // `{ a: 1,\n  b: 2 }`: closing brace on the last property's line; continue on that line.
    const text = trailingComma ? ` ${entries.join(', ')},` : `, ${entries.join(', ')}`;
    return { fix: { safe, description, edits: [{ start: commaEnd, end: commaEnd, text }] } };
  }
  const indent = indentOf(file, last.getStart(sf));
  const at = lineEndAfter(file, commaEnd);
  if (!at) return { reason: 'code follows the last option on its line' };
  const lines = entries.map((e, i) => `${at.eol}${indent}${e}${i < entries.length - 1 || trailingComma ? ',' : ''}`).join('');
  const edits: TextEdit[] = [];
  if (!trailingComma) edits.push({ start: last.getEnd(), end: last.getEnd(), text: ',' });
  edits.push({ start: at.pos, end: at.pos, text: lines });
  return { fix: { safe, description, edits } };
}

function propName(p: ts.ObjectLiteralElementLike): string | undefined {
  const n = p.name;
  return n && (ts.isIdentifier(n) || ts.isStringLiteral(n)) ? n.text : undefined;
}

/** Quote keys like the object does when all its keys are quoted. */
function keyQuote(file: TsFile, props: ts.NodeArray<ts.ObjectLiteralElementLike>): string {
  const keys = props.filter((p) => ts.isPropertyAssignment(p)).map((p) => p.name);
  if (keys.length === 0 || !keys.every((k) => ts.isStringLiteral(k))) return '';
  return keys[0]!.getText(file.sf)[0] === '"' ? '"' : "'";
}

function colonStyle(file: TsFile, props: ts.NodeArray<ts.ObjectLiteralElementLike>): string {
  const p = props.find((x): x is ts.PropertyAssignment => ts.isPropertyAssignment(x));
  if (!p) return ': ';
  const between = file.text.slice(p.name.getEnd(), p.initializer.getStart(file.sf));
  return /^\s*:\s*$/.test(between) && !/[\r\n]/.test(between) ? between.trimStart() : ': ';
}

// ---- the file's style ---------------------------------------------------------------------

function indentOf(file: TsFile, pos: number): string {
  const lineStart = file.text.lastIndexOf('\n', pos - 1) + 1;
  return /^[ \t]*/.exec(file.text.slice(lineStart, pos))![0];
}

function styleOf(file: TsFile): Style {
  let withSemi = 0;
  let without = 0;
  forEachDescendant(file.sf, (n) => {
    if (ts.isExpressionStatement(n) || ts.isVariableStatement(n) || ts.isReturnStatement(n)) {
      if (n.getText(file.sf).endsWith(';')) withSemi++;
      else without++;
    }
  });
  const indents = file.text.split('\n').map((l) => /^[ \t]*/.exec(l)![0]).filter((s) => s.length > 0);
  const tabs = indents.filter((s) => s.startsWith('\t')).length;
  let unit = '  ';
  if (tabs > indents.length / 2) unit = '\t';
  else {
    const widths = indents.filter((s) => !s.includes('\t')).map((s) => s.length);
    const min = widths.length ? Math.min(...widths) : 2;
    unit = ' '.repeat(min >= 2 && min <= 8 ? min : 2);
  }
  return { eol: dominantEol(file.text), semi: withSemi >= without, indentUnit: unit };
}
