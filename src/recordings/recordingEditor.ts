import * as vscode from 'vscode';
import { Commands } from '../contributions';
import { Disposable } from '../dispose';
import { RecordingComparison } from './comparisonPanel';
import { fileName, readRecordingFile } from './readRecording';
import { Recording, summarize } from './recordingFile';
import { FromRecordingView, parseFromRecordingView, ToRecordingView } from '../../shared/protocol/recording';
import { WebviewChannel } from '../webviewChannel';
import { webviewHtml, webviewOptions } from '../webviewHtml';

export const RECORDING_VIEW_TYPE = 'procMemory.recording';

/**
 * Opens `*.procmem.json` files read-only: the chart with its stops and markers, the figures at the
 * cursor and the peak. A file that is not a recording, too large, truncated or of another version
 * gets a clear message in the editor. The editor reloads when the file changes on disk.
 */
export class RecordingEditor extends Disposable implements vscode.CustomReadonlyEditorProvider {
  /** What each open editor shows now, by file URI: for tests. */
  readonly shown = new Map<string, ToRecordingView>();

  constructor(private readonly extensionUri: vscode.Uri) {
    super();
    this.register(
      vscode.window.registerCustomEditorProvider(RECORDING_VIEW_TYPE, this, {
        supportsMultipleEditorsPerDocument: true,
      }),
    );
  }

  /** Opens a panel comparing two recordings. */
  compare(a: vscode.Uri, b: vscode.Uri): Promise<RecordingComparison> {
    return RecordingComparison.open(this.extensionUri, a, b);
  }

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    const uri = document.uri;
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'recording', fileName(uri));
    const channel = new WebviewChannel<ToRecordingView, FromRecordingView>(panel.webview, parseFromRecordingView, {
      onReady: () => void show(),
      onMessage: (message) => {
        if (message.type === 'compareWith') {
          void vscode.commands.executeCommand(Commands.CompareRecordings, uri);
        }
      },
    });
    const show = async () => {
      const message = await readRecordingView(uri);
      this.shown.set(uri.toString(), message);
      channel.post(message);
    };
    const subscriptions: vscode.Disposable[] = [channel];
    // Reload when the file changes on disk (a recording written again, a file replaced).
    if (uri.scheme === 'file') {
      const slash = uri.path.lastIndexOf('/');
      const watcher = vscode.workspace.createFileSystemWatcher(
        new vscode.RelativePattern(vscode.Uri.file(uri.path.slice(0, slash) || '/'), uri.path.slice(slash + 1)),
      );
      subscriptions.push(
        watcher,
        watcher.onDidChange(() => void show()),
        watcher.onDidCreate(() => void show()),
      );
    }
    panel.onDidDispose(() => {
      this.shown.delete(uri.toString());
      subscriptions.forEach((subscription) => subscription.dispose());
    });
  }
}

/** What the recording editor shows for a file. */
export async function readRecordingView(uri: vscode.Uri): Promise<ToRecordingView> {
  const parsed = await readRecordingFile(uri);
  if (!parsed.ok) {
    return { type: 'invalid', fileName: fileName(uri), reason: parsed.reason };
  }
  return toView(
    fileName(uri),
    parsed.recording,
    parsed.fromOlderExport
      ? 'Written by an older version of Proc Memory (an export without a schema): it has no context of the run.'
      : undefined,
  );
}

function toView(fileName: string, recording: Recording, note: string | undefined): ToRecordingView {
  const { timeMs, res, shr } = recording.samples;
  const { name, ...summary } = summarize(recording);
  return {
    type: 'recording',
    fileName,
    process: { pid: recording.process.pid, name, commandLine: recording.process.commandLine },
    context: {
      ...recording.context,
      cgroupLimitBytes: recording.context.cgroupLimitBytes,
      debugSession: recording.context.debugSession,
    },
    summary,
    history: { timesMs: timeMs, res, shr },
    markers: recording.markers,
    note,
    ...(recording.task ? { task: recording.task } : {}),
  };
}
