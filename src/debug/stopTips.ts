import * as vscode from 'vscode';
import { readConfig } from '../contributions';
import { Disposable } from '../dispose';
import { DebugStops, Stop } from './debugStops';
import { tipHover, tipText } from './stopTipText';
import { accountHoverPart } from './stopTipAccess';

/**
 * The memory tip at the line where a program stopped: a muted text after the line, in every
 * visible editor of that source (also editors opened after the stop, and `debug:` sources), gone
 * as soon as the program runs again. It opens no editor itself.
 */
export class StopTips extends Disposable {
  private readonly decoration = this.register(
    vscode.window.createTextEditorDecorationType({
      after: { color: new vscode.ThemeColor('procMemory.stopTipForeground'), margin: '0 0 0 3ch', fontStyle: 'italic' },
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    }),
  );
  /** Editors that have a tip now, so that only they are cleared. */
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

  /** Tips drawn now, per editor URI: for tests. */
  get shown(): { uri: string; line: number; text: string }[] {
    return this.tips().flatMap(({ stop, text }) =>
      vscode.window.visibleTextEditors
        .filter((editor) => this.decorated.has(editor) && showsSource(editor.document.uri, stop.place!.uri))
        .map((editor) => ({ uri: editor.document.uri.toString(), line: stop.place!.line, text })),
    );
  }

  private tips(): { stop: Stop; text: string }[] {
    if (!readConfig('inlineTips.enabled')) {
      return [];
    }
    return this.stops.currentStops.flatMap((stop) =>
      stop.place && stop.reading ? [{ stop, text: tipText({ ...stop, reading: stop.reading }) }] : [],
    );
  }

  private render(): void {
    const tips = this.tips();
    const now = new Set<vscode.TextEditor>();
    for (const editor of vscode.window.visibleTextEditors) {
      const options: vscode.DecorationOptions[] = [];
      for (const { stop, text } of tips) {
        const place = stop.place!;
        if (!showsSource(editor.document.uri, place.uri) || place.line >= editor.document.lineCount) {
          continue;
        }
        // A zero-width range at the end of the line: the hover shows reliably there.
        const end = editor.document.lineAt(place.line).range.end;
        const hover = new vscode.MarkdownString(
          tipHover({ ...stop, reading: stop.reading! }, (ms) => new Date(ms).toLocaleTimeString()) +
            accountHoverPart(stop),
        );
        options.push({
          range: new vscode.Range(end, end),
          hoverMessage: hover,
          renderOptions: { after: { contentText: text } },
        });
        stop.tipShownAfterMs ??= performance.now() - stop.stoppedAtPerfMs;
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

/** Whether an editor shows a stop's source: the same file, or the same source served by the same debug session. */
function showsSource(editorUri: vscode.Uri, sourceUri: vscode.Uri): boolean {
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
