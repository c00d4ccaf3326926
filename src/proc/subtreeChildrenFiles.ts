import { ThreadChildrenFiles } from './threadChildrenFiles';

/**
 * The children files of every process of a watched subtree, kept open between listings (the
 * debug view lists a debuggee's descendants every detail interval; a child node program has a
 * dozen threads, each file opened and closed at every listing otherwise). A process the last
 * listing did not reach (it exited, or left the subtree) has its files closed.
 */
export class SubtreeChildrenFiles {
  private readonly byPid = new Map<number, { startTicks: number | undefined; files: ThreadChildrenFiles }>();

  /** How many files are kept open: for tests. */
  get keptCount(): number {
    return [...this.byPid.values()].reduce((sum, entry) => sum + entry.files.keptCount, 0);
  }

  /**
   * The kept files of one process of the subtree; `startTicks` (undefined for the watched process
   * itself, whose watcher closes them when it ends) tells a process that took a freed PID;
   * `procRoot` is the listing's.
   */
  of(pid: number, startTicks: number | undefined, procRoot: string): ThreadChildrenFiles {
    let entry = this.byPid.get(pid);
    if (entry && entry.startTicks !== startTicks) {
      entry.files.close();
      entry = undefined;
    }
    if (!entry) {
      entry = { startTicks, files: new ThreadChildrenFiles(pid, true, procRoot) };
      this.byPid.set(pid, entry);
    }
    return entry.files;
  }

  /** After a listing: closes the files of the processes it did not reach. */
  keepOnly(reached: ReadonlySet<number>): void {
    for (const [pid, entry] of [...this.byPid]) {
      if (!reached.has(pid)) {
        entry.files.close();
        this.byPid.delete(pid);
      }
    }
  }

  close(): void {
    this.keepOnly(new Set());
  }
}
