// The pre-parse helper thread (see preparse.ts): parses the seed files in order, skipping any
// the analysis has claimed, and hands each chosen top level over with its buffers transferred.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { decodeSource } from '../../engine/source.js';
import { seedPassesRead, siteCallHint } from './hints.js';
import { chooseParse, loadCParser, parseTop, type BodyWanted } from './parse.js';
import { branchView } from './preproc.js';
import { FREE, HELPER, MAX_AHEAD, MINE, READY, type Handover, type PreparseJob } from './preparse.js';

const ctx = await loadCParser();
// Started on standby (startStandby): the job comes once the project knows its seed files.
const job = (workerData as { standby?: boolean }).standby ? await new Promise<PreparseJob>((resolve) => parentPort!.once('message', resolve)) : (workerData as PreparseJob);
const state = new Int32Array(job.state);
const inFlight = job.paths.length;
const siteHint = siteCallHint(job.siteNames);

for (let i = 0; i < job.paths.length; i++) {
  // Far enough ahead: wait until the analysis takes some. The analysis may never ask for the
  // rest (it asks only for what its sites reach); the wait is timed so that this thread stays
  // responsive to being terminated when the analysis is done.
  for (let n = Atomics.load(state, inFlight); n >= MAX_AHEAD; n = Atomics.load(state, inFlight)) Atomics.wait(state, inFlight, n, 100);
  if (Atomics.compareExchange(state, i, FREE, HELPER) !== FREE) continue;
  let handover: Handover | undefined;
  try {
    const decoded = decodeSource(readFileSync(job.paths[i]!), job.maxBytes);
    if (decoded.ok) {
      const text = decoded.source.text;
      // The bodies the analysis will read are recorded from this tree: it need not parse them again.
      const wanted: BodyWanted = (fn, body) => seedPassesRead(text, fn, body, siteHint);
      const chosen = chooseParse(ctx, text, wanted);
      // A file parsed per configuration is usually looked at in its last-branch view too.
      const last = chosen.view === 'first' ? parseTop(ctx, branchView(text, 'last'), wanted) : undefined;
      handover = { index: i, length: text.length, view: chosen.view, top: chosen.top, ...(last ? { last } : {}) };
    }
  } catch {
    // Unreadable or unparsable here: the analysis parses it itself and reports what it finds.
  }
  if (handover) {
    Atomics.add(state, inFlight, 1);
    const tops = handover.last ? [handover.top, handover.last] : [handover.top];
    job.port.postMessage(handover, tops.flatMap((t) => [t.nodes.buffer, t.errors.buffer, ...(t.bodies ? [t.bodies.buffer] : []), ...(t.skipped ? [t.skipped.buffer] : [])]));
    Atomics.store(state, i, READY);
  } else Atomics.store(state, i, MINE);
  Atomics.notify(state, i);
}
job.port.close();
