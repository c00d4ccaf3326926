import * as vscode from 'vscode';
import { DebugStops } from './debugStops';
import { LineTip } from './lineTips';
import { tipHover, tipText } from './core/stopTipText';
import { accountHoverPart } from './stopTipAccess';

/**
 * The memory tip at the line where a program stopped, for each session's current stop: drawn by a
 * LineTips in every visible editor of that source (also editors opened after the stop, and `debug:`
 * sources), gone as soon as the program runs again. It opens no editor itself.
 */
export function stopLineTips(stops: DebugStops): LineTip[] {
  return stops.currentStops.flatMap((stop) => {
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
