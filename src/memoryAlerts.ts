import * as vscode from 'vscode';
import { AlertHysteresis, FiredAlert } from './core/alertRules';
import { readConfig } from './contributions';
import { DebugSessions } from './debug/debugSessions';
import { DebugStops } from './debug/debugStops';
import { Disposable } from './dispose';
import { formatInterval } from '../shared/format';
import { forecastFor } from './proc/historyForecast';
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
    const session = this.sessions.sessionOf(sample.identity);
    if (!session) {
      return undefined;
    }
    const name = `"${escapeNotificationLinks(session.name)}"`;
    const outcome = await this.stops.pause(session);
    switch (outcome.status) {
      case 'already stopped':
        return undefined; // nothing ran since
      case 'no thread':
        return `The debug session ${name} could not be paused: its debugger lists no thread.`;
      case 'failed':
        return `The debug session ${name} could not be paused: ${outcome.reason}`;
      case 'paused':
        return `The debug session ${name} was paused: the program now stands within one sample (${formatInterval(readConfig('sampleIntervalMs'))}) of where the memory went (procMemory.alerts.pauseDebuggee).`;
    }
  }
}
