import type { AllocationTracer } from '../../../shared/allocationSites';
import type { DapRequester } from '../core/dapRequester';
import type { AllocationTrace } from './siteAttribution';

/** Every call into the program is bounded by this; a longer one is reported, not waited for. */
export const EVALUATION_BOUND_MS = 2000;

/** What a tracer read at a stop: the traces since the previous read, and the runtime's own growth figure. */
export interface TracerReading {
  traces: AllocationTrace[];
  /** Paths below which code counts as a library (Python's standard library); Node needs none. */
  libraryPrefixes: string[];
  runtimeGrowthBytes: number | undefined;
  /** Set when the reading covers only part of the interval, with why. */
  partial?: string;
}

/** Where the program stopped, for tracers that evaluate in its frame. */
export interface StopContext {
  session: DapRequester;
  threadId: number | undefined;
}

/** One runtime's allocation tracer in one debugged program: started at a stop, read at each later stop. */
export interface Tracer {
  readonly kind: AllocationTracer;
  /** Starts tracing (the first stop). */
  start(stop: StopContext): Promise<void>;
  /** What was allocated since the previous read (or the start) and is still alive. */
  read(stop: StopContext): Promise<TracerReading>;
  dispose(): void;
}
