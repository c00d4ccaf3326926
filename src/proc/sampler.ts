// The one owner of all polling: which processes are read when, their histories, and who hears of
// each reading. The costly reads' pacing is in costlyReads.ts, the readers in detailReaders.ts,
// the OOM baseline in oomKill.ts.
import { History } from './history';
import {
  CostlyRead,
  Detail,
  failedRead,
  FIRST_SMAPS_IN_TICK_MAX_BYTES,
  firstSmapsInTick,
  landed,
  newDetail,
  repace,
  rollupInTick,
  rolledUp,
  smapsInTick,
  withDetail,
} from './costlyReads';
import { DetailReaders, realDetailReaders } from './detailReaders';
import { baselineAfterReading, ExitCause, judgeExit, OomBaseline, oomKillNear, readOomBaseline } from './oomKill';
import { CgroupMemory } from './cgroup';
import { ok, Outcome } from './outcome';
import { identityKey, ProcessIdentity } from './processIdentity';
import { ProcessFiles } from './processFiles';
import { ProcessSample, sampleCopy, sampleProcess, SampleOptions } from './sampleProcess';
import { Timed } from './smapsOffThread';
import { BoundedMap } from '../../shared/boundedMap';

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
  /**
   * How often the costly figures (smaps_rollup, smaps, cgroup) are read for subscribers that want
   * them, at most: a read that costs more than READ_SHARE of this interval comes less often.
   */
  detailIntervalMs: number;
  historyMinutes: number;
}

export interface SubscribeOptions {
  /**
   * Also read the cgroup (its limits, usage and OOM counters) every `detailIntervalMs`: all that
   * the status bar's warning, the alerts and the OOM verdict of an end need.
   */
  cgroup?: boolean;
  /**
   * Also read smaps_rollup, oom_score and memory pressure with the cgroup, every `detailIntervalMs`
   * (or as their cost allows): what the inspect panel shows.
   */
  detail?: boolean;
  /**
   * Also sum /proc/PID/smaps by kind of mapping, every `detailIntervalMs` or as its cost allows.
   * Costlier than `detail` (the kernel prints every mapping in full), so only the inspect panel
   * asks for it.
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

/**
 * How many processes keep their costly figures and pace after nobody watches them: a panel hidden
 * and shown again must not read a big process's smaps sooner than its cost allows.
 */
const RECENT_DETAILS = 16;

interface Subscription {
  listener: SampleListener;
  cgroup: boolean;
  detail: boolean;
  mappings: boolean;
}

interface Target {
  identity: ProcessIdentity;
  history: History;
  subscriptions: Set<Subscription>;
  lastSample?: ProcessSample;
  detail: Detail;
  ended: boolean;
  lastEvent?: SampleEvent;
  /** OOM counters of its group, read before or with a reading that found it alive (see baselineAfterReading). */
  oomBaseline?: OomBaseline;
  /** Its stat, statm and status, kept open while it is watched and runs. */
  files: ProcessFiles;
}

/**
 * The one owner of all polling. Views subscribe to a process; the sampler reads each watched
 * process once per interval whatever the number of subscribers, keeps its history, and runs no
 * timer at all while nobody subscribes or every watched process has ended.
 */
export class Sampler {
  private readonly targets = new Map<string, Target>();
  private readonly recent = new BoundedMap<string, Detail>(RECENT_DETAILS);
  private readonly observers = new Set<SampleListener>();
  private timer: NodeJS.Timeout | undefined;
  private settings: SamplerSettings;

