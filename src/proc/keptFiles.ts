import * as fs from 'fs';
import { asText, errnoToProcError, readOpenRecordBytes } from './procFile';
import { fail, Outcome } from './outcome';

/** A kept file not read for this long is closed: its group (or process) is no longer watched. */
export const KEPT_IDLE_MS = 60_000;

/** Files kept open at most: past this, a file is read and closed as before. */
const KEPT_MAX = 64;

/**
 * Files read again and again by path (a group's memory files, memory pressure), kept open and read
 * from their start each time (pread at offset 0: the kernel writes them anew), in one system call:
 * each is printed as one record (readOpenRecordBytes). A cgroup file whose type has no seq_start
 * (every memory.* file, memory.pressure) gets kernfs's single-record ops (cgroup_init_cftypes:
 * cgroup_kf_single_ops), and /proc/pressure/* are single_open; not for files of many records such
 * as cgroup.procs, whose read stops at a page. Opening a kernfs
 * file walks its path: at one reading a second, open and close were most of what reading a group
 * cost (5 memory files: 0.35 ms opened each time, 0.07 ms kept, Node 20). A kept fd that fails (its
 * group removed: ENODEV; its process gone: ESRCH) is closed and the file opened once anew, so the
 * answer is the path's as it is now. So it is for files that a path names (a group's, the
 * system's), not a process's own: those stay with the process they were opened for (ProcessFiles),
 * where a reopened /proc/PID/ path could name another process that took the PID.
 */
export class KeptFiles {
  private readonly open = new Map<string, { fd: number; usedAtMs: number }>();
  private sweptAtMs: number;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.sweptAtMs = now();
  }

  /** How many files are kept open: for tests. */
  get keptCount(): number {
    return this.open.size;
  }

  /** The file at `path`, read whole: a view of the shared read buffer (procFile.ts). */
  read(path: string): Outcome<Buffer> {
    const now = this.now();
    this.closeIdle(now);
    const kept = this.open.get(path);
    if (kept) {
      const bytes = readOpenRecordBytes(kept.fd, path);
      if (bytes.ok) {
        kept.usedAtMs = now;
        return bytes;
      }
      this.close(path);
    }
    let fd: number;
    try {
      fd = fs.openSync(path, 'r');
    } catch (error) {
      return fail(errnoToProcError(error, path));
    }
    const bytes = readOpenRecordBytes(fd, path);
    if (bytes.ok && this.open.size < KEPT_MAX) {
      this.open.set(path, { fd, usedAtMs: now });
    } else {
      fs.closeSync(fd);
    }
    return bytes;
  }

  /** read() as text. */
  readonly readText = (path: string): Outcome<string> => asText(this.read(path));

  dispose(): void {
    for (const path of [...this.open.keys()]) {
      this.close(path);
    }
  }

  private closeIdle(now: number): void {
    if (now - this.sweptAtMs < KEPT_IDLE_MS / 2) {
      return;
    }
    this.sweptAtMs = now;
    for (const [path, kept] of this.open) {
      if (now - kept.usedAtMs >= KEPT_IDLE_MS) {
        this.close(path);
      }
    }
  }

  private close(path: string): void {
    const kept = this.open.get(path);
    this.open.delete(path);
    if (kept) {
      fs.closeSync(kept.fd);
    }
  }
}
