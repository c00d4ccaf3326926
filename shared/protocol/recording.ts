// Messages between the host and the recording editor (webview/recording), which shows a
// `*.procmem.json` file.
import type { HistorySeries, TimelineMarker } from '../model';
import type { TaskRun } from '../taskRun';
import { isRecord } from './validate';

/** A recording at a glance: when, how long, its peak RES and when, how many samples and stops. */
export interface RecordingSummary {
  startMs: number;
  durationMs: number;
  peakResBytes: number;
  peakAtMs: number;
  samples: number;
  stops: number;
}

/** Host -> recording editor: a recording opened from a `*.procmem.json` file, or why it cannot be shown. */
export type ToRecordingView =
  | {
      type: 'recording';
      /** The file's name (untrusted text). */
      fileName: string;
      process: { pid: number; name: string; commandLine: string | undefined };
      context: {
        kernel: string;
        totalRamBytes: number;
        cgroupLimitBytes: number | undefined;
        sampleIntervalMs: number;
        debugSession: string | undefined;
      };
      summary: RecordingSummary;
      history: HistorySeries;
      markers: TimelineMarker[];
      /** Set when the file was written by an older version (an export without a schema). */
      note: string | undefined;
      /** A task run: the samples are its tree's sums, and this is the rest of it. */
      task?: TaskRun;
    }
  | { type: 'invalid'; fileName: string; reason: string };

/** Recording editor -> host. */
export type FromRecordingView =
  | { type: 'ready' }
  /** Compare this recording with another one the user picks. */
  | { type: 'compareWith' };

/** Accepts only well-formed intents; anything else is dropped. */
export function parseFromRecordingView(message: unknown): FromRecordingView | undefined {
  return isRecord(message) && (message.type === 'ready' || message.type === 'compareWith')
    ? { type: message.type }
    : undefined;
}
