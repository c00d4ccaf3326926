// Node's account at a stop: process.memoryUsage() and V8's heap statistics, through one DAP
// `evaluate` in the stopped frame (js-debug). No `vscode`.
import type { DapRequester } from '../core/dapRequester';
import { evaluateAtStop } from './evaluateAtStop';
import { NODE_ACCOUNT_EXPRESSION, parseNodeAnswer } from './accountAnswers';
import type { RuntimeAnswer } from '../core/runtimeAnswer';

export async function askNode(session: DapRequester, threadId: number | undefined): Promise<RuntimeAnswer> {
  const evaluation = await evaluateAtStop(session, NODE_ACCOUNT_EXPRESSION, { threadId });
  if (!evaluation.ok) {
    return { status: 'unavailable', reason: `js-debug could not evaluate in the stopped frame: ${evaluation.reason}` };
  }
  const parsed = parseNodeAnswer(evaluation.text);
  return parsed.ok ? { status: 'ok', figures: parsed.figures } : { status: 'unavailable', reason: parsed.reason };
}
