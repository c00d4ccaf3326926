import * as vscode from 'vscode';
import { Alignment, FromCompareView, parseFromCompareView, ToCompareView } from '../../shared/protocol/compare';
import {
  alignmentOrigins,
  comparedFigure,
  comparedValues,
  matchStops,
  runShape,
  stopChange,
  verdict,
  RunShape,
} from './compareRuns';
import { Recording, summarize } from './recordingFile';
import { fileName, readRecordingFile } from './readRecording';
import { WebviewChannel } from '../webviewChannel';
import { webviewHtml, webviewOptions } from '../webviewHtml';

export const COMPARE_VIEW_TYPE = 'procMemory.compare';

/**
 * A panel comparing two recordings: both RES curves (PSS summed for two task runs) over each other, aligned at their start or
 * at their first stop, the stops of both side by side, and the difference in words.
 */
export class RecordingComparison {
  /** The last state shown, for tests. */
  state: ToCompareView | undefined;
  private readonly channel: WebviewChannel<ToCompareView, FromCompareView>;

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly runs:
      | { a: { uri: vscode.Uri; recording: Recording }; b: { uri: vscode.Uri; recording: Recording } }
      | { reason: string },
  ) {
    this.channel = new WebviewChannel<ToCompareView, FromCompareView>(panel.webview, parseFromCompareView, {
      onReady: () => this.show('first-stop'),
      onMessage: (message) => this.show(message.alignment),
    });
    panel.onDidDispose(() => this.channel.dispose());
  }

  static async open(extensionUri: vscode.Uri, a: vscode.Uri, b: vscode.Uri): Promise<RecordingComparison> {
    const [first, second] = await Promise.all([readRecordingFile(a), readRecordingFile(b)]);
    const runs =
      first.ok && second.ok
        ? { a: { uri: a, recording: first.recording }, b: { uri: b, recording: second.recording } }
        : {
            reason: !first.ok
              ? `${fileName(a)}: ${first.reason}`
              : `${fileName(b)}: ${(second as { reason: string }).reason}`,
          };
    const panel = vscode.window.createWebviewPanel(
      COMPARE_VIEW_TYPE,
      `Memory: ${fileName(a)} ↔ ${fileName(b)}`,
      vscode.ViewColumn.Active,
      webviewOptions(extensionUri),
    );
    panel.webview.html = webviewHtml(panel.webview, extensionUri, 'compare', panel.title);
    return new RecordingComparison(panel, runs);
  }

  private show(alignment: Alignment): void {
    if ('reason' in this.runs) {
      this.state = { type: 'invalid', reason: this.runs.reason };
    } else {
      const { a, b } = this.runs;
      const origins = alignmentOrigins(a.recording, b.recording, alignment);
      const figure = comparedFigure(a.recording, b.recording);
      const shapes = { a: runShape(a.recording, origins.a, figure), b: runShape(b.recording, origins.b, figure) };
      const run = (side: { uri: vscode.Uri; recording: Recording }, origin: number, shape: RunShape) => {
        const { name, startMs, durationMs } = summarize(side.recording);
        return {
          fileName: fileName(side.uri),
          name,
          pid: side.recording.process.pid,
          startMs,
          durationMs,
          peakBytes: shape.peakBytes,
          peakResBytes: shape.resPeakBytes,
          timesS: side.recording.samples.timeMs.map((time) => (time - origin) / 1000),
          values: comparedValues(side.recording, figure),
        };
      };
      const hasStops = (recording: Recording) => recording.markers.some((marker) => marker.kind === 'stop');
      this.state = {
        type: 'compare',
        figure,
        a: run(a, origins.a, shapes.a),
        b: run(b, origins.b, shapes.b),
        alignment: origins.alignment,
        canAlignAtStops: hasStops(a.recording) && hasStops(b.recording),
        stops: matchStops(a.recording.markers, b.recording.markers, origins.a, origins.b).map((pair) => ({
          ...pair,
          change: stopChange(pair),
        })),
        verdict: verdict(shapes.a, shapes.b, figure),
      };
    }
    this.channel.post(this.state);
  }
}
