import * as vscode from 'vscode';
import { readConfig } from '../contributions';
import { Disposable } from '../dispose';
import { DebugStops } from './debugStops';
import { allocationTips } from './allocations/allocationTipHover';
import { LineTip, LineTips } from './lineTips';

/**
 * The tip at a line that allocated memory since the last stop (`allocated +80.0 MiB since the last
 * stop`), in every visible editor of that file, for the program's current stop only: gone as soon
 * as it runs again. It opens no editor itself.
 */
export class AllocationTips extends Disposable {
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

  /** Tips drawn now: for tests. */
  get shown(): { uri: string; line: number; text: string; hover: string }[] {
    return this.lineTips.shown(this.tips());
  }

  private tips(): LineTip[] {
    if (!readConfig('inlineTips.enabled')) {
      return [];
    }
    return this.stops.currentStops
      .flatMap((stop) => (stop.allocations?.state === 'sites' ? allocationTips(stop.allocations, stop.id) : []))
      .map((tip) => ({
        uri: vscode.Uri.file(tip.path),
        line: tip.line,
        text: tip.text,
        hover: () => new vscode.MarkdownString(tip.hover),
      }));
  }

  private render(): void {
    this.lineTips.draw(this.tips());
  }
}
