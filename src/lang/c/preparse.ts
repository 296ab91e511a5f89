// Parsing ahead in a second thread. A C project is analysed in one thread (README, Design
// notes: sharding it parsed most files twice), but the files it parses whole first are known
// after pass 0 (the seed files) and are asked for in nearly that order. A helper thread parses
// them in order and hands each top level over as a transferable buffer; the analysis takes a
// file from it when it is ready, or else claims the file and parses it itself (the helper then
// skips it); and when it would wait for a file the helper is still parsing, it parses the next
// one itself meanwhile. Who parsed a file changes nothing in the results: both run `chooseParse`.
//
// The analysis is synchronous, so the hand-over is too: a shared Int32Array holds each file's
// state (compare-and-swap decides who parses it), and `receiveMessageOnPort` takes the buffers.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { ChosenParse, TopLevel } from './parse.js';

/** Per-file states in the shared array. */
export const FREE = 0;
export const HELPER = 1;
export const READY = 2;
/** Taken by the analysis thread, or given up by the helper (it could not read or parse it). */
export const MINE = 3;

/**
 * Parsed files the helper may have handed over and the analysis not yet taken (bounds memory).
 * Since the helper also records bodies it runs behind on large files: 64 (not 16) lets it get
 * ahead while the analysis parses other files (real tree: waits 273–657 → 153–366 ms; peak RSS
 * unchanged on 11,983 files).
 */
export const MAX_AHEAD = 64;

/**
 * Files the analysis may parse ahead of its own requests while the helper is busy on the file it
 * asked for (see Preparser.take). Each holds one file's top-level record until it is taken.
 */
export const MAX_PARSED_HERE_AHEAD = 4;

export interface PreparseJob {
  /** Absolute paths of the files to parse ahead, in the order the analysis is expected to ask. */
  paths: string[];
  /** Socket APIs and their project aliases: which bodies the analysis reads (hints.ts). */
  siteNames: string[];
  maxBytes: number;
  /** One state per file, then (at index `paths.length`) the count of files handed over and not taken. */
  state: SharedArrayBuffer;
  port: MessagePort;
}

export interface Handover {
  index: number;
  /** The decoded text's length: the analysis checks it read the same text. */
  length: number;
  view: ChosenParse['view'];
  top: TopLevel;
  last?: TopLevel;
}

/** A helper thread that never ends the run: a failure leaves its files to the analysis. */
function spawnHelper(file: string, workerData: unknown, transferList: MessagePort[] = []): Worker {
  const worker = new Worker(file, {
    workerData,
    transferList,
    // The helper holds one file's text and tree at a time.
    resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 },
  });
  worker.on('error', () => undefined); // see take: the analysis parses what the helper did not
  worker.unref();
  return worker;
}

/** A helper started before its files were known, waiting for its job (one per thread). */
let standby: { file: string; worker: Worker } | undefined;

/**
 * Starts a helper now, to be given its files when the Preparser is made: it loads its modules
 * and the parser (~0.2 s) while the project is built. Call only when a core is spare.
 */
export function startStandby(workerFile: string): void {
  if (standby) return;
  try {
    standby = { file: workerFile, worker: spawnHelper(workerFile, { standby: true }) };
  } catch {
    // No thread now: a Preparser starts its own when it can.
  }
}

/** Stops a standby helper that no Preparser took. */
export function stopStandby(): void {
  void standby?.worker.terminate();
  standby = undefined;
}

export class Preparser {
  private readonly index = new Map<string, number>();
  private readonly state: Int32Array;
  private readonly stash = new Map<number, Handover>();
  /** Files the analysis stopped waiting for: their late hand-overs are dropped. */
  private readonly abandoned = new Set<number>();
  private readonly port: MessagePort;
  private readonly job: PreparseJob;
  private worker?: Worker;
  private failed = false;
  private readonly spare: Int32Array | undefined;
  /** Files taken from the helper (for statistics and tests). */
  taken = 0;
  /** Files this thread parsed ahead while the helper was busy (see take). */
  parsedHere = 0;
  private readonly files: string[];
  private readonly mine = new Map<number, { length: number; chosen: ChosenParse }>();
  /** Milliseconds the analysis waited for files the helper was parsing (KA_AUDIT_TIMING). */
  waitedMs = 0;

  constructor(
    files: string[],
    paths: string[],
    maxBytes: number,
    private readonly workerFile: string,
    spare?: SharedArrayBuffer,
    siteNames: string[] = [],
    /** Parses a file in this thread (the analysis's own parse), for files taken over from the helper. */
    private readonly parseHere?: (file: string) => { length: number; chosen: ChosenParse } | undefined,
  ) {
    this.files = files;
    this.spare = spare ? new Int32Array(spare) : undefined;
    files.forEach((f, i) => this.index.set(f, i));
    const shared = new SharedArrayBuffer(4 * (files.length + 1));
    this.state = new Int32Array(shared);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.job = { paths, siteNames, maxBytes, state: shared, port: port2 };
    this.startIfSpare();
  }

