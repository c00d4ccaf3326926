// The webview side of the message channel. `acquireVsCodeApi` may be called only once per page,
// so every view gets its handle from here.

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** A typed handle on the host: `TOut` is what this page may send, `TState` what it keeps across hide/show. */
export interface HostChannel<TOut, TState> {
  post(message: TOut): void;
  /** The saved state, checked by `parse` (it may come from an older version of the page). */
  loadState(): TState;
  /** VS Code keeps it while the page is hidden and hands it to the panel serializer on restart. */
  saveState(state: TState): void;
}

let api: VsCodeApi | undefined;

export function connectToHost<TOut, TState>(parse: (saved: unknown) => TState): HostChannel<TOut, TState> {
  api ??= acquireVsCodeApi();
  const host = api;
  return {
    post: (message) => host.postMessage(message),
    loadState: () => parse(host.getState()),
    saveState: (state) => host.setState(state),
  };
}

/** Calls `handler` with each message the host posts that has a string `type`; anything else is ignored. */
export function onHostMessage<TIn extends { type: string }>(handler: (message: TIn) => void): void {
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const data = event.data;
    if (typeof data === 'object' && data !== null && typeof (data as { type?: unknown }).type === 'string') {
      handler(data as TIn);
    }
  });
}
