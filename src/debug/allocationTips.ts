import * as vscode from 'vscode';
import { DebugStops } from './debugStops';
import { allocationTips } from './allocations/allocationTipHover';
import { LineTip } from './lineTips';

/**
 * The tip at a line that allocated memory since the last stop (`allocated +80.0 MiB since the last
 * stop`), for the program's current stop only: drawn by a LineTips in every visible editor of that
 * file, gone as soon as it runs again. It opens no editor itself.
 */
export function allocationLineTips(stops: DebugStops): LineTip[] {
  return stops.currentStops
    .flatMap((stop) => (stop.allocations?.state === 'sites' ? allocationTips(stop.allocations, stop.id) : []))
    .map((tip) => ({
      uri: vscode.Uri.file(tip.path),
      line: tip.line,
      text: tip.text,
      hover: () => new vscode.MarkdownString(tip.hover),
    }));
}
