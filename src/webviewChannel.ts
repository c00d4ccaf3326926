import * as vscode from 'vscode';
import { Disposable } from './dispose';

/** Every message has a literal `type`; every page starts by sending `{ type: 'ready' }`. */
type Message = { type: string };

/** What the host does with a page's messages: `onReady` answers with the full state. */
export interface ChannelHandlers<FromView extends Message> {
  onReady(): void;
  onMessage?(message: Exclude<FromView, { type: 'ready' }>): void | Promise<void>;
}

/**
 * The host's end of one webview page (vscode-hexeditor's MessageHandler, with our validation):
 * every message the page sends is parsed by its view's parser in shared/protocol/ and dropped when
 * malformed (the page renders untrusted process names); `ready` starts the conversation; `post` is
 * typed and sends nothing before the page said `ready`, since a page that has not loaded yet
 * would lose it.
 */
export class WebviewChannel<ToView extends Message, FromView extends Message> extends Disposable {
  private pageReady = false;

  constructor(
    private readonly webview: vscode.Webview,
    private readonly parse: (raw: unknown) => FromView | undefined,
    private readonly handlers: ChannelHandlers<FromView>,
  ) {
    super();
    this.register(webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)));
  }

  /** Handles one message from the page (what onDidReceiveMessage delivers); settles when its handler has. */
  async receive(raw: unknown): Promise<void> {
    const message = this.parse(raw);
    if (!message) {
      return; // not one of ours
    }
    if (message.type === 'ready') {
      this.pageReady = true;
      this.handlers.onReady();
    } else {
      await this.handlers.onMessage?.(message as Exclude<FromView, { type: 'ready' }>);
    }
  }

  /** The page has said `ready` (and has not been reloaded since). */
  get ready(): boolean {
    return this.pageReady;
  }

  /** Sends `message` when the page is ready; says whether it did. */
  post(message: ToView): boolean {
    if (!this.pageReady) {
      return false;
    }
    void this.webview.postMessage(message);
    return true;
  }
}
