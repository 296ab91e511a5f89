// A pass-0 helper thread (work.ts, passZero): claims chunks of files from the shared counter,
// scans them, and posts them back as it goes.
import { workerData } from 'node:worker_threads';
import { helpScan, type ScanHelperJob } from './work.js';

await helpScan(workerData as ScanHelperJob);
