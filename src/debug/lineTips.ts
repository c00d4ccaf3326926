import * as vscode from 'vscode';
import { readConfig } from '../contributions';
import { Disposable } from '../dispose';

/** A muted text after one line of a source, with its hover. */
export interface LineTip {
  uri: vscode.Uri;
  /** 0-based, as editors count. */
  line: number;
  text: string;
  /** Built only for the editors that show the tip. */
  hover: () => vscode.MarkdownString;
  /** Called each time the tip is drawn in an editor. */
  onDrawn?: () => void;
}

/**
 * Tips after lines (the memory at a stop, the allocations of a line), drawn in every visible
 * editor of their source: also editors opened later and `debug:` sources. Each feature gives one
 * its `tips` and the event after which they may differ (the stops changed); the whole set is drawn
 * again then, when the visible editors change and when `procMemory.inlineTips.enabled` does.
 * Editors left without a tip are cleared.
 */
export class LineTips extends Disposable {
  private readonly decoration = this.register(
    vscode.window.createTextEditorDecorationType({
      after: { color: new vscode.ThemeColor('procMemory.stopTipForeground'), margin: '0 0 0 3ch', fontStyle: 'italic' },
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    }),
  );
  /** Editors that have a tip now, so that only they are cleared. */
  private decorated = new Set<vscode.TextEditor>();

  constructor(
    private readonly tips: () => LineTip[],
    changed: vscode.Event<unknown>,
  ) {
    super();
    this.register(changed(() => this.draw()));
    this.register(vscode.window.onDidChangeVisibleTextEditors(() => this.draw()));
    this.register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('procMemory.inlineTips.enabled')) {
          this.draw();
        }
      }),
    );
  }

  /** The tips drawn now, per editor: for tests. */
  get shown(): { uri: string; line: number; text: string; hover: string }[] {
    const tips = this.enabledTips();
    return vscode.window.visibleTextEditors
      .filter((editor) => this.decorated.has(editor))
      .flatMap((editor) =>
        tips
          .filter((tip) => showsSource(editor.document.uri, tip.uri) && tip.line < editor.document.lineCount)
          .map((tip) => ({
            uri: editor.document.uri.toString(),
            line: tip.line,
            text: tip.text,
            hover: tip.hover().value,
          })),
      );
  }

  private enabledTips(): LineTip[] {
    return readConfig('inlineTips.enabled') ? this.tips() : [];
  }

  private draw(): void {
    const tips = this.enabledTips();
    const now = new Set<vscode.TextEditor>();
    for (const editor of vscode.window.visibleTextEditors) {
      const options: vscode.DecorationOptions[] = [];
      for (const tip of tips) {
        if (!showsSource(editor.document.uri, tip.uri) || tip.line >= editor.document.lineCount) {
          continue;
        }
        // A zero-width range at the end of the line: the hover shows reliably there.
        const end = editor.document.lineAt(tip.line).range.end;
        options.push({
          range: new vscode.Range(end, end),
          hoverMessage: tip.hover(),
          renderOptions: { after: { contentText: tip.text } },
        });
        tip.onDrawn?.();
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

/** Whether an editor shows a source: the same file, or the same source served by the same debug session. */
export function showsSource(editorUri: vscode.Uri, sourceUri: vscode.Uri): boolean {
  if (sourceUri.scheme === 'debug') {
    if (editorUri.scheme !== 'debug') {
      return false;
    }
    const a = new URLSearchParams(editorUri.query);
    const b = new URLSearchParams(sourceUri.query);
    return a.get('session') === b.get('session') && a.get('ref') === b.get('ref');
  }
  if (sourceUri.scheme === 'file' && editorUri.scheme === 'file') {
    return editorUri.fsPath === sourceUri.fsPath;
  }
  return editorUri.toString() === sourceUri.toString();
}
