// Messages between the host and an inspect panel (webview/inspect).
import type { HistorySeries, LeakForecast, ProcessSnapshot, SampleSnapshot, TimelineMarker } from '../model';
import { isRecord } from './validate';

/** Host -> inspect panel. */
export type ToInspectPanel =
  /** The full state, sent after `ready` (and after the panel is restored). */
  | {
      type: 'init';
      /** Which process this panel is for; the webview keeps it in its state for restoring. */
      process: { pid: number; startTicks: number; name: string };
      snapshot: ProcessSnapshot | undefined;
      history: HistorySeries;
      trendPerMinute: number | undefined;
      forecast: LeakForecast | undefined;
      ended: EndedInfo | undefined;
      /** A problem that is not the end of the process (e.g. a malformed file). */
      problem: string | undefined;
      markers: TimelineMarker[];
    }
  /** One new reading (fields left out of the snapshot are unchanged: see SampleSnapshot). */
  | {
      type: 'sample';
      snapshot: SampleSnapshot;
      timeMs: number;
      trendPerMinute: number | undefined;
      /** Left out while unchanged: it is refitted every few seconds, not every reading. */
      forecast?: LeakForecast;
      /**
       * Readings with nothing new are not sent (for a few seconds at most): the last of them, since
       * the previous sample. Its figures were the previous sample's, up to then.
       */
      sameUntilMs?: number;
    }
  /** The process exited or its PID was reused: figures freeze, history stays. */
  | { type: 'ended'; ended: EndedInfo }
  /** A reading failed without the process ending (permission, malformed file). */
  | { type: 'problem'; message: string }
  /** The stops and user markers of this process, oldest first (all of them, each time they change). */
  | { type: 'markers'; markers: TimelineMarker[] };

export interface EndedInfo {
  atMs: number;
  message: string;
  /** Set when its cgroup's OOM kill counter rose as it ended: the evidence, in one sentence. */
  oomKill?: string;
}

/** Inspect panel -> host. */
export type FromInspectPanel =
  /** The page has loaded and wants the full state. */
  | { type: 'ready' }
  /** Save the history as a file (the host shows the save dialog). */
  | { type: 'export'; format: 'csv' | 'json' }
  /** Copy the current figures as text to the clipboard. */
  | { type: 'copySnapshot' }
  /** Read /proc/PID/smaps now ("Where RES lives"), where its cost makes it come rarely. */
  | { type: 'readMappings' };

/** Accepts only well-formed intents; anything else is dropped. */
export function parseFromInspectPanel(message: unknown): FromInspectPanel | undefined {
  if (!isRecord(message)) {
    return undefined;
  }
  switch (message.type) {
    case 'ready':
    case 'copySnapshot':
    case 'readMappings':
      return { type: message.type };
    case 'export':
      return message.format === 'csv' || message.format === 'json'
        ? { type: 'export', format: message.format }
        : undefined;
    default:
      return undefined;
  }
}
