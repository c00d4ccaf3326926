/**
 * The worker thread that reads /proc/PID/smaps (see smapsOffThread.ts). The kernel takes a few
 * hundred ms to print the smaps of a process with tens of thousands of mappings, and parsing the
 * tens of MB it prints takes as long again: here, neither blocks the extension host's event loop.
 * Only the summary (a few KB) crosses back.
 */
import { parentPort } from 'worker_threads';
import { readSmaps } from './smaps';

/** What the host asks for. */
export interface SmapsJob {
  id: number;
  pid: number;
  procRoot: string;
}

// Warm the parser up on this thread's own smaps before the first job: a cold parse is several
// times slower, and its time is the cost that sets how often the process may be read.
for (let i = 0; i < 3; i++) {
  readSmaps(process.pid);
}

parentPort?.on('message', (job: SmapsJob) => {
  const started = performance.now();
  const outcome = readSmaps(job.pid, job.procRoot);
  parentPort?.postMessage({ id: job.id, outcome, costMs: performance.now() - started });
});
