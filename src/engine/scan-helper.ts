// A pass-0 helper thread (work.ts, passZero): claims chunks of files from the shared counter,
// scans them, and posts its share back.
import { parentPort, workerData } from 'node:worker_threads';
import { scanFiles, SCAN_CHUNK, type ScanHelperJob } from './work.js';

const job = workerData as ScanHelperJob;
const counter = new Int32Array(job.counter);
parentPort!.postMessage(await scanFiles(job.input, () => Atomics.add(counter, 0, SCAN_CHUNK)));
