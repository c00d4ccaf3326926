// Messages between the host and the comparison of two recordings (webview/compare).
import { isRecord } from './validate';

/** Where two runs' clocks start: at their own start, or at each one's first debug stop. */
export type Alignment = 'start' | 'first-stop';

/**
 * What two runs are compared by: RES of one process; for two task runs, PSS summed over each tree,
 * so the pages its processes share count once (RES summed counts them in every process).
 */
export type ComparedFigure = 'RES' | 'PSS summed';

/** One run in a comparison. Names: untrusted text. */
export interface ComparedRun {
  fileName: string;
  name: string;
  pid: number;
  startMs: number;
  durationMs: number;
  /** The peak of the compared figure. */
  peakBytes: number;
  /** The peak of RES (summed over the tree for a task run), shown beside a PSS comparison. */
  peakResBytes: number;
  /** Seconds from the run's aligned origin, and the compared figure at each. */
  timesS: number[];
  values: number[];
}

/** Host -> comparison panel. */
export type ToCompareView =
  | {
      type: 'compare';
      figure: ComparedFigure;
      a: ComparedRun;
      b: ComparedRun;
      alignment: Alignment;
      /** Both runs have stops, so they can be aligned at their first. */
      canAlignAtStops: boolean;
      /** Stops matched by function and file, in order; `change` says what differs, in words. */
      stops: {
        place: string;
        a: { label: string; atS: number; resBytes: number | undefined } | undefined;
        b: { label: string; atS: number; resBytes: number | undefined } | undefined;
        change: string;
      }[];
      verdict: string;
    }
  | { type: 'invalid'; reason: string };

/** Comparison panel -> host. */
export type FromCompareView = { type: 'ready' } | { type: 'align'; alignment: Alignment };

/** Accepts only well-formed intents; anything else is dropped. */
export function parseFromCompareView(message: unknown): FromCompareView | undefined {
  if (!isRecord(message)) {
    return undefined;
  }
  if (message.type === 'ready') {
    return { type: 'ready' };
  }
  if (message.type === 'align' && (message.alignment === 'start' || message.alignment === 'first-stop')) {
    return { type: 'align', alignment: message.alignment };
  }
  return undefined;
}
