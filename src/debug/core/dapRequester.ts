// What sends Debug Adapter Protocol requests, and the thread a request names. No `vscode`: a
// `vscode.DebugSession` is a DapRequester, and so is a scripted adapter in a unit test.

/** What sends DAP requests: a `vscode.DebugSession` is one. */
export interface DapRequester {
  customRequest(command: string, args?: unknown): Thenable<unknown>;
}

/**
 * The thread a request that needs one (`stackTrace`, `pause`) names: the thread that stopped, when
 * it is known, else the first thread the adapter lists (as VS Code does for a stop without a thread).
 * Undefined when the adapter lists none. Throws what the `threads` request throws.
 */
export async function threadForRequest(
  session: DapRequester,
  knownThread: number | undefined,
): Promise<number | undefined> {
  if (knownThread !== undefined) {
    return knownThread;
  }
  const body = (await session.customRequest('threads')) as { threads?: { id?: unknown }[] } | undefined;
  const first = body?.threads?.[0]?.id;
  return typeof first === 'number' ? first : undefined;
}