  constructor(
    settings: SamplerSettings,
    private readonly read: ProcessReader = sampleProcess,
    private readonly details: DetailReaders = realDetailReaders(),
    /** The wall clock (ms since the epoch), taken once per tick; tests pass their own. */
    private readonly now: () => number = () => Date.now(),
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
    for (const detail of [...[...this.targets.values()].map((target) => target.detail), ...this.recent.values()]) {
      repace(detail.rollup, this.settings.detailIntervalMs);
      repace(detail.smaps, this.settings.detailIntervalMs);
      detail.cgroupNextAtMs = 0;
    }
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
  subscribe(identity: ProcessIdentity, options: SubscribeOptions, listener: SampleListener): { dispose(): void } {
    const key = identityKey(identity);
    let target = this.targets.get(key);
    if (!target) {
      const history = options.history?.capacity === this.capacity() ? options.history : new History(this.capacity());
      const detail = this.recent.get(key) ?? newDetail();
      this.recent.delete(key);
      target = { identity, history, subscriptions: new Set(), detail, ended: false, files: new ProcessFiles() };
      this.targets.set(key, target);
    }
    const subscription: Subscription = {
      listener,
      cgroup: options.cgroup ?? false,
      detail: options.detail ?? false,
      mappings: options.mappings ?? false,
    };
    target.subscriptions.add(subscription);
    if (target.lastEvent) {
      safeCall(listener, target.lastEvent);
    }
    if (!target.ended) {
      // A figure never read yet is due at once (nextAtMs 0); one read before comes at its pace.
      this.sampleSoon();
    }
    return {
      dispose: () => {
        const current = this.targets.get(key);
        if (current?.subscriptions.delete(subscription) && current.subscriptions.size === 0) {
          this.targets.delete(key);
          current.files.close();
          this.remember(key, current.detail);
        }
        this.reschedule();
      },
    };
  }

  /**
   * Sees every event of every watched process, without watching any: for observers such as the
   * alerts, which judge the readings the views already cause and must never start polling.
   */
  observe(listener: SampleListener): { dispose(): void } {
    this.observers.add(listener);
    return { dispose: () => this.observers.delete(listener) };
  }

  /**
   * Reads /proc/PID/smaps of a watched process now, whatever its pace (the panel's "Read now").
   * Returns false when nobody watches its mappings, it ended, or a read is already under way.
   */
  readMappingsNow(identity: ProcessIdentity): boolean {
    const target = this.targets.get(identityKey(identity));
    if (
      !target ||
      target.ended ||
      target.detail.smaps.reading ||
      ![...target.subscriptions].some((subscription) => subscription.mappings)
    ) {
      return false;
    }
    this.readMappings(target, this.now(), target.lastSample?.resBytes ?? Infinity);
    this.emitDetail(target); // the rows, or "reading" at once
    return true;
  }

  /** The history kept for a process, while someone watches it. */
  history(identity: ProcessIdentity): History | undefined {
    return this.targets.get(identityKey(identity))?.history;
  }

  dispose(): void {
    for (const target of this.targets.values()) {
      target.files.close();
    }
    this.targets.clear();
    this.recent.clear();
    this.observers.clear();
    this.stop();
    this.details.dispose();
  }

  /** Reads every watched process now. Public for tests; the timer calls it. */
  tick(): void {
    const now = this.now();
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
    const wantsGroup = wantsDetail || subscriptions.some((subscription) => subscription.cgroup);
    // The OOM counters its end is judged against (oomKill.ts). Where a kill is near, or there is
    // no baseline yet (a view shown again), they are read BEFORE the process: if it is then still
    // there, no kill it suffered can be in them, so a later rise is news (once a tick for all
    // processes of a group, before the first and so before each). Elsewhere those the cgroup read
    // brings serve: up to a detail interval old, they may count another process's kill (the
    // verdict says so).
    const cgroup = target.detail.cgroup;
    const group = wantsGroup && cgroup?.ok ? cgroup.value : undefined;
    const oomBefore =
      group && (oomKillNear(group) || (!target.oomBaseline && group.oom.ok))
        ? readOomBaseline(group.version, group.path, this.details.oomCounters)
        : undefined;
    let outcome = this.read(target.identity.pid, {
      expected: target.identity,
      files: target.files,
      previous: target.lastSample,
    });
    if (outcome.ok && outcome.value.memoryless === 'zombie' && target.lastSample && !target.lastSample.memoryless) {
      // It exited and waits for its parent to reap it: that is the end, and the figures a view
      // freezes on are the last real ones, not the zombie's zeros.
      outcome = { ok: false, error: { kind: 'gone', detail: 'exited (a zombie until its parent reaps it)' } };
    }
    if (outcome.ok) {
      const groupRead =
        wantsGroup && !outcome.value.memoryless
          ? this.readDetail(target, now, outcome.value.resBytes, wantsDetail, wantsMappings)
          : undefined;
      withDetail(outcome.value, target.detail);
      const previous = target.lastSample;
      if (previous && !outcome.value.memoryless && outcome.value.timeMs > previous.timeMs) {
        const seconds = (outcome.value.timeMs - previous.timeMs) / 1000;
        outcome.value.faultRates = {
          minorPerSecond: (outcome.value.faults.minor - previous.faults.minor) / seconds,
          majorPerSecond: (outcome.value.faults.major - previous.faults.major) / seconds,
          overMs: outcome.value.timeMs - previous.timeMs,
        };
      }
      target.oomBaseline = baselineAfterReading(target.oomBaseline, {
        readsGroup: wantsGroup,
        before: oomBefore,
        withReading: groupRead?.ok ? groupRead.value?.oom : undefined,
        read: this.details.oomCounters,
      });
      target.lastSample = outcome.value;
      if (!outcome.value.memoryless) {
        const { timeMs, resBytes, shrBytes, virtBytes } = outcome.value;
        target.history.push({ timeMs, resBytes, shrBytes, virtBytes });
      }
    } else if (outcome.error.kind === 'gone' || outcome.error.kind === 'pid-reused') {
      target.ended = true;
    }
    if (target.ended) {
      target.files.close();
    }
    this.emit(target, outcome);
  }

  private emit(target: Target, outcome: Outcome<ProcessSample>): void {
    const cgroup = target.lastSample?.cgroup;
    const exitCause =
      target.ended && cgroup?.ok && cgroup.value
        ? judgeExit(target.oomBaseline, this.details.oomCountersNow)
        : undefined;
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
    for (const observer of [...this.observers]) {
      safeCall(observer, event);
    }
  }

  /**
   * The costly reads that are due: cgroup at the setting's pace (with oom_score and pressure where
   * `wantsDetail`), rollup and smaps at their cost's (a small process's first smaps in the tick, by
   * its RES). Returns the cgroup reading when one was due.
   */
  private readDetail(
    target: Target,
    now: number,
    resBytes: number,
    wantsDetail: boolean,
    wantsMappings: boolean,
  ): Outcome<CgroupMemory | undefined> | undefined {
    const { detail, identity } = target;
    let groupRead: Outcome<CgroupMemory | undefined> | undefined;
    // A view that shows them, come to a process whose cgroup alone was read: all of it now.
    if (now >= detail.cgroupNextAtMs || (wantsDetail && !detail.oomScore)) {
      groupRead = detail.cgroup = this.details.cgroup(identity.pid);
      // Read for no view, they would only age: a view that comes reads them afresh (above).
      detail.oomScore = wantsDetail ? this.details.oomScore(identity.pid) : undefined;
      detail.pressure = wantsDetail ? this.details.pressure(identity.pid) : undefined;
      // On the interval's grid, not from this read: every process is due in the same tick, which
      // then reads their shared files (one cgroup, the system's pressure) once (SharedReads).
      const every = this.settings.detailIntervalMs;
      detail.cgroupNextAtMs = (Math.floor(now / every) + 1) * every;
    }
    if (!wantsDetail) {
      return groupRead;
    }
    const rollup = detail.rollup;
    if (!rollup.reading && now >= rollup.nextAtMs) {
      if (rollupInTick(detail)) {
        const read = this.details.rollupSync(identity.pid, rollup.value);
        rolledUp(detail, read.costMs);
        landed(rollup, now, read, this.settings.detailIntervalMs);
      } else {
        // Unknown or costly: the kernel's walk in the thread pool; the figures follow in their own event.
        rolledUp(detail, undefined);
        rollup.reading = true;
        void this.details.rollupAsync(identity.pid).then(
          (read) => this.landedLater(target, rollup, now, read),
          (error: unknown) => this.landedLater(target, rollup, now, failedRead(error)),
        );
      }
    }
    if (wantsMappings && !detail.smaps.reading && now >= detail.smaps.nextAtMs) {
      this.readMappings(target, now, resBytes);
    }
    return groupRead;
  }

  /** smaps in the tick where it proved cheap or may be (a small process's first read), else in the worker. */
  private readMappings(target: Target, now: number, resBytes: number): void {
    const { detail, identity } = target;
    const read = smapsInTick(detail.smaps)
      ? this.details.smapsSync(identity.pid, detail.smaps.value)
      : firstSmapsInTick(detail.smaps, resBytes)
        ? this.details.shortSmapsSync(identity.pid, FIRST_SMAPS_IN_TICK_MAX_BYTES)
        : undefined;
    if (read) {
      landed(detail.smaps, now, read, this.settings.detailIntervalMs);
      return;
    }
    detail.smaps.reading = true;
    void this.details.smaps(identity.pid).then(
      (read) => this.landedLater(target, detail.smaps, now, read),
      (error: unknown) => this.landedLater(target, detail.smaps, now, failedRead(error)),
    );
  }

  /** An off-thread read came back: keep it, and tell the views now rather than at the next tick. */
  private landedLater<T>(target: Target, read: CostlyRead<T>, startedMs: number, result: Timed<T>): void {
    landed(read, startedMs, result, this.settings.detailIntervalMs);
    this.emitDetail(target);
  }

  /** A new event with the same figures and the latest costly ones, if the target is still watched. */
  private emitDetail(target: Target): void {
    const last = target.lastSample;
    if (
      this.targets.get(identityKey(target.identity)) !== target ||
      target.ended ||
      !last ||
      !target.lastEvent?.outcome.ok
    ) {
      return;
    }
    const sample = withDetail(sampleCopy(last, last.timeMs), target.detail);
    target.lastSample = sample;
    this.emit(target, ok(sample));
  }

  private remember(key: string, detail: Detail): void {
    if (detail.rollup.readAtMs === undefined && detail.smaps.readAtMs === undefined) {
      return;
    }
    this.recent.set(key, detail);
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
