import { malformed, ok, Outcome } from './outcome';
import { readProcText } from './procFile';

/**
 * MemAvailable from /proc/meminfo: the kernel's estimate of how much memory can be given to new
 * work without swapping (free memory plus the page cache and slab it can reclaim), in bytes.
 */
export function readMemAvailable(procRoot = '/proc'): Outcome<number> {
  const text = readProcText(`${procRoot}/meminfo`);
  if (!text.ok) {
    return text;
  }
  return parseMemAvailable(text.value);
}

export function parseMemAvailable(text: string): Outcome<number> {
  const match = /^MemAvailable:\s+(\d{1,15}) kB$/m.exec(text);
  return match
    ? ok(Number(match[1]) * 1024)
    : malformed('no "MemAvailable: N kB" line in meminfo (Linux before 3.14?)');
}
