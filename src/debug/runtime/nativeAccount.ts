// A native program's account at a stop: glibc's mallinfo2(), called through lldb with a struct
// the expression declares itself (no libc debug symbols needed). mallinfo2() takes every arena's
// lock, so it is not called while any thread is stopped inside the allocator, and lldb is told to
// run only the stopped thread, for at most LLDB_TIMEOUT_US. No `vscode`.
import type { DapRequester } from '../core/dapRequester';
import { describeDapError, requestAtStop, topFrameId } from './evaluateAtStop';
import { isMallocFrame, MALLINFO2_FIELDS, parseLldbMallinfo } from './accountAnswers';
import type { RuntimeAnswer } from '../core/runtimeAnswer';

/** How long lldb lets the call run before it interrupts it (µs): well within our own bound for the answer (EVALUATE_TIMEOUT_MS). */
const LLDB_TIMEOUT_US = 1_500_000;
/** Frames per thread looked at: malloc may sit under an mmap or a lock wait it called. */
const FRAMES_CHECKED = 4;
/** Beyond this many threads the check would cost more than a stop should: skip, and say so. */
const MAX_THREADS = 256;

const DECLARE = `expression struct $procmem_mallinfo2 { unsigned long ${MALLINFO2_FIELDS.join(', ')}; }`;
const CALL =
  `expression --timeout ${LLDB_TIMEOUT_US} --all-threads false --ignore-breakpoints true --unwind-on-error true -- ` +
  '((struct $procmem_mallinfo2 (*)(void))mallinfo2)()';

/**
 * How an adapter runs an lldb command from `evaluate`: lldb-vscode and lldb-dap take a backtick
 * in the `repl` context; CodeLLDB takes the `_command` context.
 */
function commandRequest(debugType: string, command: string, frameId: number): unknown {
  return /^lldb$/i.test(debugType)
    ? { expression: command, frameId, context: '_command' }
    : { expression: `\`${command}`, frameId, context: 'repl' };
}

export async function askNative(
  session: DapRequester & { type: string },
  threadId: number | undefined,
): Promise<RuntimeAnswer> {
  const guard = await threadInsideMalloc(session);
  if (guard) {
    return { status: 'unavailable', reason: guard };
  }
  let frameId: number | undefined;
  try {
    frameId = await topFrameId(session, threadId);
  } catch (error) {
    return { status: 'unavailable', reason: `lldb gave no frame to evaluate in: ${describeDapError(error)}` };
  }
  if (frameId === undefined) {
    return { status: 'unavailable', reason: 'lldb gave no frame to evaluate in' };
  }
  // Declaring the struct again is harmless; its error (already declared) is ignored.
  await requestAtStop(session, 'evaluate', commandRequest(session.type, DECLARE, frameId));
  const called = await requestAtStop(session, 'evaluate', commandRequest(session.type, CALL, frameId));
  if (!called.ok) {
    return { status: 'unavailable', reason: `lldb could not call mallinfo2(): ${called.reason}` };
  }
  const output = (called.body as { result?: unknown } | undefined)?.result;
  const parsed = parseLldbMallinfo(typeof output === 'string' ? output : '');
  if ('error' in parsed) {
    return { status: 'unavailable', reason: describeCallError(parsed.error) };
  }
  return { status: 'ok', figures: { runtime: 'native', malloc: parsed } };
}

/** Why the call is not made (a thread inside malloc, or the threads could not be read), or undefined. */
async function threadInsideMalloc(session: DapRequester): Promise<string | undefined> {
  const listed = await requestAtStop(session, 'threads', undefined);
  if (!listed.ok) {
    return `the threads could not be listed to rule out a deadlock: ${listed.reason}`;
  }
  const threads = ((listed.body as { threads?: { id?: unknown; name?: unknown }[] } | undefined)?.threads ?? []).filter(
    (thread): thread is { id: number; name?: unknown } => typeof thread.id === 'number',
  );
  if (threads.length > MAX_THREADS) {
    return `the program has ${threads.length} threads: checking that none is inside malloc would slow every stop`;
  }
  for (const thread of threads) {
    const stack = await requestAtStop(session, 'stackTrace', {
      threadId: thread.id,
      startFrame: 0,
      levels: FRAMES_CHECKED,
    });
    if (!stack.ok) {
      return `thread ${thread.id}'s stack could not be read to rule out a deadlock: ${stack.reason}`;
    }
    const frames = (stack.body as { stackFrames?: { name?: unknown }[] } | undefined)?.stackFrames ?? [];
    const inside = frames.find((frame) => typeof frame.name === 'string' && isMallocFrame(frame.name));
    if (inside) {
      const name = typeof thread.name === 'string' ? ` (${thread.name.slice(0, 60)})` : '';
      return (
        `thread ${thread.id}${name} is stopped inside the allocator (${String(inside.name).slice(0, 80)}): ` +
        'calling mallinfo2() could wait forever for the arena lock it holds, so it was not called'
      );
    }
  }
  return undefined;
}

function describeCallError(error: string): string {
  if (/mallinfo2/.test(error) && /undeclared|unknown|not found|no symbol/i.test(error)) {
    return "the program's C library has no mallinfo2() (musl, or glibc older than 2.33)";
  }
  if (/timed out|interrupted/i.test(error)) {
    return `mallinfo2() did not return within ${LLDB_TIMEOUT_US / 1e6} s and lldb interrupted it (${error})`;
  }
  return `lldb could not call mallinfo2(): ${error}`;
}
