// The recording file, `*.procmem.json`: one process's memory over a run, with its stops and
// markers, to open later or compare with another run. No `vscode`: unit-tested as text.
import { RecordingSummary } from '../../shared/protocol/recording';
import { TimelineMarker } from '../../shared/model';
import { MiB } from '../../shared/units';
import { readAccount } from '../../shared/runtimeAccount';
import { parseRecordedSites } from '../../shared/allocationSites';
import { parseTaskRun, TaskRun } from '../../shared/taskRun';

export const RECORDING_SCHEMA = 'proc-memory/recording';
export const RECORDING_VERSION = 1;
/** Larger files are refused before parsing: a day at 1 Hz is ~4 MB, so this leaves room for weeks. */
export const MAX_RECORDING_BYTES = 64 * MiB;
/** What the file name ends with; the custom editor opens these. */
export const RECORDING_SUFFIX = '.procmem.json';

/** The samples as columns (one array per figure, same length), compact for a day at 1 Hz. */
export interface RecordingSamples {
  timeMs: number[];
  res: number[];
  virt: number[];
  shr: number[];
}

/** One recording. Sizes in bytes, times in ms since the epoch. */
export interface Recording {
  schema: typeof RECORDING_SCHEMA;
  version: typeof RECORDING_VERSION;
  process: { pid: number; startTicks: number; name: string; commandLine?: string };
  /** What the run happened on: to judge whether two recordings compare. */
  context: {
    kernel: string;
    totalRamBytes: number;
    cgroupLimitBytes?: number;
    sampleIntervalMs: number;
    debugSession?: string;
  };
  samples: RecordingSamples;
  /** Debug stops (with their figures) and user markers, oldest first. */
  markers: TimelineMarker[];
  /** A task run: the process is the task's root, the samples its whole tree summed. */
  task?: TaskRun;
}

/** A recording from a history (the points as a view keeps them) and the markers of the process. */
export function makeRecording(
  process: Recording['process'],
  points: readonly { timeMs: number; resBytes: number; virtBytes: number; shrBytes: number }[],
  markers: readonly TimelineMarker[],
  context: Recording['context'],
): Recording {
  const samples: RecordingSamples = { timeMs: [], res: [], virt: [], shr: [] };
  for (const point of points) {
    samples.timeMs.push(point.timeMs);
    samples.res.push(point.resBytes);
    samples.virt.push(point.virtBytes);
    samples.shr.push(point.shrBytes);
  }
  return { schema: RECORDING_SCHEMA, version: RECORDING_VERSION, process, context, samples, markers: [...markers] };
}

/** A recording's summary with its program's name: for the recent list, the editor's header and the comparison. */
export function summarize(recording: Recording): RecordingSummary & { name: string } {
  const { timeMs, res } = recording.samples;
  let peak = 0;
  for (let i = 1; i < res.length; i++) {
    if (res[i] > res[peak]) {
      peak = i;
    }
  }
  return {
    name: recording.process.name,
    startMs: timeMs[0] ?? NaN,
    durationMs: timeMs.length ? timeMs[timeMs.length - 1] - timeMs[0] : 0,
    peakResBytes: res[peak] ?? 0,
    peakAtMs: timeMs[peak] ?? NaN,
    samples: timeMs.length,
    stops: recording.markers.filter((marker) => marker.kind === 'stop').length,
  };
}

/** The file's text. `withCommandLine: false` leaves argv out (it can hold secrets). */
export function recordingToJson(recording: Recording, withCommandLine: boolean): string {
  const { commandLine, ...process } = recording.process;
  const written: Recording = {
    ...recording,
    process: withCommandLine && commandLine !== undefined ? { ...process, commandLine } : process,
  };
  return `${JSON.stringify(written)}\n`;
}

export type ParsedRecording =
  | { ok: true; recording: Recording; fromOlderExport: boolean }
  | { ok: false; reason: string };

/**
 * Reads a recording, or an export written by Proc Memory 0.1 (`{ process, samples: [{ timeMs,
 * resBytes, ... }] }`). Everything in it is untrusted: every field is checked, and names and
 * paths stay text for the views to show as text.
 */
