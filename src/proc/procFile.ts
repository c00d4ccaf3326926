import * as fs from 'fs';
import { fail, ok, Outcome, ProcError } from './outcome';

// One buffer reused for every read: /proc files report size 0, so readFileSync would stat, then
// grow a buffer chunk by chunk. open + read into a warm buffer + close is the cheapest path from
// Node (see bench/), and sync reads of procfs never block on disk.
let buffer = Buffer.allocUnsafe(64 * 1024);

/**
 * Reads a whole /proc file as text (or its first `maxBytes`), mapping errno codes to typed
 * outcomes.
 */
export function readProcText(path: string, maxBytes = Infinity): Outcome<string> {
  return asText(readProcBytes(path, maxBytes));
}

/**
 * Reads a whole /proc file (or its first `maxBytes`) as bytes: a view of the one shared buffer,
 * good until the next read. For a caller that compares them with the last read's before it
 * decodes anything (parseUnlessSame).
 */
export function readProcBytes(path: string, maxBytes = Infinity): Outcome<Buffer> {
  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (error) {
    return fail(errnoToProcError(error, path));
  }
  try {
    return readOpenProcBytes(fd, path, maxBytes);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads a /proc file that is already open, from its start (pread at offset 0: the kernel writes
 * the file anew, so an fd kept open gives a fresh reading each time). `path` names it in errors.
 */
export function readOpenProcText(fd: number, path: string, maxBytes = Infinity): Outcome<string> {
  return asText(readOpenProcBytes(fd, path, maxBytes));
}

/** readOpenProcText as bytes: a view of the shared buffer, good until the next read. */
export function readOpenProcBytes(fd: number, path: string, maxBytes = Infinity): Outcome<Buffer> {
  try {
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, length);
        buffer = bigger;
      }
      const read = fs.readSync(fd, buffer, length, Math.min(buffer.length, maxBytes) - length, length);
      if (read === 0) {
        break;
      }
      length += read;
      if (length >= maxBytes) {
        break;
      }
    }
    return ok(buffer.subarray(0, length));
  } catch (error) {
    return fail(errnoToProcError(error, path));
  }
}

/**
 * readOpenProcBytes for a file the kernel prints as one record (single_open: a process's stat,
 * statm, status): it prints the whole file into a buffer of its own, then copies as much as asked,
 * so a read that returns less than the buffer holds returned all of it. One system call where
 * readOpenProcBytes makes two (the second to see the end); a read that fills the buffer goes on as
 * there.
 */
export function readOpenRecordBytes(fd: number, path: string): Outcome<Buffer> {
  try {
    const read = fs.readSync(fd, buffer, 0, buffer.length, 0);
    if (read < buffer.length) {
      return ok(buffer.subarray(0, read));
    }
  } catch (error) {
    return fail(errnoToProcError(error, path));
  }
  return readOpenProcBytes(fd, path);
}

/** A read's bytes decoded as text (UTF-8), or its error. */
export function asText(bytes: Outcome<Buffer>): Outcome<string> {
  return bytes.ok ? ok(bytes.value.toString('utf8')) : bytes;
}

/** Maps a Node fs error to what it means for a process. */
export function errnoToProcError(error: unknown, path: string): ProcError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ESRCH':
      return { kind: 'gone', detail: path };
    case 'EACCES':
    case 'EPERM':
      return { kind: 'permission-denied', detail: path };
    default:
      return { kind: 'io-error', detail: `${code ?? String(error)} reading ${path}` };
  }
}
