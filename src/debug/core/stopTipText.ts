// The words of the memory tip at the stopped line. No `vscode`: unit-tested as text.
import { formatBytes, formatDelta, formatInterval } from '../../../shared/format';
import { escapeMarkdown } from '../../core/textEscapes';
import { StopReading } from './stopReading';

/** A stop as the tip describes it: its reading, and the previous stop of the same process if any. */
export interface TipStop {
  reason: string;
  atMs: number;
  reading: StopReading;
  previous?: { atMs: number; reading: StopReading };
}

/** The caution shown with every per-stop figure. */
export const EVALUATION_CAUTION =
  'Watches and hovers run in the program while it is stopped: they can allocate memory too.';

/** `RES +80.0 MiB · 1.2 s since last stop · step`, or `RES 412.3 MiB · breakpoint` at the first stop. */
export function tipText(stop: TipStop): string {
  const reason = oneLine(stop.reason);
  if (!stop.previous) {
    return `RES ${formatBytes(stop.reading.resBytes)} · ${reason}`;
  }
  const delta = formatDelta(stop.reading.resBytes - stop.previous.reading.resBytes);
  return `RES ${delta} · ${formatInterval(stop.atMs - stop.previous.atMs)} since last stop · ${reason}`;
}

/** The tip's hover, as Markdown: each figure's change, both readings, when, and the caution. */
export function tipHover(stop: TipStop, clock: (ms: number) => string): string {
  const now = stop.reading;
  const before = stop.previous?.reading;
  const rows: [string, number | undefined, number | undefined][] = [
    ['RES', now.resBytes, before?.resBytes],
    ['PSS', now.pssBytes, before?.pssBytes],
    ['Anon', now.anonBytes, before?.anonBytes],
    ['File', now.fileBytes, before?.fileBytes],
    ['Shmem', now.shmemBytes, before?.shmemBytes],
    [`Children (${now.children.count})`, now.children.resBytes, before?.children.resBytes],
  ];
  const cell = (value: number | undefined) => (value === undefined ? 'unknown' : formatBytes(value));
  const change = (value: number | undefined, old: number | undefined) =>
    value === undefined || old === undefined ? '–' : formatDelta(value - old);
  const lines = [`**Memory at this stop** (${escapeMarkdown(oneLine(stop.reason))})`, ''];
  if (before && stop.previous) {
    lines.push('| | Change | This stop | Previous stop |', '|---|---:|---:|---:|');
    for (const [label, value, old] of rows) {
      lines.push(`| ${label} | ${change(value, old)} | ${cell(value)} | ${cell(old)} |`);
    }
    lines.push(
      '',
      `Read at ${clock(stop.previous.reading.timeMs)} and ${clock(now.timeMs)}, ${formatInterval(stop.atMs - stop.previous.atMs)} apart.`,
    );
  } else {
    lines.push('| | This stop |', '|---|---:|');
    for (const [label, value] of rows) {
      lines.push(`| ${label} | ${cell(value)} |`);
    }
    lines.push('', `Read at ${clock(now.timeMs)}. The first stop of this process: the next one shows what changed.`);
  }
  lines.push('', `_${EVALUATION_CAUTION}_`);
  return lines.join('\n');
}

/** Adapter text on one short line: a reason is the adapter's word, and adapters are not all careful. */
function oneLine(text: string): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ').trim();
  return flat.length > 40 ? `${flat.slice(0, 39)}…` : flat || 'stopped';
}
