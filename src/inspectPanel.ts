import * as os from 'os';
import * as vscode from 'vscode';
import { Disposable, MutableDisposable } from './dispose';
import { formatBytes } from '../shared/format';
import { readConfig } from './contributions';
import { historyToCsv } from './recordings/historyCsv';
import { snapshotToText } from './core/snapshotText';
import { oomKillEvidence, OomAlerts } from './oomAlerts';
import { makeRecording, RECORDING_SUFFIX, recordingToJson } from './recordings/recordingFile';
import { History } from './proc/history';
import { forecastFor } from './proc/historyForecast';
import { describeProcError } from './proc/outcome';
import { identityKey, ProcessIdentity } from './proc/processIdentity';
import { ProcessSample } from './proc/sampleProcess';
import { SampleEvent, Sampler } from './proc/sampler';
import { toSnapshot } from './core/processSnapshot';
import { forecastNews, hasNews, sameFigures, snapshotDelta } from './core/snapshotDelta';
import { trendText } from '../shared/trendJudgement';
import { QuietReadings } from './core/quietReadings';
import { EndedInfo, FromInspectPanel, parseFromInspectPanel, ToInspectPanel } from '../shared/protocol/inspect';
import { HistorySeries, LeakForecast, ProcessSnapshot, TREND_WINDOW_MS } from '../shared/model';
import { TimelineMarkers } from './timelineMarkers';
import { WebviewChannel } from './webviewChannel';
import { webviewHtml, webviewOptions } from './webviewHtml';

/**
 * One live panel for one process. It reads through the sampler only while visible; history
 * survives hiding, and after the process ends its figures freeze and the history stays exportable.
 */
