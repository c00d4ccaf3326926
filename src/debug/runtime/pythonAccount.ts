// Python's account at a stop: the helper module's account() (allocated blocks, gc counts,
// tracemalloc totals, glibc mallinfo2() through ctypes), through debugpy. No `vscode`.
import type { DapRequester } from '../core/dapRequester';
import { parsePythonAccount } from './accountAnswers';
import { callPythonHelper } from './pythonHelper';
import type { RuntimeAnswer } from '../core/runtimeAnswer';

export async function askPython(session: DapRequester, threadId: number | undefined): Promise<RuntimeAnswer> {
  const answer = await callPythonHelper(session, 'account', {}, { threadId });
  if (!answer.ok) {
    return { status: 'unavailable', reason: `debugpy could not evaluate in the stopped frame: ${answer.reason}` };
  }
  const parsed = parsePythonAccount(answer.value);
  return parsed.ok ? { status: 'ok', figures: parsed.figures } : { status: 'unavailable', reason: parsed.reason };
}
