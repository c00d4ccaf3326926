import { History } from './history';
import { ExitCause, judgeExit, OomBaseline, OomCounterReader, readOomBaseline } from './oomKill';
import { readOomCounters } from './cgroup';
import { Outcome } from './outcome';
import { identityKey, ProcessIdentity } from './processIdentity';
import { ProcessSample, sampleProcess, SampleOptions } from './sampleProcess';

/** What a subscriber receives after each reading of its process. */
export interface SampleEvent {
  identity: ProcessIdentity;
  outcome: Outcome<ProcessSample>;
  /** The last successful sample, kept after the process ends so views can freeze on it. */
  lastSample: ProcessSample | undefined;
  history: History;
  /** True once the process is gone or its PID reused: no more readings will come. */
  ended: boolean;
  /**
   * Set with `ended` when the process is gone and its cgroup was known: whether its group's OOM
   * kill counter rose since the last reading that found it alive.
   */
  exitCause?: ExitCause;
}

export interface SamplerSettings {
  intervalMs: number;
  /** How often the costly figures (smaps_rollup, cgroup) are read for subscribers that want them. */
  detailIntervalMs: number;
  historyMinutes: number;
}

export interface WatchOptions {
  /** Also read smaps_rollup and the cgroup, every `detailIntervalMs`. */
  detail?: boolean;
  /**
   * Also sum /proc/PID/smaps by kind of mapping, every `detailIntervalMs`. Costlier than `detail`
   * (the kernel prints every mapping in full), so only the inspect panel asks for it.
   */
  mappings?: boolean;
  /**
   * Continue this history if the process is not watched by anyone else: a view that was hidden
   * (and so stopped polling) keeps what it had instead of starting over.
   */
  history?: History;
}

export type SampleListener = (event: SampleEvent) => void;

/** Reads one process; a seam so tests can drive a fixture /proc tree. */
export type ProcessReader = (pid: number, options: SampleOptions) => Outcome<ProcessSample>;

interface Subscription {
  listener: SampleListener;
  detail: boolean;
  mappings: boolean;
}

interface Target {
  identity: ProcessIdentity;
  history: History;
  subscriptions: Set<Subscription>;
  lastSample?: ProcessSample;
  lastDetailMs: number;
  ended: boolean;
  lastEvent?: SampleEvent;
  /** OOM counters of its group, read just before the last reading that found it alive. */
  oomBaseline?: OomBaseline;
}

/**
 * The one owner of all polling. Views subscribe to a process; the sampler reads each watched
 * process once per interval whatever the number of subscribers, keeps its history, and runs no
 * timer at all while nobody subscribes or every watched process has ended.
 */
export class Sampler {
  private readonly targets = new Map<string, Target>();
  private timer: NodeJS.Timeout | undefined;
  private settings: SamplerSettings;

  constructor(
    settings: SamplerSettings,
    private readonly read: ProcessReader = sampleProcess,
    private readonly readOom: OomCounterReader = readOomCounters,
  ) {
    this.settings = { ...settings };
  }

  /** True while a timer is scheduled: the "nothing polls when nothing is visible" check. */
  get isPolling(): boolean {
    return this.timer !== undefined;
  }

  /** Identities currently read on each tick. */
  get watched(): ProcessIdentity[] {
    return [...this.targets.values()].filter((target) => !target.ended).map((target) => target.identity);
  }

  updateSettings(settings: SamplerSettings): void {
    const intervalChanged = settings.intervalMs !== this.settings.intervalMs;
    const capacityChanged = intervalChanged || settings.historyMinutes !== this.settings.historyMinutes;
    this.settings = { ...settings };
    if (capacityChanged) {
      for (const target of this.targets.values()) {
        const history = new History(this.capacity());
        for (const point of target.history.points()) {
          history.push(point);
        }
        target.history = history;
      }
    }
    if (intervalChanged) {
      this.stop(); // the next reading comes at the new pace, not after the old interval
    }
    this.reschedule();
  }

  /**
   * Subscribes to a process. The listener gets the last event at once if there is one, and a
   * fresh reading soon after; then one per interval until disposed.
   */
  watch(identity: ProcessIdentity, options: WatchOptions, listener: SampleListener): { dispose(): void } {
    const key = identityKey(identity);
    let target = this.targets.get(key);
    if (!target) {
      const history = options.history?.capacity === this.capacity() ? options.history : new History(this.capacity());
      target = { identity, history, subscriptions: new Set(), lastDetailMs: -Infinity, ended: false };
      this.targets.set(key, target);
    }
    const subscription: Subscription = { listener, detail: options.detail ?? false, mappings: options.mappings ?? false };
    target.subscriptions.add(subscription);
    if (target.lastEvent) {
      safeCall(listener, target.lastEvent);
    }
    if (!target.ended) {
      if (subscription.detail || subscription.mappings) {
        target.lastDetailMs = -Infinity; // a new panel should not wait for its PSS
      }
      this.sampleSoon();
    }
    return {
      dispose: () => {
        const current = this.targets.get(key);
        if (current?.subscriptions.delete(subscription) && current.subscriptions.size === 0) {
          this.targets.delete(key);
        }
        this.reschedule();
      },
    };
  }

