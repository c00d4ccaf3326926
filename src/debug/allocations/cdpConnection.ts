import WebSocket from 'ws';

/** A CDP call that took longer than its bound: its answer, if it ever comes, is ignored. */
export class CdpTimeout extends Error {}

/**
 * A Chrome DevTools Protocol connection over a WebSocket: here the one js-debug hands out with its
 * `requestCDPProxy` request, which shares js-debug's own session with the program. Only calls;
 * events are not needed. Every call is bounded in time.
 */
export class CdpConnection {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private closedReason: string | undefined;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => this.onMessage(String(data)));
    socket.on('close', () => this.fail('the connection to the debugger closed'));
    socket.on('error', (error) => this.fail(`the connection to the debugger failed: ${error.message}`));
  }

  /** Opens `ws://host:port/path`, within `timeoutMs`. */
  static open(url: string, timeoutMs: number): Promise<CdpConnection> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new CdpTimeout(`the debugger's CDP proxy did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('open', () => {
        clearTimeout(timer);
        resolve(new CdpConnection(socket));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  get isOpen(): boolean {
    return this.closedReason === undefined && this.socket.readyState === WebSocket.OPEN;
  }

  /** Calls `method`; rejects with the protocol's error message, or CdpTimeout after `timeoutMs`. */
  call(method: string, params: Record<string, unknown> = {}, timeoutMs: number): Promise<unknown> {
    if (this.closedReason !== undefined) {
      return Promise.reject(new Error(this.closedReason));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new CdpTimeout(`${method} took longer than ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    this.fail('closed');
    this.socket.terminate();
  }

  private onMessage(text: string): void {
    let message: { id?: unknown; result?: unknown; error?: { message?: unknown } };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    const waiting = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
    if (!waiting) {
      return; // an event, or the answer to a call that timed out
    }
    this.pending.delete(message.id as number);
    if (message.error) {
      waiting.reject(new Error(String(message.error.message ?? 'CDP error')));
    } else {
      waiting.resolve(message.result);
    }
  }

  private fail(reason: string): void {
    this.closedReason ??= reason;
    for (const waiting of this.pending.values()) {
      waiting.reject(new Error(reason));
    }
    this.pending.clear();
  }
}
