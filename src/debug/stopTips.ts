import * as vscode from 'vscode';
import { readConfig } from '../contributions';
import { Disposable } from '../dispose';
import { DebugStops } from './debugStops';
import { LineTip, LineTips } from './lineTips';
import { tipHover, tipText } from './core/stopTipText';
import { accountHoverPart } from './stopTipAccess';

/**
 * The memory tip at the line where a program stopped: a muted text after the line, in every
 * visible editor of that source (also editors opened after the stop, and `debug:` sources), gone
 * as soon as the program runs again. It opens no editor itself.
 */
export class StopTips extends Disposable {
  private readonly lineTips = this.register(new LineTips());

  constructor(private readonly stops: DebugStops) {
    super();
    this.register(stops.onDidChange(() => this.render()));
    this.register(vscode.window.onDidChangeVisibleTextEditors(() => this.render()));
    this.register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('procMemory.inlineTips.enabled')) {
          this.render();
        }
      }),
    );
  }

  /** Tips drawn now, per editor URI: for tests. */
  get shown(): { uri: string; line: number; text: string; hover: string }[] {
    return this.lineTips.shown(this.tips());
  }

  private tips(): LineTip[] {
    if (!readConfig('inlineTips.enabled')) {
      return [];
    }
    return this.stops.currentStops.flatMap((stop) => {
      const { place, reading } = stop;
      if (!place || !reading) {
        return [];
      }
      return [
        {
          uri: place.uri,
          line: place.line,
          text: tipText({ ...stop, reading }),
          hover: () =>
            new vscode.MarkdownString(
              tipHover({ ...stop, reading }, (ms) => new Date(ms).toLocaleTimeString()) + accountHoverPart(stop),
            ),
          onDrawn: () => (stop.tipShownAfterMs ??= performance.now() - stop.stoppedAtPerfMs),
        },
      ];
    });
  }

  private render(): void {
    this.lineTips.draw(this.tips());
  }
}
