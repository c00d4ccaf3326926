// Calls a function of the helper module `_procmem` in a stopped Python program (debugpy/pydevd),
// through one DAP `evaluate`. The module is created in `sys.modules` (loaded once, and again when
// its source changes), never in the user's locals or globals; the evaluated expression binds no
// name in the frame (a lambda's argument is its own scope). No `vscode`.
import { createHash } from 'node:crypto';
import type { DapRequester } from '../core/dapRequester';
import { evaluateAtStop, EvaluateOptions, unquoteResult } from './evaluateAtStop';
import { PYTHON_HELPER_PARTS } from './pythonHelperSource';

/** The module's name in `sys.modules`. */
export const PYTHON_HELPER_MODULE = '_procmem';
/** The file name its code objects carry, so tracebacks and tracemalloc filters can tell it apart. */
export const PYTHON_HELPER_FILENAME = '<procmem helper>';

const SOURCE = PYTHON_HELPER_PARTS.join('\n');
const SOURCE_ID = createHash('sha256').update(SOURCE).digest('hex').slice(0, 16);

/** A JSON string is a valid Python string literal (JSON.stringify never writes `\/`). */
function pythonString(text: string): string {
  return JSON.stringify(text);
}

/**
 * The expression that loads the helper if needed and calls `functionName(**args)`, evaluating to
 * a JSON string `{"ok": true, "value": …}` or `{"ok": false, "error": "…"}`.
 */
export function pythonHelperExpression(functionName: string, args: Record<string, unknown> = {}): string {
  const load =
    `m.__dict__.get('_SOURCE_ID') == ${pythonString(SOURCE_ID)} or ` +
    `[exec(compile(${pythonString(SOURCE)}, ${pythonString(PYTHON_HELPER_FILENAME)}, 'exec'), m.__dict__), ` +
    `m.__dict__.__setitem__('_SOURCE_ID', ${pythonString(SOURCE_ID)})]`;
  const call = `m._answer(${pythonString(functionName)}, ${pythonString(JSON.stringify(args))})`;
  return (
    `(lambda m: [${load}, ${call}][-1])` +
    `(__import__('sys').modules.setdefault(${pythonString(PYTHON_HELPER_MODULE)}, ` +
    `__import__('types').ModuleType(${pythonString(PYTHON_HELPER_MODULE)})))`
  );
}

export type HelperAnswer = { ok: true; value: unknown } | { ok: false; reason: string; timedOut?: boolean };

/** What the adapter returned for a helper call: the function's value, or why there is none. */
export function parsePythonHelperAnswer(result: string): HelperAnswer {
  const text = unquoteResult(result);
  if (text === undefined) {
    return { ok: false, reason: `the answer was cut or malformed: ${preview(result)}` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not our JSON: pydevd's own error text ("Traceback…", "NameError…") or garbage.
    return { ok: false, reason: `the program answered ${preview(text)}` };
  }
  const answer = parsed as { ok?: unknown; value?: unknown; error?: unknown } | null;
  if (answer?.ok === true && 'value' in answer) {
    return { ok: true, value: answer.value };
  }
  if (answer?.ok === false && typeof answer.error === 'string') {
    return { ok: false, reason: `the helper failed: ${answer.error}` };
  }
  return { ok: false, reason: `the program answered ${preview(text)}` };
}

/** Calls `functionName(**args)` of the helper in the stopped frame, within the time bound. */
export async function callPythonHelper(
  session: DapRequester,
  functionName: string,
  args: Record<string, unknown> = {},
  options: EvaluateOptions = {},
): Promise<HelperAnswer> {
  const evaluation = await evaluateAtStop(session, pythonHelperExpression(functionName, args), options);
  if (!evaluation.ok) {
    return evaluation;
  }
  return parsePythonHelperAnswer(evaluation.text);
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > 80 ? `${flat.slice(0, 79)}…` : flat);
}
