import * as vscode from 'vscode';
import { readConfig } from './contributions';
import { formatBytes } from '../shared/format';
import { describeOomKill, ExitCause } from './proc/oomKill';
import { identityKey, ProcessIdentity } from './proc/processIdentity';
import { ProcessSample } from './proc/sampleProcess';
import { escapeNotificationLinks } from './core/textEscapes';
import { BoundedMap } from '../shared/boundedMap';

/** The evidence for an OOM kill in one paragraph: the counter, and the last readings. */
export function oomKillEvidence(
  cause: Extract<ExitCause, { kind: 'oom-kill' }>,
  last: ProcessSample | undefined,
): string {
  const parts: string[] = [];
  if (last && !last.memoryless) {
    parts.push(`RES ${formatBytes(last.resBytes)}`);
  }
  const group = last?.cgroup?.ok ? last.cgroup.value : undefined;
  const tightest = group?.tightest;
  if (tightest) {
    parts.push(
      `working set ${formatBytes(tightest.workingSetBytes)} of the ${formatBytes(tightest.level.limitBytes)} limit (${tightest.level.limitFile} of ${tightest.level.path})`,
    );
  } else if (group?.workingSet.ok) {
    parts.push(`working set of its cgroup ${formatBytes(group.workingSet.value)}`);
  }
  return `${describeOomKill(cause)}${parts.length ? ` Last reading: ${parts.join(', ')}.` : ''}`;
}

/**
 * The OOM-kill notification (`procMemory.alerts.oomKill`), once per process whichever view saw it
 * end: the status bar, an inspect panel, or both.
 */
export class OomAlerts {
  private readonly notified = new BoundedMap<string, true>(256);
  /** The notifications shown, newest last; for tests. */
  readonly shown: string[] = [];

  notify(identity: ProcessIdentity, name: string, evidence: string): void {
    const key = identityKey(identity);
    if (this.notified.has(key)) {
      return;
    }
    this.notified.set(key, true);
    if (!readConfig('alerts.oomKill')) {
      return;
    }
    const message = `${escapeNotificationLinks(name)} (PID ${identity.pid}) was most likely killed by the kernel's OOM killer: ${evidence}`;
    this.shown.push(message);
    void vscode.window.showWarningMessage(message);
  }
}