export function parseRecording(text: string): ParsedRecording {
  if (text.length > MAX_RECORDING_BYTES) {
    return {
      ok: false,
      reason: `The file is larger than ${MAX_RECORDING_BYTES / MiB} MiB, the most a recording may be.`,
    };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const truncated = /^\s*[{[]/.test(text) && !/[}\]]\s*$/.test(text);
    return {
      ok: false,
      reason: truncated
        ? 'The file ends in the middle: it is truncated.'
        : `It is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (!isRecord(data)) {
    return { ok: false, reason: 'It is JSON, but not a Proc Memory recording (not an object).' };
  }
  if (data.schema === RECORDING_SCHEMA) {
    if (data.version !== RECORDING_VERSION) {
      return {
        ok: false,
        reason: `It is a recording of version ${JSON.stringify(data.version)}; this version of Proc Memory reads version ${RECORDING_VERSION}.`,
      };
    }
    return checked(data, false);
  }
  if (Array.isArray(data.samples) && isRecord(data.process) && data.unit === 'bytes') {
    return checked(fromOlderExport(data), true);
  }
  return { ok: false, reason: 'It is JSON, but not a Proc Memory recording (no "schema" field).' };
}

function fromOlderExport(data: Record<string, unknown>): Record<string, unknown> {
  const samples = (data.samples as unknown[]).filter(isRecord);
  const column = (key: string) => samples.map((sample) => sample[key]);
  return {
    process: data.process,
    context: { kernel: 'unknown', totalRamBytes: 0, sampleIntervalMs: 0 },
    samples: { timeMs: column('timeMs'), res: column('resBytes'), virt: column('virtBytes'), shr: column('shrBytes') },
    markers: Array.isArray(data.markers) ? data.markers : [],
  };
}

function checked(data: Record<string, unknown>, fromOlderExport: boolean): ParsedRecording {
  const process = data.process;
  if (!isRecord(process) || !isCount(process.pid) || !isCount(process.startTicks) || typeof process.name !== 'string') {
    return { ok: false, reason: 'The "process" of the recording is missing or malformed.' };
  }
  const samples = data.samples;
  if (!isRecord(samples)) {
    return { ok: false, reason: 'The recording has no "samples".' };
  }
  const columns = ['timeMs', 'res', 'virt', 'shr'] as const;
  for (const key of columns) {
    const values = samples[key];
    if (
      !Array.isArray(values) ||
      !values.every((value) => typeof value === 'number' && Number.isFinite(value) && value >= 0)
    ) {
      return { ok: false, reason: `The samples' "${key}" column is missing or holds something other than numbers.` };
    }
  }
  const length = (samples.timeMs as number[]).length;
  if (columns.some((key) => (samples[key] as number[]).length !== length)) {
    return { ok: false, reason: 'The sample columns have different lengths.' };
  }
  const times = samples.timeMs as number[];
  for (let i = 1; i < times.length; i++) {
    if (times[i] < times[i - 1]) {
      return { ok: false, reason: `The sample times go backwards at sample ${i + 1}.` };
    }
  }
  const context = isRecord(data.context) ? data.context : {};
  const markers = Array.isArray(data.markers)
    ? data.markers.filter(isMarker).slice(0, 100_000).map(withCheckedAccount).map(withSites)
    : [];
  return {
    ok: true,
    fromOlderExport,
    recording: {
      schema: RECORDING_SCHEMA,
      version: RECORDING_VERSION,
      process: {
        pid: process.pid as number,
        startTicks: process.startTicks as number,
        name: (process.name as string).slice(0, 256),
        commandLine: typeof process.commandLine === 'string' ? process.commandLine.slice(0, 64 * 1024) : undefined,
      },
      context: {
        kernel: typeof context.kernel === 'string' ? context.kernel.slice(0, 256) : 'unknown',
        totalRamBytes: isCount(context.totalRamBytes) ? context.totalRamBytes : 0,
        cgroupLimitBytes: isCount(context.cgroupLimitBytes) ? context.cgroupLimitBytes : undefined,
        sampleIntervalMs: isCount(context.sampleIntervalMs) ? context.sampleIntervalMs : 0,
        debugSession: typeof context.debugSession === 'string' ? context.debugSession.slice(0, 256) : undefined,
      },
      samples: {
        timeMs: times,
        res: samples.res as number[],
        virt: samples.virt as number[],
        shr: samples.shr as number[],
      },
      markers: markers.sort((a, b) => a.timeMs - b.timeMs),
      ...taskOf(data.task, length),
    },
  };
}

/** A stop's runtime account, kept only when whole and within bounds (the file is untrusted). */
function withCheckedAccount(marker: TimelineMarker): TimelineMarker {
  if (marker.stop?.account === undefined) {
    return marker;
  }
  return { ...marker, stop: { ...marker.stop, account: readAccount(marker.stop.account) } };
}

/** The task part of a recording, when it has a valid one: a malformed one is dropped, the samples stay. */
function taskOf(value: unknown, samples: number): { task?: TaskRun } {
  const task = value === undefined ? undefined : parseTaskRun(value, samples);
  return task ? { task } : {};
}

function isMarker(value: unknown): value is TimelineMarker {
  return (
    isRecord(value) &&
    typeof value.timeMs === 'number' &&
    Number.isFinite(value.timeMs) &&
    (value.kind === 'stop' || value.kind === 'user') &&
    typeof value.label === 'string' &&
    typeof value.detail === 'string' &&
    (value.stop === undefined || isRecord(value.stop))
  );
}

/** A stop's allocation sites, checked like the rest (the file is untrusted). */
function withSites(marker: TimelineMarker): TimelineMarker {
  return marker.stop?.sites === undefined
    ? marker
    : { ...marker, stop: { ...marker.stop, sites: parseRecordedSites(marker.stop.sites) } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Drops every other sample of the older half, in place: the recent past keeps full detail. */
export function thinOlderHalf<T>(points: T[]): void {
  const half = Math.floor(points.length / 2);
  const kept = points.slice(0, half).filter((_, index) => index % 2 === 0);
  points.splice(0, half, ...kept);
}
