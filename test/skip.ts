// Skips that say why, in a line scripts/test.mjs reads: every skipped test is named in the
// summary, and with CI=true a skip fails the run unless its reason is on the allow list there
// (ALLOWED_SKIPS), confirmed by a probe of this machine. Shared by the unit and integration suites
// (no `vscode` import).

/**
 * Why a test cannot run here. Each reason that CI may accept has a probe in scripts/test.mjs;
 * the others (a race lost ten times, a missing API) fail a CI run.
 */
export type SkipReason =
  /** Not running as root (uid 0). */
  | 'no-root'
  /** No cgroup v1 memory controller at /sys/fs/cgroup/memory (a cgroup v2-only host). */
  | 'no-cgroup-v1-memory'
  /** No `setpriv` on PATH (util-linux). */
  | 'no-setpriv'
  /** No kernel thread visible in /proc (a PID namespace, e.g. a container). */
  | 'no-kernel-threads-visible'
  /** /proc/sys/kernel/ns_last_pid cannot be written (not root, or a read-only /proc/sys). */
  | 'ns-last-pid-not-writable'
  /** The environment did something the test cannot control (another process took a PID). */
  | 'environment-race'
  /** setpriv exists but could not run node as nobody. */
  | 'setpriv-failed'
  /** The extension did not hand its API to the tests. */
  | 'no-extension-api';

/** The line's prefix; scripts/test.mjs parses `SKIP-REASON <reason> <title> :: <detail>`. */
export const SKIP_MARK = 'SKIP-REASON';

interface SkippableContext {
  skip(): never;
  test?: { title: string; type?: string; fullTitle(): string; parent?: { tests: { fullTitle(): string }[] } };
  currentTest?: { fullTitle(): string };
}

/**
 * Skips the running test (or, from a before hook, the tests of its block) and prints one line per
 * skipped test with the reason, for the summary.
 */
export function skipBecause(context: SkippableContext, reason: SkipReason, detail: string): never {
  const runnable = context.test;
  const titles =
    runnable?.type === 'hook'
      ? (runnable.parent?.tests ?? []).map((test) => test.fullTitle())
      : [runnable?.fullTitle() ?? '?'];
  for (const title of titles) {
    console.log(`${SKIP_MARK} ${reason} ${title.replace(/\s+/g, ' ')} :: ${detail.replace(/\s+/g, ' ')}`);
  }
  return context.skip();
}
