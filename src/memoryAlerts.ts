import * as vscode from 'vscode';
import { AlertHysteresis, FiredAlert } from './core/alertRules';
import { readConfig } from './contributions';
import { DebugSessions } from './debug/debugSessions';
import { DebugStops } from './debug/debugStops';
import { Disposable } from './dispose';
import { formatInterval } from '../shared/format';
import { forecastFor } from './proc/historyForecast';
import { sameProcess } from './proc/processIdentity';
import { ProcessSample } from './proc/sampleProcess';
import { SampleEvent, Sampler } from './proc/sampler';
import { escapeNotificationLinks } from './core/textEscapes';

/**
 * The threshold notifications (`procMemory.alerts.resAboveMiB`, `.workingSetAbovePercent`,
 * `.sustainedGrowth`): judged
 * on the readings the views already cause (the status bar's focus, inspect panels, debuggees), never
 * on readings of their own; once per crossing (alertRules.ts). With `procMemory.alerts.pauseDebuggee`
 * a debuggee is paused as its alert fires, so the user lands where the memory went.
 */
export class MemoryAlerts extends Disposable {
  private readonly hysteresis = new AlertHysteresis();
  /** The notifications shown, newest last; for tests. */
  readonly shown: string[] = [];

  constructor(
    sampler: Sampler,
    private readonly sessions: DebugSessions,
    private readonly stops: DebugStops,
  ) {
    super();
    this.register(sampler.observe((event) => this.onSample(event)));
  }

  private onSample(event: SampleEvent): void {
    if (event.ended) {
      this.hysteresis.forget(event.identity);
      return;
    }
    if (!event.outcome.ok) {
      return;
    }
    const sample = event.outcome.value;
    const sustainedGrowth = readConfig('alerts.sustainedGrowth');
    const fired = this.hysteresis.evaluate(
      { sample, forecast: sustainedGrowth ? forecastFor(event.history, sample) : undefined },
      {
        resAboveMiB: readConfig('alerts.resAboveMiB'),
        workingSetAbovePercent: readConfig('alerts.workingSetAbovePercent'),
        sustainedGrowth,
      },
    );
    for (const alert of fired) {
      void this.notify(alert, sample);
    }
  }

  private async notify(alert: FiredAlert, sample: ProcessSample): Promise<void> {
    const paused = readConfig('alerts.pauseDebuggee') ? await this.pauseDebuggee(sample) : undefined;
    const message = `${escapeNotificationLinks(sample.name)} (PID ${sample.identity.pid}): ${alert.message}${paused ? ` ${paused}` : ''}`;
    this.shown.push(message);
    void vscode.window.showWarningMessage(message);
  }

  /** Pauses the debug session of this process if it runs; says what happened, or undefined when it is no debuggee. */
  private async pauseDebuggee(sample: ProcessSample): Promise<string | undefined> {
    const entry = this.sessions.all.find(
      (candidate) =>
        candidate.status === 'found' && candidate.identity && sameProcess(candidate.identity, sample.identity),
    );
    if (!entry || this.stops.currentStop(entry.session.id)) {
      return undefined; // not debugged, or already stopped: nothing ran since
    }
    const session = entry.session;
    const name = `"${escapeNotificationLinks(session.name)}"`;
    try {
      // DAP `pause` needs a thread: the one of the last stop, else the first the adapter lists.
      let threadId = this.stops.stopsOf(session.id).at(-1)?.threadId;
      if (threadId === undefined) {
        const threads = (await session.customRequest('threads')) as { threads?: { id?: unknown }[] } | undefined;
        const first = threads?.threads?.[0]?.id;
        threadId = typeof first === 'number' ? first : undefined;
      }
      if (threadId === undefined) {
        return `The debug session ${name} could not be paused: its debugger lists no thread.`;
      }
      await session.customRequest('pause', { threadId });
      return `The debug session ${name} was paused: the program now stands within one sample (${formatInterval(readConfig('sampleIntervalMs'))}) of where the memory went (procMemory.alerts.pauseDebuggee).`;
    } catch (error) {
      return `The debug session ${name} could not be paused: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
}
