import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { fail, Outcome } from './outcome';
import { errnoToProcError } from './procFile';
import { MappingSummary, parseSmaps } from './smaps';
import type { SmapsJob } from './smapsWorker';

/** A value and what reading it took (wall time, ms). */
export interface Timed<T> {
  value: T;
  costMs: number;
}

/**
 * A worker with nothing to do for this long exits, and its buffers (30 MB for 40 000 mappings) with
 * it; the next read starts a new one (~30 ms, well inside the read budget of a process that big).
 * Longer than the pace of a cheap read (at most 45 s below 225 ms a read), so that those always
 * find the worker warm.
 */
const IDLE_MS = 60_000;

/**
 * Reads and parses /proc/PID/smaps in a worker thread, one read at a time, so that a process with
 * 40 000 mappings (~30 MB of text, a few hundred ms) never stalls the extension host. The worker
 * starts on the first read and exits when idle, taking its buffers with it. Where a worker cannot
 * start, reads fall back to fs.promises (the kernel's part in the thread pool, the parse here).
 */
export class OffThreadSmaps {
  private worker: Worker | undefined;
  private broken = false;
  private nextId = 1;
  private readonly pending = new Map<number, (result: Timed<Outcome<MappingSummary>>) => void>();
  private idleTimer: NodeJS.Timeout | undefined;

  /** The worker script: next to this module in out/ (tsc), next to extension.js in dist/ (esbuild). */
  constructor(private readonly script = path.join(__dirname, 'smapsWorker.js')) {}

  /** True while a worker thread exists: for tests of the idle exit. */
  get isRunning(): boolean {
    return this.worker !== undefined;
  }

  read(pid: number, procRoot = '/proc'): Promise<Timed<Outcome<MappingSummary>>> {
    const worker = this.broken ? undefined : this.start();
    if (!worker) {
      return readInThread(pid, procRoot);
    }
    this.clearIdle();
    const id = this.nextId++;
    const job: SmapsJob = { id, pid, procRoot };
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      worker.postMessage(job);
    });
  }

  dispose(): void {
    this.clearIdle();
    const worker = this.worker;
    this.worker = undefined;
    this.settleAll('the reader was closed');
    void worker?.terminate();
  }

  private start(): Worker | undefined {
    if (this.worker) {
      return this.worker;
    }
    if (!fs.existsSync(this.script)) {
      this.broken = true;
      return undefined;
    }
    try {
      const worker = new Worker(this.script);
      worker.unref(); // an idle reader never keeps the host (or a test run) alive
      worker.on('message', (message: { id: number; outcome: Outcome<MappingSummary>; costMs: number }) => {
        const resolve = this.pending.get(message.id);
        this.pending.delete(message.id);
        resolve?.({ value: message.outcome, costMs: message.costMs });
        if (this.pending.size === 0) {
          this.armIdle();
        }
      });
      worker.on('error', (error) => {
        this.broken = true;
        this.worker = undefined;
        this.settleAll(`the smaps reader failed: ${error.message}`);
      });
      worker.on('exit', () => {
        if (this.worker === worker) {
          this.worker = undefined;
          this.settleAll('the smaps reader exited');
        }
      });
      this.worker = worker;
      return worker;
    } catch {
      this.broken = true;
      return undefined;
    }
  }

  private settleAll(detail: string): void {
    for (const resolve of this.pending.values()) {
      resolve({ value: fail({ kind: 'io-error', detail }), costMs: 0 });
    }
    this.pending.clear();
  }

  private armIdle(): void {
    this.clearIdle();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      const worker = this.worker;
      if (worker && this.pending.size === 0) {
        this.worker = undefined;
        void worker.terminate();
      }
    }, IDLE_MS);
    this.idleTimer.unref();
  }

  private clearIdle(): void {
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    }
  }
}

/** Without a worker: the read in the thread pool, the parse here. */
async function readInThread(pid: number, procRoot: string): Promise<Timed<Outcome<MappingSummary>>> {
  const started = performance.now();
  const dir = `${procRoot}/${pid}`;
  let text: string;
  try {
    text = await fs.promises.readFile(`${dir}/smaps`, 'utf8');
  } catch (error) {
    return { value: fail(errnoToProcError(error, `${dir}/smaps`)), costMs: performance.now() - started };
  }
  let exe: string | undefined;
  try {
    exe = await fs.promises.readlink(`${dir}/exe`);
  } catch {
    exe = undefined;
  }
  return { value: parseSmaps(text, exe), costMs: performance.now() - started };
}
