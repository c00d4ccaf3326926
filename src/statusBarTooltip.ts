import * as vscode from 'vscode';
import { Commands } from './contributions';
import { FocusTarget } from './focusTracker';
import { formatBytes, formatDelta, formatRate } from '../shared/format';
import { MEMORY_DOCS, MemoryFigure } from '../shared/memoryDocs';
import { describeForecast } from '../shared/forecastText';
import { History } from './proc/history';
import { forecastFor } from './proc/historyForecast';
import { ProcessSample } from './proc/sampleProcess';
import { escapeMarkdown } from './core/textEscapes';

/** No-break spaces keep "137.6 MiB" and "Peak RES" on one line in the narrow hover. */
const keep = (text: string) => text.replace(/ /g, '\u00a0');

/** Each figure's label and summary as the hover's table cells: escaped once, not at each rebuild. */
const CELLS = Object.fromEntries(
  Object.entries(MEMORY_DOCS).map(([figure, doc]) => [
    figure,
    { label: `**${keep(doc.label)}**`, summary: escapeMarkdown(doc.summary) },
  ]),
) as Record<MemoryFigure, { label: string; summary: string }>;

/** Commands the tooltip links to; the only ones its MarkdownString may run. */
const LINKED_COMMANDS = [Commands.InspectFocused, Commands.WatchProcess, Commands.StopWatching];

/** The hover of the status bar entry: the figures top shows, each explained, and what to do next. */
export function buildTooltip(
  target: FocusTarget,
  sample: ProcessSample,
  history: History,
  warning: string | undefined,
): vscode.MarkdownString {
  const md = new vscode.MarkdownString('', true);
  md.isTrusted = { enabledCommands: LINKED_COMMANDS };
  md.supportHtml = false;
  const why =
    target.reason === 'debug'
      ? ` · debugging "${escapeMarkdown(target.sessionName ?? '')}"`
      : target.reason === 'terminal'
        ? ` · in terminal "${escapeMarkdown(target.terminal?.name ?? '')}"`
        : ' · watched';
  md.appendMarkdown(`**${escapeMarkdown(sample.name)}** · PID ${sample.identity.pid}${why}\n\n`);
  for (const line of target.terminal?.describe().split('\n') ?? []) {
    md.appendMarkdown(`${escapeMarkdown(line)}\n\n`);
  }
  if (warning) {
    md.appendMarkdown(`$(warning) ${escapeMarkdown(warning)}\n\n`);
  }
  if (sample.memoryless) {
    md.appendMarkdown(
      `This is a ${sample.memoryless.replace('-', ' ')}: the kernel keeps no memory figures for it.\n\n`,
    );
  } else {
    md.appendMarkdown('| | | |\n|:--|--:|:--|\n');
    const row = (figure: MemoryFigure, bytes: number) =>
      md.appendMarkdown(`| ${CELLS[figure].label} | ${keep(formatBytes(bytes))} | ${CELLS[figure].summary} |\n`);
    row('res', sample.resBytes);
    row('virt', sample.virtBytes);
    row('shr', sample.shrBytes);
    if (sample.status.vmSwap !== undefined) {
      row('swap', sample.status.vmSwap);
    }
    if (sample.status.vmHWM !== undefined) {
      row('peakRes', sample.status.vmHWM);
    }
    const group = sample.cgroup?.ok ? sample.cgroup.value : undefined;
    if (group) {
      // The cgroup as the kernel judges it: the working set (not the usage, which counts page
      // cache the kernel drops first) of the level with the least headroom, against that level's
      // limit: one level's figures together, the level named when it is a parent.
      const tightest = group.tightest;
      const [workingSet, limit] = tightest
        ? [
            formatBytes(tightest.workingSetBytes),
            ` of ${formatBytes(tightest.level.limitBytes)} (headroom ${formatBytes(tightest.headroomBytes)}${tightest.level.path === group.path ? '' : `, cgroup ${tightest.level.path}`})`,
          ]
        : [group.workingSet.ok ? formatBytes(group.workingSet.value) : 'unavailable', ', no limit'];
      md.appendMarkdown(
        `| ${CELLS.workingSet.label} | ${keep(workingSet)}${escapeMarkdown(limit)} | ${CELLS.workingSet.summary} |\n`,
      );
    }
    md.appendMarkdown('\n');
    const change = lastMinuteChange(history);
    if (change) {
      md.appendMarkdown(`RES over the last minute: ${formatDelta(change.delta)} (${formatRate(change.perMinute)})\n\n`);
    }
    const forecast = forecastFor(history, sample);
    if (forecast.verdict !== 'collecting') {
      const icon = forecast.verdict === 'growing' ? '$(warning) ' : '';
      md.appendMarkdown(`${icon}${escapeMarkdown(describeForecast(forecast).verdict)}\n\n`);
    }
  }
  md.appendMarkdown(`[$(pulse) Inspect](command:${Commands.InspectFocused} "Open the live memory panel")`);
  md.appendMarkdown(
    ` · [$(eye) Watch another process](command:${Commands.WatchProcess} "Choose the process shown here")`,
  );
  if (target.reason === 'watch') {
    md.appendMarkdown(
      ` · [$(close) Stop watching](command:${Commands.StopWatching} "Hide this process from the status bar")`,
    );
  }
  return md;
}

/** The change of RES over the last minute (or as much of it as the history holds). */
function lastMinuteChange(history: History): { delta: number; perMinute: number } | undefined {
  const latest = history.latest();
  if (!latest) {
    return undefined;
  }
  const first = history.oldestSince(latest.timeMs - 60000);
  if (!first || latest.timeMs - first.timeMs < 2000) {
    return undefined;
  }
  const delta = latest.resBytes - first.resBytes;
  return { delta, perMinute: (delta * 60000) / (latest.timeMs - first.timeMs) };
}
