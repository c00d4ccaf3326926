import { readProcText } from './procFile';

/** argv of a process joined by spaces (/proc/PID/cmdline is NUL-separated); empty for kernel threads, zombies and processes gone. */
export function readCommandLine(dir: string): string {
  const text = readProcText(`${dir}/cmdline`);
  return text.ok ? text.value.replace(/\0+$/, '').replace(/\0/g, ' ') : '';
}
