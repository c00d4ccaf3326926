// The words of the tip at an allocating line and of its hover. No `vscode`: unit-tested as text.
import {
  accountSentence,
  AllocationSite,
  allocationTipText,
  countNoun,
  frameLabel,
  StopAllocations,
} from '../../../shared/allocationSites';
import { formatDelta } from '../../../shared/format';
import { escapeMarkdown } from '../../core/textEscapes';

type Sites = Extract<StopAllocations, { state: 'sites' }>;

/** How many lines get a tip: the largest sites in the user's own code… */
export const TIPPED_SITES = 5;
/** …that hold at least this share of all the sites' bytes (small ones would only clutter the editor; the list has them). */
export const TIPPED_SHARE = 0.05;

/** One tip: a line of a file and the sites there. */
export interface AllocationTip {
  path: string;
  /** 0-based, as editors count. */
  line: number;
  text: string;
  hover: string;
}

/** The tips of a stop: its largest sites in the user's own code, one tip per line. */
export function allocationTips(allocations: Sites, stopId: number): AllocationTip[] {
  const byLine = new Map<string, AllocationSite[]>();
  const tipped = allocations.sites.filter(
    (candidate) => candidate.frame.own && candidate.bytes >= allocations.sitesBytes * TIPPED_SHARE,
  );
  for (const site of tipped.slice(0, TIPPED_SITES)) {
    const key = `${site.frame.path}\u0000${site.frame.line}`;
    byLine.set(key, [...(byLine.get(key) ?? []), site]);
  }
  return [...byLine.values()].map((sites) => {
    const bytes = sites.reduce((sum, site) => sum + site.bytes, 0);
    return {
      path: sites[0].frame.path,
      line: Math.max(0, sites[0].frame.line - 1),
      text: allocationTipText(bytes, allocations.tracer),
      hover: tipHover(sites, allocations, stopId),
    };
  });
}

/** The hover: each site at the line with its whole stack, the sum-of-sites sentence and the caveats. */
function tipHover(sites: AllocationSite[], allocations: Sites, stopId: number): string {
  const since = allocations.sinceStopId === stopId - 1 ? 'the last stop' : `stop #${allocations.sinceStopId}`;
  const lines = [`**Allocated here since ${since}, still alive at stop #${stopId}**`, ''];
  for (const site of sites) {
    lines.push(
      `${escapeMarkdown(formatDelta(site.bytes))} in ${countNoun(allocations.tracer, site.count)}, ${escapeMarkdown(site.frame.functionName || '(anonymous)')}. The largest stack, innermost first:`,
      '',
    );
    for (const frame of site.stack) {
      const label = escapeMarkdown(frameLabel(frame));
      lines.push(`- ${frame === site.frame ? `**${label}**` : label}${frame.own ? '' : ' _(library or runtime)_'}`);
    }
    lines.push('');
  }
  lines.push(escapeMarkdown(accountSentence(allocations)));
  if (allocations.partial) {
    lines.push('', `_${escapeMarkdown(allocations.partial)}_`);
  }
  lines.push('', `_${escapeMarkdown(TRACER_NOTES[allocations.tracer])}_`);
  return lines.join('\n');
}

/** What each tracer's figures are, said where they are shown. */
export const TRACER_NOTES: Record<Sites['tracer'], string> = {
  tracemalloc:
    "From Python's tracemalloc: the blocks allocated since that stop and still alive, compared by traceback; the debugger's and our own are left out.",
  'v8-sampler':
    "From V8's sampling heap profiler: about one sample per 32 KiB allocated, so small sites are estimates. V8 records the function, not the line: the tip sits on the function's first line. Reading it forces a full garbage collection at each stop.",
};
