import * as fs from 'fs';
import { parsePid } from '../../shared/pid';
import { asText, errnoToProcError, readOpenProcBytes, readProcText } from './procFile';

/** Threads whose files are kept open, at most: past this, each file is opened and closed at each listing. */
const KEPT_MAX = 64;

/**
 * A kept file is opened anew after this long. A thread's file stays with the thread it was opened
 * for, and once that thread ends it reads as empty, like a thread's without children: were its TID
 * taken by a new thread of the same process (the PIDs wrapped around meanwhile), that thread's
 * children would be missed for this long at most.
 */
export const KEPT_MAX_AGE_MS = 60_000;

/**
 * The children of one process, from the children file of each of its threads
 * (/proc/PID/task/TID/children). Listing them opens one file per thread: a watcher that lists a
 * process's children again and again (the debug view, every detail interval; a node program has a
 * dozen threads) keeps them open instead, and reads each from its start.
 */
export class ThreadChildrenFiles {
  /** By TID, the open children file of each thread of the last listing, and when it was opened. */
  private readonly kept = new Map<string, { fd: number; openedAtMs: number }>();

  constructor(
    readonly pid: number,
    /** False: every file is opened and closed at each listing (a process listed once). */
    private readonly keep = true,
    private readonly procRoot = '/proc',
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** How many files are kept open: for tests. */
  get keptCount(): number {
    return this.kept.size;
  }

  /** The PIDs its threads name as their children; [] once it is gone; 'no-children-file' on a kernel without them. */
  list(): number[] | 'no-children-file' {
    const taskDir = `${this.procRoot}/${this.pid}/task`;
    let tasks: string[];
    try {
      tasks = fs.readdirSync(taskDir);
    } catch {
      this.close();
      return [];
    }
    const now = this.now();
    const keep = this.keep && tasks.length <= KEPT_MAX;
    const listed = new Set(tasks);
    for (const [task, kept] of [...this.kept]) {
      if (!keep || !listed.has(task) || now - kept.openedAtMs >= KEPT_MAX_AGE_MS) {
        this.forget(task);
      }
    }
    const children: number[] = [];
    for (const task of tasks) {
      const path = `${taskDir}/${task}/children`;
      let fd = this.kept.get(task)?.fd;
      if (fd === undefined) {
        try {
          fd = fs.openSync(path, 'r');
        } catch (error) {
          // No such file for a thread that is there: the kernel has none (CONFIG_PROC_CHILDREN).
          if (errnoToProcError(error, path).kind === 'gone' && readProcText(`${taskDir}/${task}/stat`).ok) {
            return 'no-children-file';
          }
          continue; // the thread ended since the listing
        }
        if (keep) {
          this.kept.set(task, { fd, openedAtMs: now });
        }
      }
      const text = asText(readOpenProcBytes(fd, path));
      if (!keep) {
        fs.closeSync(fd);
      } else if (!text.ok) {
        this.forget(task);
      }
      if (text.ok) {
        for (const field of text.value.split(' ')) {
          const child = parsePid(field);
          if (child !== undefined) {
            children.push(child);
          }
        }
      }
    }
    return children;
  }

  close(): void {
    for (const task of [...this.kept.keys()]) {
      this.forget(task);
    }
  }

  private forget(task: string): void {
    const kept = this.kept.get(task);
    this.kept.delete(task);
    if (kept) {
      fs.closeSync(kept.fd);
    }
  }
}
