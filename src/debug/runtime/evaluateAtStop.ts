// A bounded DAP `evaluate` in the stopped thread's top frame, for features that ask the stopped
// program about itself (the runtime's account of its memory, allocation sites). No `vscode`: the
// session is anything that sends DAP requests, so unit tests can give it a real adapter or a
// scripted one.
import { DapRequester, threadForRequest } from '../core/dapRequester';

/** What an evaluation gave: the result text, or a reason in words why there is none. */
export type Evaluation = { ok: true; text: string } | { ok: false; reason: string; timedOut?: boolean };

/**
 * How long to wait for one answer before reporting it as timed out. Nothing waits on it (stepping
 * never does), so it is long enough for a machine busy with a build: 2 s timed out under load.
 */
export const EVALUATE_TIMEOUT_MS = 5000;

export interface EvaluateOptions {
  /** The frame to evaluate in; without it, the thread's top frame (asked with `stackTrace` levels 1). */
  frameId?: number;
  /** The stopped thread, used to find the top frame when there is no frameId. */
  threadId?: number;
  /**
   * DAP context. `clipboard` (the default) because adapters cut strings in the others: js-debug at
   * 1 000 characters in `watch`, pydevd at 65 536 unless `clipboard`.
   */
  context?: string;
  timeoutMs?: number;
}

/**
 * Evaluates `expression` in a frame of the stopped program and returns the adapter's `result`
 * text (still quoted as the runtime prints a string: see `unquoteResult`). Never throws; past the
 * time bound the answer, if it comes later, is dropped.
 */
export async function evaluateAtStop(
  session: DapRequester,
  expression: string,
  options: EvaluateOptions = {},
): Promise<Evaluation> {
  const timeoutMs = options.timeoutMs ?? EVALUATE_TIMEOUT_MS;
  return withTimeout(timeoutMs, async (): Promise<Evaluation> => {
    const frameId = options.frameId ?? (await topFrameId(session, options.threadId));
    if (frameId === undefined) {
      return { ok: false, reason: 'the debugger gave no stack frame to evaluate in' };
    }
    const body = (await session.customRequest('evaluate', {
      expression,
      frameId,
      context: options.context ?? 'clipboard',
    })) as { result?: unknown } | undefined;
    return typeof body?.result === 'string'
      ? { ok: true, text: body.result }
      : { ok: false, reason: 'the debugger answered without a result' };
  });
}

/** Sends one DAP request within the time bound: its body, or why there is none. */
export async function requestAtStop(
  session: DapRequester,
  command: string,
  args: unknown,
  timeoutMs = EVALUATE_TIMEOUT_MS,
): Promise<{ ok: true; body: unknown } | { ok: false; reason: string; timedOut?: boolean }> {
  return withTimeout(timeoutMs, async () => ({ ok: true as const, body: await session.customRequest(command, args) }));
}

/** The id of a thread's top frame (`stackTrace` levels 1); the first thread's when no thread is given. */
export async function topFrameId(session: DapRequester, threadId: number | undefined): Promise<number | undefined> {
  const thread = await threadForRequest(session, threadId);
  if (thread === undefined) {
    return undefined;
  }
  const body = (await session.customRequest('stackTrace', { threadId: thread, startFrame: 0, levels: 1 })) as
    | { stackFrames?: { id?: unknown }[] }
    | undefined;
  const id = body?.stackFrames?.[0]?.id;
  return typeof id === 'number' ? id : undefined;
}

/**
 * A result as the runtime printed a string: `'…'` or `"…"` quoted with escapes (Python's repr,
 * js-debug outside `clipboard`), or bare. Returns the string itself, or undefined when the text is
 * quoted but cut or malformed.
 */
export function unquoteResult(text: string): string | undefined {
  const trimmed = text.trim();
  const quote = trimmed[0];
  if (quote !== "'" && quote !== '"') {
    return trimmed;
  }
  if (trimmed.length < 2 || trimmed[trimmed.length - 1] !== quote) {
    return undefined;
  }
  const body = trimmed.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const char = body[i];
    if (char === quote) {
      return undefined; // an unescaped quote inside: not one string
    }
    if (char !== '\\') {
      out += char;
      continue;
    }
    const next = body[++i];
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };
    if (next === undefined) {
      return undefined;
    }
    if (next in simple) {
      out += simple[next];
    } else if (next === 'x' || next === 'u') {
      const digits = body.slice(i + 1, i + 1 + (next === 'x' ? 2 : 4));
      if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== (next === 'x' ? 2 : 4)) {
        return undefined;
      }
      out += String.fromCharCode(parseInt(digits, 16));
      i += digits.length;
    } else {
      return undefined;
    }
  }
  return out;
}

/** DAP errors in words: the adapter's message, never a stack. */
export function describeDapError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n')[0].trim();
  return line.length > 0 ? (line.length > 200 ? `${line.slice(0, 199)}…` : line) : 'the debugger refused';
}

async function withTimeout<T extends { ok: boolean }>(
  timeoutMs: number,
  work: () => Promise<T>,
): Promise<T | { ok: false; reason: string; timedOut: true } | { ok: false; reason: string }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<{ ok: false; reason: string; timedOut: true }>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, reason: `the debugger did not answer within ${timeoutMs / 1000} s`, timedOut: true }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([
      work().catch((error: unknown) => ({ ok: false as const, reason: describeDapError(error) })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