  /** The history kept for a process, while someone watches it. */
  history(identity: ProcessIdentity): History | undefined {
    return this.targets.get(identityKey(identity))?.history;
  }

  dispose(): void {
    this.targets.clear();
    this.stop();
  }

  /** Reads every watched process now. Public for tests; the timer calls it. */
  tick(): void {
    const now = Date.now();
    for (const target of [...this.targets.values()]) {
      if (!target.ended) {
        this.sampleTarget(target, now);
      }
    }
  }

  private sampleTarget(target: Target, now: number): void {
    const subscriptions = [...target.subscriptions];
    const wantsMappings = subscriptions.some((subscription) => subscription.mappings);
    const wantsDetail = wantsMappings || subscriptions.some((subscription) => subscription.detail);
    const detail = wantsDetail && now - target.lastDetailMs >= this.settings.detailIntervalMs;
    // The OOM counters are read BEFORE the process: if it is then still there, no kill it suffered
    // can be in them, so a later rise is news. Two small files, for detail subscribers only.
    const group = wantsDetail && target.lastSample?.cgroup?.ok ? target.lastSample.cgroup.value : undefined;
    const oomBefore = group ? readOomBaseline(group.version, group.path, this.readOom) : undefined;
    let outcome = this.read(target.identity.pid, { expected: target.identity, detail, mappings: detail && wantsMappings });
    if (outcome.ok && outcome.value.memoryless === 'zombie' && target.lastSample && !target.lastSample.memoryless) {
      // It exited and waits for its parent to reap it: that is the end, and the figures a view
      // freezes on are the last real ones, not the zombie's zeros.
      outcome = { ok: false, error: { kind: 'gone', detail: 'exited (a zombie until its parent reaps it)' } };
    }
    if (outcome.ok) {
      if (detail) {
        target.lastDetailMs = now;
      } else if (target.lastSample) {
        // Keep the last costly figures between detail readings instead of flickering to "unknown".
        outcome.value.rollup ??= target.lastSample.rollup;
        outcome.value.cgroup ??= target.lastSample.cgroup;
        outcome.value.oomScore ??= target.lastSample.oomScore;
        outcome.value.pressure ??= target.lastSample.pressure;
        outcome.value.mappings ??= target.lastSample.mappings;
        outcome.value.mappingsTimeMs ??= target.lastSample.mappingsTimeMs;
      }
      const previous = target.lastSample;
      if (previous && !outcome.value.memoryless && outcome.value.timeMs > previous.timeMs) {
        const seconds = (outcome.value.timeMs - previous.timeMs) / 1000;
        outcome.value.faultRates = {
          minorPerSecond: (outcome.value.faults.minor - previous.faults.minor) / seconds,
          majorPerSecond: (outcome.value.faults.major - previous.faults.major) / seconds,
          overMs: outcome.value.timeMs - previous.timeMs,
        };
      }
      if (group || !wantsDetail) {
        // Undefined when unreadable, or when nobody asks for detail any more: then no claim at the
        // end, rather than one resting on an old reading (another process's kill since then).
        target.oomBaseline = oomBefore;
      } else if (!target.oomBaseline && outcome.value.cgroup?.ok && outcome.value.cgroup.value?.oom.ok) {
        // The first reading of the group: its counters came right after the process was seen.
        const counters = outcome.value.cgroup.value.oom.value;
        target.oomBaseline = readOomBaseline(counters.version, counters.path, (version, path) => (path === counters.path ? { ok: true, value: counters } : this.readOom(version, path)));
      }
      target.lastSample = outcome.value;
      if (!outcome.value.memoryless) {
        const { timeMs, resBytes, shrBytes, virtBytes } = outcome.value;
        target.history.push({ timeMs, resBytes, shrBytes, virtBytes });
      }
    } else if (outcome.error.kind === 'gone' || outcome.error.kind === 'pid-reused') {
      target.ended = true;
    }
    const exitCause = target.ended && target.lastSample?.cgroup?.ok && target.lastSample.cgroup.value ? judgeExit(target.oomBaseline, this.readOom) : undefined;
    const event: SampleEvent = {
      identity: target.identity,
      outcome,
      lastSample: target.lastSample,
      history: target.history,
      ended: target.ended,
      exitCause,
    };
    target.lastEvent = event;
    for (const subscription of [...target.subscriptions]) {
      safeCall(subscription.listener, event);
    }
  }

  private capacity(): number {
    return Math.ceil((this.settings.historyMinutes * 60000) / this.settings.intervalMs) + 1;
  }

  private sampleSoon(): void {
    this.stop();
    this.timer = setTimeout(() => this.onTimer(), 0);
  }

  private onTimer(): void {
    this.timer = undefined;
    try {
      this.tick();
    } finally {
      this.reschedule(); // a reader that throws must not stop every view from updating
    }
  }

  private reschedule(): void {
    const needed = [...this.targets.values()].some((target) => !target.ended);
    if (!needed) {
      this.stop();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.onTimer(), this.settings.intervalMs);
    }
  }

  private stop(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}

function safeCall(listener: SampleListener, event: SampleEvent): void {
  try {
    listener(event);
  } catch (error) {
    // One broken view must not stop the others from updating.
    console.error('[proc-memory] sample listener failed', error);
  }
}
