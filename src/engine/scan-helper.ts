// A pass-0 helper thread (work.ts, passZero): claims chunks of files from the shared counter
// while a core is spare, scans them, and posts its share back.
import { parentPort, workerData } from 'node:worker_threads';
import { scanFiles, SCAN_CHUNK, type ScanHelperJob } from './work.js';

const job = workerData as ScanHelperJob;
const counter = new Int32Array(job.counter);
const spare = new Int32Array(job.spare);
const n = job.input.files.length;

const share = await scanFiles(job.input, () => {
  // No core free: wait, but stop once the other thread has claimed every chunk.
  for (let v = Atomics.load(spare, 0); v < 1 && Atomics.load(counter, 0) < n; v = Atomics.load(spare, 0)) Atomics.wait(spare, 0, v, 20);
  return Atomics.add(counter, 0, SCAN_CHUNK);
});
parentPort!.postMessage(share);
