import * as vscode from 'vscode';
import { readConfig } from '../../contributions';
import { Disposable } from '../../dispose';
import { DebugStops } from '../debugStops';
import { AllocationTip, allocationTips } from './allocationTipHover';

/**
 * The tip at a line that allocated memory since the last stop (`allocated +80.0 MiB since the last
 * stop`), in every visible editor of that file, for the program's current stop only: gone as soon
 * as it runs again. It opens no editor itself.
 */
export class AllocationTips extends Disposable {
  private readonly decoration = this.register(
    vscode.window.createTextEditorDecorationType({
      after: { color: new vscode.ThemeColor('procMemory.stopTipForeground'), margin: '0 0 0 3ch', fontStyle: 'italic' },
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    }),
  );
  private decorated = new Set<vscode.TextEditor>();

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
    const tips = this.tips();
    return vscode.window.visibleTextEditors
      .filter((editor) => this.decorated.has(editor))
      .flatMap((editor) =>
        tips
          .filter((tip) => showsFile(editor, tip))
          .map((tip) => ({ uri: editor.document.uri.toString(), line: tip.line, text: tip.text, hover: tip.hover })),
      );
  }

  private tips(): AllocationTip[] {
    if (!readConfig('inlineTips.enabled')) {
      return [];
    }
    return this.stops.currentStops.flatMap((stop) =>
      stop.allocations?.state === 'sites' ? allocationTips(stop.allocations, stop.id) : [],
    );
  }

  private render(): void {
    const tips = this.tips();
    const now = new Set<vscode.TextEditor>();
    for (const editor of vscode.window.visibleTextEditors) {
      const options: vscode.DecorationOptions[] = [];
      for (const tip of tips) {
        if (!showsFile(editor, tip) || tip.line >= editor.document.lineCount) {
          continue;
        }
        // A zero-width range at the end of the line: the hover shows reliably there.
        const end = editor.document.lineAt(tip.line).range.end;
        options.push({
          range: new vscode.Range(end, end),
          hoverMessage: new vscode.MarkdownString(tip.hover),
          renderOptions: { after: { contentText: tip.text } },
        });
      }
      if (options.length > 0 || this.decorated.has(editor)) {
        editor.setDecorations(this.decoration, options);
      }
      if (options.length > 0) {
        now.add(editor);
      }
    }
    this.decorated = now;
  }
}

function showsFile(editor: vscode.TextEditor, tip: AllocationTip): boolean {
  return editor.document.uri.scheme === 'file' && editor.document.uri.fsPath === tip.path;
}