  /**
   * Starts the helper once a core is free (BackendOptions.spareThreads): next to a busy thread
   * it slowed the run, and an idle one still costs ~20 MB. Spare cores only grow during a run.
   */
  startIfSpare(): void {
    if (this.worker || this.failed) return;
    if (standby?.file === this.workerFile) {
      // Started before the files were known (startStandby): it gets them now.
      this.worker = standby.worker;
      standby = undefined;
      this.worker.postMessage(this.job, [this.job.port]);
      return;
    }
    if (this.spare && Atomics.load(this.spare, 0) < 1) return;
    try {
      this.worker = spawnHelper(this.workerFile, this.job, [this.job.port]);
    } catch {
      // No thread to be had (a bad path, no resources): the analysis parses every file itself.
      this.failed = true;
    }
  }

  /**
   * The helper's parse of `file` (whose text the analysis read as `text`), waiting for it when
   * the helper is at work on it; undefined means: parse it yourself. While the helper is at work
   * on it, the next free files are parsed here first (`parseHere`), for as long as the helper is
   * still on it: when the analysis has caught up with the helper, both threads parse instead of
   * one waiting for the other.
   */
  take(file: string, text: string): ChosenParse | undefined {
    const i = this.index.get(file);
    if (i === undefined) return undefined;
    const own = this.mine.get(i);
    if (own) {
      this.mine.delete(i);
      return own.length === text.length ? own.chosen : undefined;
    }
    this.startIfSpare();
    if (Atomics.compareExchange(this.state, i, FREE, MINE) === FREE) return undefined;
    // The helper is at work on this file: rather than wait idle, parse the next free files here
    // (the analysis asks for them in about this order) until the helper is done with it, and let
    // the helper go on past them. One at a time was measured to leave 480-670 ms of waiting on
    // the real tree, behind large files.
    if (this.parseHere) {
      for (let j = i + 1; j < this.files.length && this.mine.size < MAX_PARSED_HERE_AHEAD; j++) {
        if (Atomics.load(this.state, i) !== HELPER) break;
        if (Atomics.compareExchange(this.state, j, FREE, MINE) !== FREE) continue;
        try {
          const parsed = this.parseHere(this.files[j]!);
          if (parsed) {
            this.mine.set(j, parsed);
            this.parsedHere++;
          }
        } catch {
          // Left to the analysis, which parses it again when it asks and reports what it finds.
        }
      }
    }
    // A helper that died mid-file must not hang the run: wait about as long as a slow parse.
    const waitFrom = performance.now();
    const deadline = waitFrom + 200 + text.length / 500;
    try {
      return this.await(i, text, deadline);
    } finally {
      this.waitedMs += performance.now() - waitFrom;
    }
  }

  private await(i: number, text: string, deadline: number): ChosenParse | undefined {
    for (;;) {
      this.drain();
      const got = this.stash.get(i);
      if (got) {
        this.stash.delete(i);
        this.release();
        if (got.length !== text.length) return undefined;
        this.taken++;
        return { top: got.top, view: got.view, ...(got.last ? { last: got.last } : {}) };
      }
      const s = Atomics.load(this.state, i);
      // READY with nothing received: taken before (a file evicted from the parse cache).
      if (s !== HELPER) return undefined;
      if (performance.now() > deadline) {
        this.abandoned.add(i);
        return undefined;
      }
      Atomics.wait(this.state, i, HELPER, 20);
    }
  }

  /** Files handed over and not taken yet. */
  inFlight(): number {
    return Atomics.load(this.state, this.state.length - 1);
  }

  /** Who has a file now (for tests and debugging). */
  status(file: string): 'free' | 'helper' | 'ready' | 'mine' | undefined {
    const i = this.index.get(file);
    return i === undefined ? undefined : (['free', 'helper', 'ready', 'mine'] as const)[Atomics.load(this.state, i)];
  }

  private drain(): void {
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) {
      const h = m.message as Handover;
      if (this.abandoned.has(h.index)) this.release();
      else this.stash.set(h.index, h);
    }
  }

  /** One handed-over file less in flight: the helper may go on. */
  private release(): void {
    Atomics.sub(this.state, this.state.length - 1, 1);
    Atomics.notify(this.state, this.state.length - 1);
  }

  async close(): Promise<void> {
    this.port.close();
    await this.worker?.terminate();
  }
}
