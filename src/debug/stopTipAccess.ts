import * as vscode from 'vscode';
import { readConfig } from '../contributions';
import { Disposable } from '../dispose';
import { FocusTracker } from '../focusTracker';
import { identityKey } from '../proc/processIdentity';
import { StatusBar } from '../statusBar';
import { stopAccountLine } from '../../shared/runtimeAccount';
import { DebugStops, Stop } from './debugStops';
import { accountMarkdown } from './runtime/accountMarkdown';
import { stopAccount } from './core/runtimeAnswer';
import { tipHover, tipText } from './core/stopTipText';

/**
 * The stop tip where a screen reader gets it: a screen reader never reads an editor decoration. A
 * hover on the stopped line (Show Hover, Ctrl+K Ctrl+I, opens it from the keyboard at the cursor;
 * over the tip itself the mouse gets the decoration's own, the same text), and the status bar item's accessibility label while the process it
 * shows is stopped.
 */
export class StopTipAccess extends Disposable {
  constructor(
    private readonly stops: DebugStops,
    private readonly focus: FocusTracker,
    private readonly statusBar: StatusBar,
  ) {
    super();
    const provider: vscode.HoverProvider = { provideHover: (document, position) => this.hover(document, position) };
    this.register(vscode.languages.registerHoverProvider([{ scheme: 'file' }, { scheme: 'debug' }], provider));
    this.register(stops.onDidChange(() => this.announce()));
    this.register(focus.onDidChange(() => this.announce()));
  }

  /** The hover's Markdown at a line, if a stop is there: for tests and the provider. */
  hoverAt(uri: vscode.Uri, line: number): string | undefined {
    const stop = this.stopAt(uri, line);
    if (!stop?.reading) {
      return undefined;
    }
    return (
      tipHover({ ...stop, reading: stop.reading }, (ms) => new Date(ms).toLocaleTimeString()) + accountHoverPart(stop)
    );
  }

  /** What the status bar item's accessibility label adds while the focused process is stopped. */
  spokenStop(): string | undefined {
    const target = this.focus.current;
    const stop = target
      ? this.stops.currentStops.find(
          (candidate) => candidate.identity && identityKey(candidate.identity) === identityKey(target.identity),
        )
      : undefined;
    if (!stop?.reading || !readConfig('inlineTips.enabled')) {
      return undefined;
    }
    const where = stop.place ? ` at ${stop.place.label.file} line ${stop.place.label.line}` : '';
    const account = stopAccountLine(stopAccount(stop));
    return `stopped${where}: ${tipText({ ...stop, reading: stop.reading })}${account ? `. ${account}` : ''}`;
  }

  private hover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    // At the end of the line the tip's own decoration hover answers (the mouse over the tip).
    if (position.line < document.lineCount && position.character >= document.lineAt(position.line).text.length) {
      return undefined;
    }
    const markdown = this.hoverAt(document.uri, position.line);
    return markdown === undefined ? undefined : new vscode.Hover(new vscode.MarkdownString(markdown));
  }

  private stopAt(uri: vscode.Uri, line: number): Stop | undefined {
    if (!readConfig('inlineTips.enabled')) {
      return undefined;
    }
    return this.stops.currentStops.find((stop) => stop.place?.line === line && sameSource(uri, stop.place.uri));
  }

  private announce(): void {
    this.statusBar.setStopLabel(this.spokenStop());
  }
}

/** The runtime's account, as the end of the stop tip's hover (empty where none was asked). */
export function accountHoverPart(stop: Stop): string {
  const account = accountMarkdown(stopAccount(stop));
  return account ? `\n\n${account}` : '';
}

function sameSource(a: vscode.Uri, b: vscode.Uri): boolean {
  if (a.scheme === 'file' && b.scheme === 'file') {
    return a.fsPath === b.fsPath;
  }
  if (a.scheme === 'debug' && b.scheme === 'debug') {
    const x = new URLSearchParams(a.query);
    const y = new URLSearchParams(b.query);
    return x.get('session') === y.get('session') && x.get('ref') === y.get('ref');
  }
  return a.toString() === b.toString();
}
