import { readProcText } from './procFile';

/**
 * The most characters of a command line kept (then an ellipsis). Linux allows about 2 MB of
 * arguments, and a snapshot with the command line goes to every open panel with each reading and
 * into every row of the process picker: a 1 MB argv would be posted once a second.
 */
export const COMMAND_LINE_MAX_CHARS = 16 * 1024;
/** A UTF-8 character is at most 4 bytes: reading this much always gives more than the limit when the file is longer. */
const MAX_BYTES = 4 * COMMAND_LINE_MAX_CHARS + 4;

/**
 * argv of a process joined by spaces (/proc/PID/cmdline is NUL-separated), cut to
 * COMMAND_LINE_MAX_CHARS characters and an ellipsis; empty for kernel threads, zombies and
 * processes gone.
 */
export function readCommandLine(dir: string): string {
  const text = readProcText(`${dir}/cmdline`, MAX_BYTES);
  if (!text.ok) {
    return '';
  }
  const line = text.value.replace(/\0+$/, '').replace(/\0/g, ' ');
  if (line.length <= COMMAND_LINE_MAX_CHARS) {
    return line;
  }
  // Never cut a surrogate pair in two.
  const cut = /[\ud800-\udbff]/.test(line.charAt(COMMAND_LINE_MAX_CHARS - 1))
    ? COMMAND_LINE_MAX_CHARS - 1
    : COMMAND_LINE_MAX_CHARS;
  return `${line.slice(0, cut)}…`;
}