export class InspectPanel extends Disposable {
  /** The sampler's readings, only while the panel is visible and the process runs. */
  private readonly subscription = this.register(new MutableDisposable());
  private history: History | undefined;
  private lastSample: ProcessSample | undefined;
  /** The snapshot of `lastSample`, made when first needed: most readings are judged without one. */
  private built: { sample: ProcessSample; snapshot: ProcessSnapshot } | undefined;
  private ended: EndedInfo | undefined;
  private problem: string | undefined;
  private readonly channel: WebviewChannel<ToInspectPanel, FromInspectPanel>;
  /** What the page has: a sample leaves out what is unchanged (see SampleSnapshot). */
  private shown:
    | {
        snapshot: ProcessSnapshot | undefined;
        forecast?: LeakForecast;
        /** The trend's level and rate as the page words them (trendText): a slope that moved by less than it shows is no news. */
        trend?: { level: string; text: string };
        /**
         * A reading whose figures the page has but for their time: the last one sent, or one
         * since found to bring none. A reading alike it (sameFigures) brings no news either.
         */
        quietSample: ProcessSample | undefined;
      }
    | undefined;
  /** Which readings the page hears of: those with news, and one at least every QUIET_MESSAGE_MS. */
  private readonly quiet = new QuietReadings();
  private forecast: LeakForecast | undefined;
  private readonly closed = this.register(new vscode.EventEmitter<void>());
  readonly onDidClose = this.closed.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly identity: ProcessIdentity,
    private readonly sampler: Sampler,
    private readonly markers: TimelineMarkers,
    extensionUri: vscode.Uri,
    name: string,
    /** Set when restoring a panel whose process is gone: show that, never read the PID again. */
    endedBeforeRestore?: EndedInfo,
    private readonly alerts: OomAlerts = new OomAlerts(),
  ) {
    super();
    this.ended = endedBeforeRestore;
    panel.title = `Memory: ${name} (${identity.pid})`;
    panel.iconPath = {
      light: vscode.Uri.joinPath(extensionUri, 'media', 'pulse-light.svg'),
      dark: vscode.Uri.joinPath(extensionUri, 'media', 'pulse-dark.svg'),
    };
    panel.webview.options = webviewOptions(extensionUri);
    panel.webview.html = webviewHtml(panel.webview, extensionUri, 'inspect', panel.title);
    this.channel = this.register(
      new WebviewChannel<ToInspectPanel, FromInspectPanel>(panel.webview, parseFromInspectPanel, {
        onReady: () => this.onReady(),
        onMessage: (message) => this.onMessage(message),
      }),
    );
    this.register(panel.onDidChangeViewState(() => this.followVisibility()));
    this.register(
      panel.onDidDispose(() => {
        this.closed.fire();
        this.dispose();
      }),
    );
    this.register(
      markers.onDidChange((key) => {
        if (key === identityKey(identity)) {
          this.post({ type: 'markers', markers: markers.of(identity) });
        }
      }),
    );
    this.followVisibility();
  }

  /** For tests and the bench: the page has loaded and said it is ready (it is sent nothing before). */
  get pageReady(): boolean {
    return this.channel.ready;
  }

  /** For tests: the last figures this panel received. */
  get lastSnapshot(): ProcessSnapshot | undefined {
    return this.snapshot;
  }

  private get snapshot(): ProcessSnapshot | undefined {
    if (this.lastSample && this.built?.sample !== this.lastSample) {
      this.built = { sample: this.lastSample, snapshot: toSnapshot(this.lastSample) };
    }
    return this.built?.snapshot;
  }

  /** For tests: the leak forecast this panel shows. */
  get lastForecast(): LeakForecast | undefined {
    return this.forecast;
  }

  get isEnded(): boolean {
    return this.ended !== undefined;
  }

  /** For tests: how the process ended, as the exit banner says it. */
  get endedInfo(): EndedInfo | undefined {
    return this.ended;
  }

  reveal(): void {
    this.panel.reveal();
  }

  /**
   * Saves the history, as a file the user picks or at `target` (used by tests and other
   * extensions). Returns undefined when cancelled, or when the file cannot be written: then it
   * says so in an error message naming the file, and the panel and its history stay as they were.
   */
  async exportHistory(format: 'csv' | 'json', target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const name = (this.snapshot?.name ?? 'process').replace(/[^\w.-]+/g, '_');
    const uri =
      target ??
      (await vscode.window.showSaveDialog({
        title: `Export memory history of ${this.snapshot?.name ?? this.identity.pid}`,
        defaultUri: vscode.Uri.joinPath(
          vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir()),
          `${name}-${this.identity.pid}${format === 'csv' ? '-memory.csv' : RECORDING_SUFFIX}`,
        ),
        filters: format === 'csv' ? { CSV: ['csv'] } : { 'Proc Memory recording': ['procmem.json'], JSON: ['json'] },
      }));
    if (!uri) {
      return undefined;
    }
    const points = this.history?.points() ?? [];
    const process = {
      ...this.identity,
      name: this.snapshot?.name ?? '',
      commandLine: this.snapshot?.commandLine ?? '',
    };
    const tightest = this.snapshot && 'tightest' in this.snapshot.cgroup ? this.snapshot.cgroup.tightest : undefined;
    const text =
      format === 'csv'
        ? historyToCsv(points)
        : recordingToJson(
            makeRecording(process, points, this.markers.of(this.identity), {
              kernel: os.release(),
              totalRamBytes: os.totalmem(),
              cgroupLimitBytes: tightest && 'limitBytes' in tightest ? tightest.limitBytes : undefined,
              sampleIntervalMs: readConfig('sampleIntervalMs'),
            }),
            readConfig('recordings.includeCommandLine'),
          );
    try {
      await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
    } catch (error) {
      // Before, the rejection went nowhere (the message handler does not await): the user saw nothing.
      const reason = error instanceof Error ? error.message : String(error);
      void vscode.window.showErrorMessage(
        `Could not export the memory history to ${uri.scheme === 'file' ? uri.fsPath : uri.toString()}: ${reason}`,
      );
      return undefined;
    }
    return uri;
  }

  private followVisibility(): void {
    if (this.panel.visible && !this.ended) {
      this.subscribe();
    } else {
      this.unsubscribe();
    }
    if (!this.panel.visible) {
      // A hidden page is gone (no retainContextWhenHidden): the next one has nothing to merge into.
      this.shown = undefined;
    }
  }

  private subscribe(): void {
    this.subscription.value ??= this.sampler.subscribe(
      this.identity,
      { detail: true, mappings: true, history: this.history },
      (event) => this.onSample(event),
    );
  }

  private unsubscribe(): void {
    this.subscription.clear();
  }

  private onSample(event: SampleEvent): void {
    this.history = event.history;
    this.lastSample = event.lastSample ?? this.lastSample;
    if (event.outcome.ok) {
      // The page shows the problem until it hears of a good reading: that reading is news.
      const problemShown = this.problem !== undefined;
      this.problem = undefined;
      const sample = event.outcome.value;
      const trendPerMinute = event.history.resTrendPerMinute(TREND_WINDOW_MS);
      this.forecast = forecastFor(event.history, sample);
      if (this.channel.ready) {
        const timeMs = sample.timeMs;
        const shown = this.shown;
        // The trend as the page words its level and rate. How long a window it rests on is left
        // out: in a young panel it grows every second ("over the last 12 s"), and that is no news.
        const trend = trendText(trendPerMinute, sample.resBytes, TREND_WINDOW_MS / 60000, this.forecast);
        const news =
          problemShown ||
          forecastNews(this.forecast, shown?.forecast) ||
          trend.level !== shown?.trend?.level ||
          trend.text !== shown.trend.text ||
          this.figuresNews(sample);
        const taken = this.quiet.take(timeMs, news);
        if (!taken.send) {
          return;
        }
        // Only what the page does not have yet: every byte is serialised twice and compressed by the host.
        const snapshot = this.snapshot as ProcessSnapshot;
        const delta = snapshotDelta(snapshot, shown?.snapshot);
        const forecast = this.forecast === shown?.forecast ? undefined : this.forecast;
        this.shown = { snapshot, forecast: this.forecast, trend, quietSample: sample };
        this.post({
          type: 'sample',
          snapshot: delta,
          timeMs,
          trendPerMinute,
          ...(forecast && { forecast }),
          ...(taken.heldUntilMs !== undefined && { sameUntilMs: taken.heldUntilMs }),
        });
      }
    } else if (event.ended) {
      this.ended = { atMs: Date.now(), message: describeProcError(event.outcome.error) };
      if (event.exitCause?.kind === 'oom-kill') {
        this.ended.oomKill = oomKillEvidence(event.exitCause, event.lastSample);
        this.alerts.notify(this.identity, event.lastSample?.name ?? String(this.identity.pid), this.ended.oomKill);
      }
      this.post({ type: 'ended', ended: this.ended });
      this.unsubscribe();
    } else {
      this.problem = describeProcError(event.outcome.error);
      this.post({ type: 'problem', message: this.problem });
    }
  }

  /** Whether the page would show any figure of `sample` differently, but for its time. */
  private figuresNews(sample: ProcessSample): boolean {
    const shown = this.shown;
    if (shown?.quietSample && sameFigures(sample, shown.quietSample)) {
      return false;
    }
    const news = hasNews(snapshotDelta(this.snapshot as ProcessSnapshot, shown?.snapshot), shown?.snapshot);
    if (!news && shown) {
      shown.quietSample = sample;
    }
    return news;
  }

  /** The page loaded (or was restored): the full state, and what it holds from now on. */
  private onReady(): void {
    this.shown = { snapshot: this.snapshot, forecast: this.forecast, quietSample: this.lastSample };
    this.quiet.restart();
    this.post(this.initMessage());
  }

  private async onMessage(message: Exclude<FromInspectPanel, { type: 'ready' }>): Promise<void> {
    switch (message.type) {
      case 'export':
        await this.exportHistory(message.format);
        break;
      case 'copySnapshot':
        if (this.snapshot) {
          await vscode.env.clipboard.writeText(snapshotToText(this.snapshot, formatBytes, this.forecast));
          void vscode.window.setStatusBarMessage('$(copy) Memory figures copied', 3000);
        }
        break;
      case 'readMappings':
        // The user waits for this read: its "reading now…" and its rows go at once, not with the next quiet message.
        this.quiet.sendEverything();
        this.sampler.readMappingsNow(this.identity);
        break;
    }
  }

  private initMessage(): ToInspectPanel {
    return {
      type: 'init',
      process: { ...this.identity, name: this.snapshot?.name ?? '' },
      snapshot: this.snapshot,
      history: toSeries(this.history),
      trendPerMinute: this.history?.resTrendPerMinute(TREND_WINDOW_MS),
      forecast: this.forecast,
      ended: this.ended,
      problem: this.problem,
      markers: this.markers.of(this.identity),
    };
  }

  private post(message: ToInspectPanel): void {
    this.channel.post(message);
  }
}

function toSeries(history: History | undefined): HistorySeries {
  const series: HistorySeries = { timesMs: [], res: [], shr: [] };
  for (const point of history?.points() ?? []) {
    series.timesMs.push(point.timeMs);
    series.res.push(point.resBytes);
    series.shr.push(point.shrBytes);
  }
  return series;
}
