// Reading a source file without losing anything: the BOM and non-UTF-8 bytes are recorded, and
// line endings kept in the text, so a fix can be written back byte-for-byte outside its edits.

export type Encoding = 'utf8' | 'latin1';

export interface SourceText {
  /** The text, BOM removed. Offsets in findings and edits index this string. */
  text: string;
  bom: boolean;
  encoding: Encoding;
}

export type DecodeResult = { ok: true; source: SourceText; warning?: string } | { ok: false; message: string };

export const DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeSource(bytes: Uint8Array, maxBytes = DEFAULT_MAX_FILE_BYTES): DecodeResult {
  if (bytes.length > maxBytes) {
    return { ok: false, message: `file is ${(bytes.length / 1048576).toFixed(1)} MiB, over the ${(maxBytes / 1048576).toFixed(1)} MiB limit (--max-file-size); skipped` };
  }
  const probe = bytes.subarray(0, 8192);
  if (probe.includes(0)) return { ok: false, message: 'binary file (contains NUL bytes); skipped' };
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = bom ? bytes.subarray(3) : bytes;
  let text: string;
  let encoding: Encoding = 'utf8';
  let warning: string | undefined;
  try {
    text = utf8.decode(body);
  } catch {
    // Legacy sources (Latin-1 comments) are common in old C trees. Latin-1 maps each byte to
    // one char, so analysis works and a fix written back in Latin-1 keeps every byte.
    text = Buffer.from(body).toString('latin1');
    encoding = 'latin1';
    warning = `not valid UTF-8 (byte ${firstInvalidUtf8(body)}); analysed as Latin-1, fixes keep the original bytes`;
  }
  // No line-ending census here: every file is decoded in pass 0, and only a fix needs one
  // (the C fix's layout and the TS fix count them in the file they edit).
  const source: SourceText = { text, bom, encoding };
  return warning ? { ok: true, source, warning } : { ok: true, source };
}

/**
 * CRLF when more lines end in CRLF than in a bare LF. Counted with indexOf: `text.match(/\n/g)`
 * built an array of every match (60 ms on the real C tree, when decoding counted every file's).
 */
export function dominantEol(text: string): '\n' | '\r\n' {
  let crlf = 0;
  let lf = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    if (i > 0 && text.charCodeAt(i - 1) === 13) crlf++;
    else lf++;
  }
  return crlf > lf ? '\r\n' : '\n';
}

export function encodeSource(source: Pick<SourceText, 'bom' | 'encoding'>, text: string): Buffer {
  const body = Buffer.from(text, source.encoding === 'latin1' ? 'latin1' : 'utf8');
  return source.bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body;
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  // Binary search for the shortest prefix that fails to decode.
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid + 1), { stream: true });
      lo = mid + 1;
    } catch {
      hi = mid;
    }
  }
  return lo;
}

/** 1-based line and column of an offset. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return { line, column: offset - last };
}
