// The one check of what a PID is, for everything that receives one from outside: adapter messages,
// launch configurations, command arguments, webview messages, saved panel state, /proc files.

/** The largest PID Linux hands out (PID_MAX_LIMIT, 2^22). */
export const PID_MAX = 2 ** 22;

/** An integer from 1 to PID_MAX. */
export function isPid(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= PID_MAX;
}

/** A PID given as a number or as a string of digits (configurations, arguments), or undefined. */
export function parsePid(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^\s*\d{1,10}\s*$/.test(value) ? Number(value) : value;
  return isPid(number) ? number : undefined;
}
