// SARIF 2.1.0 (OASIS), the format code-scanning UIs read (GitHub code scanning, Azure DevOps,
// VS Code's SARIF viewer). One run; the driver lists every rule with its doc page as help.
// Columns and char offsets are UTF-16 code units into the file's text without its BOM, the
// engine's own convention (run.columnKind says so); endColumn is exclusive, as SARIF wants.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AuditResult } from '../engine/audit.js';
import { rulesDir } from '../engine/paths.js';
import type { Finding, Severity, TextEdit, ToolError } from '../engine/types.js';
import { VERSION } from '../engine/version.js';
import { RULES, type Rule } from '../rules/index.js';
import { docsUrl } from '../rules/rule.js';
import type { Printer } from './printer.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const INFORMATION_URI = 'https://github.com/ka-audit/ka-audit';
/** The key of our entry in `partialFingerprints`; bump the version if the fingerprint's recipe changes. */
export const FINGERPRINT_KEY = 'kaAudit/v1';
const SRCROOT = '%SRCROOT%';

type Json = Record<string, unknown>;

export const sarif: Printer = {
  name: 'sarif',
  print(result, opts) {
    return JSON.stringify(sarifLog(result, opts), null, 2) + '\n';
  },
};

export function sarifLog(result: AuditResult, opts: { quiet: boolean; cwd: string }): Json {
  const ruleIndex = new Map(RULES.map((r, i) => [r.id, i]));
  const texts = new Map<string, FileText | undefined>();
  const text: TextLookup = (file) => {
    if (!texts.has(file)) {
      const src = result.files.get(file)?.source.text;
      texts.set(file, src === undefined ? undefined : fileText(src));
    }
    return texts.get(file);
  };
  const results = result.findings
    .filter((f) => !(opts.quiet && f.severity !== 'error'))
    .map((f) => sarifResult(f, ruleIndex.get(f.ruleId), text));
  const notifications = result.errors
    .filter((e) => !(opts.quiet && e.severity === 'warning'))
    .map(notification);
  const invocation: Json = {
    executionSuccessful: !result.errors.some((e) => (e.severity ?? 'error') === 'error'),
  };
  if (notifications.length) invocation['toolExecutionNotifications'] = notifications;
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ka-audit',
            version: VERSION,
            semanticVersion: VERSION,
            informationUri: INFORMATION_URI,
            rules: RULES.map(reportingDescriptor),
          },
        },
        invocations: [invocation],
        originalUriBaseIds: { [SRCROOT]: { uri: dirUri(opts.cwd) } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

function level(s: Severity | undefined): 'error' | 'warning' {
  return s === 'warning' ? 'warning' : 'error';
}

// ── rules ──────────────────────────────────────────────────────────────────────────────────

const docCache = new Map<string, string | undefined>();

/** The rule's doc page (rules/<id>.md), read once per process; undefined when not shipped. */
function ruleDoc(id: string): string | undefined {
  if (!docCache.has(id)) {
    let text: string | undefined;
    try {
      text = readFileSync(join(rulesDir(), `${id}.md`), 'utf8').replace(/\r\n/g, '\n');
    } catch {
      text = undefined;
    }
    docCache.set(id, text);
  }
  return docCache.get(id);
}

/** The prose of one `## <heading>` section of a doc, as a single paragraph. */
function section(doc: string, heading: string): string | undefined {
  const m = new RegExp(`^## ${heading}\\s*\\n([\\s\\S]*?)(?=^## |(?![\\s\\S]))`, 'm').exec(doc);
  const body = m?.[1]?.replace(/\s+/g, ' ').trim();
  return body || undefined;
}

/** `require-keepalive` → `RequireKeepalive`: SARIF's human-readable rule name. */
function pascal(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

function reportingDescriptor(rule: Rule): Json {
  const doc = ruleDoc(rule.id);
  const why = doc ? section(doc, 'Why') : undefined;
  const helpText = doc ?? `${rule.meta.description}\n\nSee ${docsUrl(rule.id)}`;
  return {
    id: rule.id,
    name: pascal(rule.id),
    shortDescription: { text: rule.meta.description },
    fullDescription: { text: why ? `${rule.meta.description}. ${why}` : rule.meta.description },
    help: { text: helpText, markdown: helpText },
    helpUri: docsUrl(rule.id),
    defaultConfiguration: { level: level(rule.meta.severity) },
    properties: {
      tags: ['reliability', 'network', 'tcp-keepalive'],
      precision: 'high',
      fixable: rule.meta.fixable,
      languages: rule.meta.langs,
    },
  };
}

// ── results ────────────────────────────────────────────────────────────────────────────────

function sarifResult(f: Finding, ruleIndex: number | undefined, text: TextLookup): Json {
  const out: Json = { ruleId: f.ruleId };
  if (ruleIndex !== undefined) out['ruleIndex'] = ruleIndex;
  out['level'] = level(f.severity);
  out['message'] = { text: f.message };
  out['locations'] = [{ physicalLocation: { artifactLocation: artifactLocation(f.file), ...regions(f, text(f.file)) } }];
  out['partialFingerprints'] = { [FINGERPRINT_KEY]: f.fingerprint };
  const fix = f.fix ? sarifFix(f) : undefined;
  if (fix) out['fixes'] = [fix];
  if (f.suppressed) {
    const s: Json = { kind: 'inSource', status: 'accepted' };
    if (f.suppressed.reason) s['justification'] = f.suppressed.reason;
    out['suppressions'] = [s];
  }
  out['properties'] = f.noFixReason ? { site: f.site, noFixReason: f.noFixReason } : { site: f.site };
  return out;
}

type TextLookup = (file: string) => FileText | undefined;

interface FileText {
  text: string;
  /** Offset of the first character of each line (0-based line index). */
  lineStarts: number[];
}

function fileText(text: string): FileText {
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  return { text, lineStarts };
}

/**
 * The finding's region, and when the file's text is at hand, its snippet plus a context region
 * of the whole lines around it (for viewers without a checkout).
 */
function regions(f: Finding, file: FileText | undefined): Json {
  const startLine = Math.max(1, f.line);
  const startColumn = Math.max(1, f.column);
  const endLine = Math.max(startLine, f.endLine);
  const endColumn = endLine === startLine ? Math.max(startColumn, f.endColumn) : Math.max(1, f.endColumn);
  const region: Json = { startLine, startColumn, endLine, endColumn };
  if (!file || endLine > file.lineStarts.length) return { region };
  const { text, lineStarts } = file;
  const lineEnd = (line: number) => {
    const next = line < lineStarts.length ? lineStarts[line]! - 1 : text.length;
    return next > lineStarts[line - 1]! && text[next - 1] === '\r' ? next - 1 : next;
  };
  const from = lineStarts[startLine - 1]! + startColumn - 1;
  const to = lineStarts[endLine - 1]! + endColumn - 1;
  if (from > lineEnd(startLine) || to > lineEnd(endLine) || to < from) return { region };
  const snippet = text.slice(from, to);
  region['snippet'] = { text: snippet };
  // SARIF wants the context region to be a proper superset of the region: a line either side.
  const ctxStart = Math.max(1, startLine - 1);
  const ctxEnd = Math.min(lineStarts.length, endLine + 1);
  const context = text.slice(lineStarts[ctxStart - 1], lineEnd(ctxEnd));
  if (context.length <= snippet.length) return { region };
  return { region, contextRegion: { startLine: ctxStart, endLine: ctxEnd, snippet: { text: context } } };
}

function sarifFix(f: Finding): Json | undefined {
  const fix = f.fix!;
  const edits = replacementOrder(fix.edits);
  if (!edits) return undefined;
  return {
    description: { text: fix.safe ? fix.description : `${fix.description} (unsafe: review before applying)` },
    artifactChanges: [
      {
        artifactLocation: artifactLocation(f.file),
        replacements: edits.map((e) => ({
          deletedRegion: { charOffset: e.start, charLength: e.end - e.start },
          insertedContent: { text: e.text },
        })),
      },
    ],
    properties: { safe: fix.safe },
  };
}

/**
 * The edits as SARIF replacements: duplicates dropped and insertions at one offset joined (as
 * `applyEdits` does), then last offset first, so each replacement's region means the same
 * whether a consumer reads it against the original text or against the text after the
 * replacements before it. Undefined when edits overlap or are malformed (no fix is then offered).
 */
export function replacementOrder(edits: TextEdit[]): TextEdit[] | undefined {
  const seen = new Set<string>();
  const sorted = edits
    .filter((e) => {
      const k = `${e.start}:${e.end}:${e.text}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: TextEdit[] = [];
  for (const e of sorted) {
    if (e.start < 0 || e.end < e.start) return undefined;
    const prev = merged[merged.length - 1];
    if (prev && e.start < prev.end) return undefined;
    if (prev && prev.start === e.start) merged[merged.length - 1] = { start: prev.start, end: e.end, text: prev.text + e.text };
    else merged.push({ ...e });
  }
  return merged.reverse();
}

// ── locations ──────────────────────────────────────────────────────────────────────────────

/** A finding's file (relative, `/`-separated) as a URI reference under %SRCROOT%. */
function artifactLocation(file: string): Json {
  if (file.startsWith('/')) return { uri: pathToFileURL(file).href };
  return { uri: file.split('/').map(encodeSegment).join('/'), uriBaseId: SRCROOT };
}

/** Percent-encodes what a URI path segment cannot hold as is (space, %, #, ?, :, non-ASCII…). */
function encodeSegment(seg: string): string {
  return encodeURIComponent(seg);
}

function dirUri(dir: string): string {
  const href = pathToFileURL(dir).href;
  return href.endsWith('/') ? href : `${href}/`;
}

function notification(e: ToolError): Json {
  const n: Json = { level: level(e.severity ?? 'error'), message: { text: e.message } };
  if (e.file) n['locations'] = [{ physicalLocation: { artifactLocation: artifactLocation(e.file) } }];
  return n;
}
