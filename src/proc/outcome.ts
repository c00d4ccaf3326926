/**
 * Typed outcomes for everything read from /proc. A process can vanish, refuse us, or be a kernel
 * thread at any moment; those are normal states to show, so readers return them instead of throwing.
 */

/** Why a value could not be read. */
export type ProcError =
  /** The process exited (ENOENT/ESRCH), or its PID now belongs to another process. */
  | { kind: 'gone'; detail?: string }
  /** The PID exists but now names a different process (start time changed). */
  | { kind: 'pid-reused'; detail: string }
  /** The kernel refused (EACCES/EPERM), e.g. smaps_rollup of another user's process. */
  | { kind: 'permission-denied'; detail: string }
  /** The file exists but its content is not what the kernel documents. */
  | { kind: 'malformed'; detail: string }
  /** No /proc here (not Linux, or /proc not mounted), or a file this kernel does not have. */
  | { kind: 'unsupported'; detail: string }
  /** Any other I/O error, with its code. */
  | { kind: 'io-error'; detail: string };

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ProcError };

export function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

export function fail<T = never>(error: ProcError): Outcome<T> {
  return { ok: false, error };
}

export function malformed<T = never>(detail: string): Outcome<T> {
  return fail({ kind: 'malformed', detail });
}

/** A short sentence for a person, e.g. for a tooltip or a banner. */
export function describeProcError(error: ProcError): string {
  switch (error.kind) {
    case 'gone':
      return 'The process has exited.';
    case 'pid-reused':
      return 'The process has exited and its PID now belongs to another process.';
    case 'permission-denied':
      return 'Permission denied: the kernel only shows this to the process owner or root.';
    case 'malformed':
      return `Unexpected content in /proc: ${error.detail}`;
    case 'unsupported':
      return `Not available on this system: ${error.detail}`;
    case 'io-error':
      return `Could not read /proc: ${error.detail}`;
  }
}
