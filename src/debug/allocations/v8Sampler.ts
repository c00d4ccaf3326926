import type { AllocationSite } from '../../../shared/allocationSites';
import type { DapRequester } from '../core/dapRequester';
import { CdpConnection } from './cdpConnection';
import { fileLabel, localPath } from './siteAttribution';
import { EVALUATION_BOUND_MS, Tracer, TracerReading } from './tracer';
import { parseSamplingProfile } from './v8SamplingProfile';

/** V8's default: one sample per 32 KiB allocated on average. */
export const SAMPLING_INTERVAL_BYTES = 32768;

/** V8's answer when the sampler is not running (something called `HeapProfiler.disable` or `stopSampling`). */
const NOT_STARTED = /sampling heap profiler was not started/i;

/**
 * V8's sampling heap profiler in a Node program debugged by js-debug, through the CDP proxy js-debug
 * hands extensions (`requestCDPProxy`): no code is evaluated in the program. Reading the profile
 * forces a full garbage collection (V8 reports live objects only).
 */
export class V8Sampler implements Tracer {
  readonly kind = 'v8-sampler' as const;
  private connection: CdpConnection | undefined;
  /** The highest sample ordinal seen: samples above it are new since the previous read. */
  private lastOrdinal = 0;
  /** V8 heap used after a garbage collection at the previous read. */
  private lastHeapUsed: number | undefined;

  constructor(private readonly session: DapRequester) {}

  async start(): Promise<void> {
    const cdp = await this.connect();
    await this.startSampling(cdp);
    this.lastHeapUsed = await this.heapUsed(cdp);
  }

  async read(): Promise<TracerReading> {
    const cdp = await this.connect();
    let answer: unknown;
    try {
      answer = await cdp.call('HeapProfiler.getSamplingProfile', {}, EVALUATION_BOUND_MS);
    } catch (error) {
      if (!(error instanceof Error) || !NOT_STARTED.test(error.message)) {
        throw error;
      }
      // Something else stopped the sampler (js-debug's own heap profile calls HeapProfiler.disable
      // when it ends): what it had sampled is gone. Start again; the next stop is whole.
      await this.startSampling(cdp);
      return {
        traces: [],
        libraryPrefixes: [],
        runtimeGrowthBytes: this.growth(await this.heapUsed(cdp)),
        partial:
          "Something else stopped V8's sampling heap profiler since the last stop (a heap profile taken in the debugger does), so what it sampled is lost. It is sampling again: the next stop is complete.",
      };
    }
    const profile = parseSamplingProfile(answer, this.lastOrdinal);
    if (!profile.ok) {
      throw new Error(`V8 answered with a sampling profile that cannot be read: ${profile.reason}`);
    }
    this.lastOrdinal = profile.maxOrdinal;
    const heapUsed = await this.heapUsed(cdp);
    return { traces: profile.traces, libraryPrefixes: [], runtimeGrowthBytes: this.growth(heapUsed) };
  }

  /**
   * The sites' frames in the sources the user edits, where the program runs compiled code with
   * source maps (js-debug's `getPreferredUILocation`). Bounded in time: frames not mapped by then stay.
   */
  async mapToSources(sites: AllocationSite[]): Promise<void> {
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, EVALUATION_BOUND_MS));
    const mapped = Promise.all(
      sites.map(async (site) => {
        const frame = site.frame;
        if (!frame.own || !frame.path.startsWith('/')) {
          return;
        }
        try {
          const answer = (await this.session.customRequest('getPreferredUILocation', {
            source: { path: frame.path },
            line: frame.line - 1,
            column: 0,
          })) as { source?: { path?: unknown }; line?: unknown } | undefined;
          const path = answer?.source?.path;
          const line = answer?.line;
          if (typeof path === 'string' && path.length > 0 && typeof line === 'number' && line >= 0) {
            const mappedFrame = { ...frame, path: localPath(path), file: fileLabel(path), line: line + 1 };
            site.stack = site.stack.map((other) => (other === frame ? mappedFrame : other));
            site.frame = mappedFrame;
          }
        } catch {
          // js-debug does not know the source (or ended): the frame stays as V8 gave it.
        }
      }),
    );
    await Promise.race([mapped, deadline]);
  }

  dispose(): void {
    this.connection?.close();
    this.connection = undefined;
  }

  private async connect(): Promise<CdpConnection> {
    if (this.connection?.isOpen) {
      return this.connection;
    }
    const address = (await this.session.customRequest('requestCDPProxy')) as
      | { host?: unknown; port?: unknown; path?: unknown }
      | undefined;
    if (typeof address?.host !== 'string' || typeof address.port !== 'number') {
      throw new Error('the debugger did not hand out a CDP connection (requestCDPProxy)');
    }
    const host = address.host.includes(':') ? `[${address.host}]` : address.host;
    const path = typeof address.path === 'string' ? address.path : '';
    this.connection = await CdpConnection.open(`ws://${host}:${address.port}${path}`, EVALUATION_BOUND_MS);
    return this.connection;
  }

  /**
   * Starts sampling, then reads the empty profile once: that forces the full collection the later
   * reads force too, so the heap figure taken next starts from live objects as theirs do.
   * (`HeapProfiler.collectGarbage` cannot: V8 runs it from the event loop, which a paused program does not turn.)
   */
  private async startSampling(cdp: CdpConnection): Promise<void> {
    await cdp.call('HeapProfiler.enable', {}, EVALUATION_BOUND_MS);
    await cdp.call('HeapProfiler.startSampling', { samplingInterval: SAMPLING_INTERVAL_BYTES }, EVALUATION_BOUND_MS);
    const profile = parseSamplingProfile(await cdp.call('HeapProfiler.getSamplingProfile', {}, EVALUATION_BOUND_MS), 0);
    this.lastOrdinal = profile.ok ? profile.maxOrdinal : 0;
  }

  private async heapUsed(cdp: CdpConnection): Promise<number | undefined> {
    const usage = (await cdp.call('Runtime.getHeapUsage', {}, EVALUATION_BOUND_MS)) as { usedSize?: unknown };
    return typeof usage?.usedSize === 'number' ? usage.usedSize : undefined;
  }

  private growth(heapUsed: number | undefined): number | undefined {
    const before = this.lastHeapUsed;
    this.lastHeapUsed = heapUsed;
    return heapUsed !== undefined && before !== undefined ? heapUsed - before : undefined;
  }
}
