import * as vscode from 'vscode';
import { Disposable } from './dispose';
import { parseRecording, MAX_RECORDING_BYTES, Recording } from './recordingFile';
import { parseFromRecordingView, ToRecordingView } from './protocol';
import { webviewHtml, webviewOptions } from './webviewHtml';

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
    this.register(vscode.window.registerCustomEditorProvider(RECORDING_VIEW_TYPE, this, { supportsMultipleEditorsPerDocument: true }));
  }

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    const uri = document.uri;
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'recording', fileName(uri));
    let ready = false;
    const show = async () => {
      const message = await readRecordingView(uri);
      this.shown.set(uri.toString(), message);
      if (ready) {
        void panel.webview.postMessage(message);
      }
    };
    const subscriptions: vscode.Disposable[] = [
      panel.webview.onDidReceiveMessage((raw) => {
        if (parseFromRecordingView(raw)?.type === 'ready') {
          ready = true;
          void show();
        }
      }),
    ];
    // Reload when the file changes on disk (a recording written again, a file replaced).
    if (uri.scheme === 'file') {
      const slash = uri.path.lastIndexOf('/');
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(uri.path.slice(0, slash) || '/'), uri.path.slice(slash + 1)));
      subscriptions.push(watcher, watcher.onDidChange(() => void show()), watcher.onDidCreate(() => void show()));
    }
    panel.onDidDispose(() => {
      this.shown.delete(uri.toString());
      subscriptions.forEach((subscription) => subscription.dispose());
    });
  }
}

function fileName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}

/** Reads and checks a recording file: its size before anything else, then its content. */
export async function readRecordingView(uri: vscode.Uri): Promise<ToRecordingView> {
  const name = fileName(uri);
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.size > MAX_RECORDING_BYTES) {
      return { type: 'invalid', fileName: name, reason: `The file is ${(stat.size / 1048576).toFixed(1)} MiB; a recording may be at most ${MAX_RECORDING_BYTES / 1048576} MiB, so it was not read.` };
    }
    const text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
    const parsed = parseRecording(text);
    if (!parsed.ok) {
      return { type: 'invalid', fileName: name, reason: parsed.reason };
    }
    return toView(name, parsed.recording, parsed.fromOlderExport ? 'Written by an older version of Proc Memory (an export without a schema): it has no context of the run.' : undefined);
  } catch (error) {
    return { type: 'invalid', fileName: name, reason: `The file could not be read: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function toView(fileName: string, recording: Recording, note: string | undefined): ToRecordingView {
  const { timeMs, res, shr } = recording.samples;
  let peakIndex = 0;
  res.forEach((value, index) => (value > res[peakIndex] ? (peakIndex = index) : undefined));
  return {
    type: 'recording',
    fileName,
    process: { pid: recording.process.pid, name: recording.process.name, commandLine: recording.process.commandLine },
    context: { ...recording.context, cgroupLimitBytes: recording.context.cgroupLimitBytes, debugSession: recording.context.debugSession },
    summary: {
      startMs: timeMs[0] ?? NaN,
      durationMs: timeMs.length ? timeMs[timeMs.length - 1] - timeMs[0] : 0,
      peakResBytes: res[peakIndex] ?? 0,
      peakAtMs: timeMs[peakIndex] ?? NaN,
      samples: timeMs.length,
      stops: recording.markers.filter((marker) => marker.kind === 'stop').length,
    },
    history: { timesMs: timeMs, res, shr },
    markers: recording.markers,
    note,
  };
}
