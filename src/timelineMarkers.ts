import * as vscode from 'vscode';
import { Disposable } from './dispose';
import { identityKey, ProcessIdentity } from './proc/processIdentity';
import { TimelineMarker } from '../shared/model';
import { BoundedMap } from '../shared/boundedMap';

/** Markers kept per process; beyond this the oldest go (a stepping session can stop thousands of times). */
const MAX_MARKERS_PER_PROCESS = 500;
/** Processes whose markers are kept; the least recently marked go first. */
const MAX_PROCESSES = 64;

/**
 * The marks on every timeline of a process: debug stops and the user's own markers. One store, so
 * the inspect panel's chart and the debug view's sparkline show the same marks.
 */
export class TimelineMarkers extends Disposable {
  private readonly byProcess = new BoundedMap<string, TimelineMarker[]>(MAX_PROCESSES);
  private readonly changed = this.register(new vscode.EventEmitter<string>());
  /** Fires with the identity key of the process whose markers changed. */
  readonly onDidChange = this.changed.event;

  add(identity: ProcessIdentity, marker: TimelineMarker): void {
    const key = identityKey(identity);
    const markers = this.byProcess.get(key) ?? [];
    markers.push(marker);
    markers.sort((a, b) => a.timeMs - b.timeMs);
    if (markers.length > MAX_MARKERS_PER_PROCESS) {
      markers.splice(0, markers.length - MAX_MARKERS_PER_PROCESS);
    }
    this.byProcess.set(key, markers);
    this.changed.fire(key);
  }

  /** Replaces a marker added earlier (a stop whose figures arrive after its location). */
  replace(identity: ProcessIdentity, old: TimelineMarker, marker: TimelineMarker): void {
    const markers = this.byProcess.get(identityKey(identity));
    const index = markers?.indexOf(old) ?? -1;
    if (markers && index >= 0) {
      markers[index] = marker;
      this.changed.fire(identityKey(identity));
    } else {
      this.add(identity, marker);
    }
  }

  of(identity: ProcessIdentity): TimelineMarker[] {
    return this.byProcess.get(identityKey(identity))?.slice() ?? [];
  }
}
