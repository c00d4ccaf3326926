import { MAX_SITE_FRAMES } from '../../../shared/allocationSites';
import { callPythonHelper, HelperAnswer } from '../runtime/pythonHelper';
import type { DapRequester } from '../core/dapRequester';
import { AllocationTrace, RawFrame } from './siteAttribution';
import { EVALUATION_BOUND_MS, StopContext, Tracer, TracerReading } from './tracer';

/** How many of the grown tracebacks the helper returns: enough that the debugger's, dropped here, cannot crowd out the program's. */
const TRACES_ASKED = 60;

/** What the helper's `tracemalloc_read` returned, checked. */
export type TracemallocAnswer =
  | {
      ok: true;
      traces: AllocationTrace[];
      libraryPrefixes: string[];
      tracedGrowth: number | undefined;
      /** tracemalloc had stopped (the program stopped it) or the helper lost its totals: started again. */
      restarted: boolean;
    }
  | { ok: false; reason: string };

/** Reads the helper's answer; anything malformed is refused with a reason, never half-used. */
export function parseTracemallocAnswer(value: unknown): TracemallocAnswer {
  if (!isRecord(value) || !Array.isArray(value.traces) || !Array.isArray(value.libraryPrefixes)) {
    return { ok: false, reason: 'the helper answered without traces' };
  }
  const traces: AllocationTrace[] = [];
  for (const trace of value.traces.slice(0, TRACES_ASKED)) {
    if (
      !isRecord(trace) ||
      !isCount(trace.bytes) ||
      !Number.isSafeInteger(trace.count) ||
      !Array.isArray(trace.frames)
    ) {
      return { ok: false, reason: 'a trace in the helper’s answer is malformed' };
    }
    const frames: RawFrame[] = [];
    for (const frame of trace.frames.slice(0, MAX_SITE_FRAMES)) {
      if (!isRecord(frame) || typeof frame.path !== 'string' || !isCount(frame.line)) {
        return { ok: false, reason: 'a frame in the helper’s answer is malformed' };
      }
      frames.push({
        path: frame.path.slice(0, 4096),
        line: frame.line,
        functionName: typeof frame.functionName === 'string' ? frame.functionName.slice(0, 512) : '',
      });
    }
    traces.push({ bytes: trace.bytes, count: trace.count as number, frames });
  }
  const growth = value.tracedGrowth;
  return {
    ok: true,
    traces,
    libraryPrefixes: value.libraryPrefixes.filter((prefix): prefix is string => typeof prefix === 'string'),
    tracedGrowth: Number.isSafeInteger(growth) ? (growth as number) : undefined,
    restarted: value.restarted === true,
  };
}

/**
 * Python's tracemalloc in a program debugged by debugpy, through the helper module: started at the
 * first stop with 25 frames, read at each later stop (each call one bounded evaluation in the
 * stopped frame, which adds no name to it and prints nothing).
 */
export class TracemallocSites implements Tracer {
  readonly kind = 'tracemalloc' as const;

  constructor(private readonly session: DapRequester) {}

  async start(stop: StopContext): Promise<void> {
    answerValue(await this.call('tracemalloc_start', { frames: MAX_SITE_FRAMES }, stop));
  }

  async read(stop: StopContext): Promise<TracerReading> {
    const answer = parseTracemallocAnswer(
      answerValue(await this.call('tracemalloc_read', { limit: TRACES_ASKED, frames: MAX_SITE_FRAMES }, stop)),
    );
    if (!answer.ok) {
      throw new Error(answer.reason);
    }
    return {
      traces: answer.traces,
      libraryPrefixes: answer.libraryPrefixes,
      runtimeGrowthBytes: answer.tracedGrowth,
      partial: answer.restarted
        ? 'tracemalloc was not tracing any more (the program stopped it?): it is tracing again from this stop, so the next stop is complete.'
        : undefined,
    };
  }

  dispose(): void {
    // Nothing on this side; tracemalloc ends with the program.
  }

  private call(name: string, args: Record<string, unknown>, stop: StopContext): Promise<HelperAnswer> {
    return callPythonHelper(this.session, name, args, { threadId: stop.threadId, timeoutMs: EVALUATION_BOUND_MS });
  }
}

/** The helper's value, or an error with its reason (a timeout's says how long it waited). */
function answerValue(answer: HelperAnswer): unknown {
  if (!answer.ok) {
    throw new Error(answer.reason);
  }
  return answer.value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
