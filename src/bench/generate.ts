#!/usr/bin/env node
// Writes the synthetic benchmark corpus:
//   node dist/bench/generate.js --files 10000 --socket-share 0.1 --seed 1 --out DIR [--manifest FILE]
// The manifest (default DIR/ka-bench-manifest.json) lists every socket site written and the
// findings ka-audit must report.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeCorpus } from './corpus.js';

export const MANIFEST_NAME = 'ka-bench-manifest.json';

function main(): number {
  const { values } = parseArgs({
    options: {
      files: { type: 'string', default: '2000' },
      'socket-share': { type: 'string', default: '0.1' },
      'c-share': { type: 'string', default: '0.6' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
      manifest: { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || !values.out) {
    process.stdout.write('usage: node dist/bench/generate.js --out DIR [--files 2000] [--socket-share 0.1] [--c-share 0.6] [--seed 1] [--manifest FILE] [--force]\n');
    return values.help ? 0 : 2;
  }
  const out = resolve(values.out);
  if (existsSync(out) && readdirSync(out).length > 0 && !values.force) {
    process.stderr.write(`${out} is not empty (use --force to write into it anyway)\n`);
    return 2;
  }
  const files = Number(values.files);
  const share = Number(values['socket-share']);
  const cShare = Number(values['c-share']);
  const seed = Number(values.seed);
  if (!Number.isInteger(files) || files < 0 || !(share >= 0 && share <= 1) || !(cShare >= 0 && cShare <= 1) || !Number.isInteger(seed)) {
    process.stderr.write('bad --files, --socket-share, --c-share or --seed\n');
    return 2;
  }
  const manifestPath = values.manifest ? resolve(values.manifest) : join(out, MANIFEST_NAME);
  const t0 = performance.now();
  const m = writeCorpus({ files, socketShare: share, seed, cShare }, out, manifestPath);
  const ms = performance.now() - t0;
  process.stdout.write(
    `wrote ${m.files} files (${(m.bytes / 1048576).toFixed(1)} MiB) to ${out} in ${(ms / 1000).toFixed(1)} s: ` +
      `${m.socketFiles.length} with sockets, ${m.sites.length} sites, ${m.findings.length} expected findings; manifest ${manifestPath}\n`,
  );
  return 0;
}

process.exitCode = main();
