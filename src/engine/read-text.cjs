// Reads a UTF-8 text file in 64 KiB pieces, for files that can be large (the TypeScript
// compiler, the --cache store, a baseline). Why not readFileSync(path, 'utf8'): Node 20 reads
// into a C++ string that doubles as it grows, so the compiler's 9 MB made and freed malloc
// blocks of up to 16 MB. Freeing a block that large makes glibc raise its mmap threshold (and,
// with it, its trim threshold) for the whole process, and from then on every thread's malloc
// arena held on to freed memory up to that size: peak RSS on the 10,000-file corpus was
// 288-296 MB, and 246-251 MB with this reader (40,000 files: 408-413 -> 369-378 MB; 5
// and 3 interleaved runs, same time). The pieces and the decoder's buffers stay under glibc's
// 128 KiB starting threshold; the text itself lives in the JS heap. A CommonJS file so that
// tsc.cjs can require it (types: read-text.d.cts; the build copies both).
'use strict';
const { closeSync, openSync, readSync } = require('node:fs');
const { StringDecoder } = require('node:string_decoder');

/** Same result as readFileSync(path, 'utf8'), a BOM and invalid bytes (U+FFFD) included. */
function readUtf8(path, pieceBytes = 64 * 1024) {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafeSlow(pieceBytes);
    const decoder = new StringDecoder('utf8');
    const parts = [];
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) parts.push(decoder.write(buf.subarray(0, n)));
    parts.push(decoder.end());
    return parts.join('');
  } finally {
    closeSync(fd);
  }
}

module.exports = { readUtf8 };
