// Runs a Node script in this process and, when the process exits, writes its peak RSS
// (process.resourceUsage().maxRSS, in KiB; worker threads included) to a file. Used by the
// benchmark when /usr/bin/time is not available:
//   node dist/bench/rss-wrapper.js OUT.json SCRIPT [args...]
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [out, script, ...args] = process.argv.slice(2);
if (!out || !script) {
  process.stderr.write('usage: node rss-wrapper.js OUT.json SCRIPT [args...]\n');
  process.exit(2);
}
process.argv = [process.argv[0]!, resolve(script), ...args];
process.on('exit', () => {
  const u = process.resourceUsage();
  writeFileSync(out, JSON.stringify({ maxRssKiB: u.maxRSS, userSec: u.userCPUTime / 1e6, sysSec: u.systemCPUTime / 1e6 }));
});
await import(pathToFileURL(resolve(script)).href);
