import * as fs from 'fs';
import { errnoToProcError, readOpenRecordBytes } from './procFile';
import { fail, Outcome } from './outcome';

/**
 * The /proc files of one watched process (stat, statm, status), kept open and read again from
 * their start at each reading: an open and a close less per file and reading (bench/: about a
 * third of what reading them costs). An fd keeps naming the process it was opened for: once that
 * process is reaped, its reads fail with ESRCH ("gone"), even after another process took its PID.
 */
export class ProcessFiles {
  private readonly open = new Map<string, number>();

  /**
   * The file at `path` (one of the process's, printed as one record: stat, statm, status), read
   * whole: a view of the shared read buffer (procFile.ts).
   */
  read(path: string): Outcome<Buffer> {
    let fd = this.open.get(path);
    if (fd === undefined) {
      try {
        fd = fs.openSync(path, 'r');
      } catch (error) {
        return fail(errnoToProcError(error, path));
      }
      this.open.set(path, fd);
    }
    return readOpenRecordBytes(fd, path);
  }

  close(): void {
    for (const fd of this.open.values()) {
      fs.closeSync(fd);
    }
    this.open.clear();
  }
}
