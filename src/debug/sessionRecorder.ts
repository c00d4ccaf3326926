import * as os from 'os';
import * as vscode from 'vscode';
import { readConfig } from '../contributions';
import { Disposable } from '../dispose';
import { readCommandLine } from '../proc/commandLine';
import { identityKey, ProcessIdentity } from '../proc/processIdentity';
import { Sampler } from '../proc/sampler';
import { makeRecording, RECORDING_SUFFIX, recordingToJson, thinOlderHalf } from '../recordings/recordingFile';
import { TimelineMarkers } from '../timelineMarkers';
import { DebugSessions } from './debugSessions';

/** Beyond this many samples the older half is thinned to every other sample: a long session stays bounded. */
export const MAX_RECORDED_SAMPLES = 100_000;
/** Recordings kept in storage; the oldest go first. */
export const KEPT_RECORDINGS = 20;

interface Recorder {
  identity: ProcessIdentity;
  sessionName: string;
  /** argv, read once when recording starts (it does not change after exec). */
  commandLine: string;
  points: { timeMs: number; resBytes: number; virtBytes: number; shrBytes: number }[];
  subscription: { dispose(): void };
}

/**
 * Records the memory of every debugged process for the whole session, and keeps it in the
 * workspace's storage (or the global one without a folder) when the session ends: the last
 * KEPT_RECORDINGS, opened with "Memory: Open Recent Recording". While a session is recorded its
 * process is sampled whether or not a view shows it: the one exception to "nothing polls while
 * nothing shows it" (procMemory.recordDebugSessions turns it off).
 */
export class SessionRecorder extends Disposable {
  private readonly recorders = new Map<string, Recorder>();
  private readonly saved = this.register(new vscode.EventEmitter<vscode.Uri>());
  /** Fires with the file of each recording saved. */
  readonly onDidSave = this.saved.event;

  constructor(
    private readonly sessions: DebugSessions,
    private readonly sampler: Sampler,
    private readonly markers: TimelineMarkers,
    readonly folder: vscode.Uri,
  ) {
    super();
    this.register(sessions.onDidChange(() => this.follow()));
    // Turned off, the recordings of running sessions end and are saved (their process is no longer
    // read for them); turned on, running sessions are recorded from then on.
    this.register(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('procMemory.recordDebugSessions')) {
          this.follow();
        }
      }),
    );
    this.register({ dispose: () => this.recorders.forEach((recorder) => recorder.subscription.dispose()) });
  }

  /** Starts recording new debuggees, saves those whose session ended. */
  private follow(): void {
    const live = new Map<string, { identity: ProcessIdentity; sessionName: string }>();
    if (readConfig('recordDebugSessions')) {
      for (const entry of this.sessions.all) {
        if (entry.status === 'found' && entry.identity) {
          live.set(identityKey(entry.identity), { identity: entry.identity, sessionName: entry.session.name });
        }
      }
    }
    for (const [key, recorder] of this.recorders) {
      if (!live.has(key)) {
        this.recorders.delete(key);
        recorder.subscription.dispose();
        void this.save(recorder);
      }
    }
    for (const [key, { identity, sessionName }] of live) {
      if (!this.recorders.has(key)) {
        const recorder: Recorder = {
          identity,
          sessionName,
          commandLine: readCommandLine(`/proc/${identity.pid}`),
          points: [],
          subscription: { dispose() {} },
        };
        this.recorders.set(key, recorder);
        recorder.subscription = this.sampler.subscribe(identity, {}, (event) => {
          const sample = event.outcome.ok ? event.outcome.value : undefined;
          if (!sample || sample.memoryless || recorder.points.at(-1)?.timeMs === sample.timeMs) {
            return;
          }
          recorder.points.push({
            timeMs: sample.timeMs,
            resBytes: sample.resBytes,
            virtBytes: sample.virtBytes,
            shrBytes: sample.shrBytes,
          });
          if (recorder.points.length > MAX_RECORDED_SAMPLES) {
            thinOlderHalf(recorder.points);
          }
        });
      }
    }
  }

  private async save(recorder: Recorder): Promise<void> {
    if (recorder.points.length === 0) {
      return;
    }
    const name = recorder.sessionName.replace(/[^\w.-]+/g, '_').slice(0, 60) || 'session';
    const stamp = new Date(recorder.points[0].timeMs).toISOString().replace(/[:.]/g, '-');
    const file = vscode.Uri.joinPath(this.folder, `${stamp}-${name}-${recorder.identity.pid}${RECORDING_SUFFIX}`);
    const recording = makeRecording(
      { ...recorder.identity, name: recorder.sessionName, commandLine: recorder.commandLine },
      recorder.points,
      this.markers.of(recorder.identity),
      {
        kernel: os.release(),
        totalRamBytes: os.totalmem(),
        sampleIntervalMs: readConfig('sampleIntervalMs'),
        debugSession: recorder.sessionName,
      },
    );
    try {
      await vscode.workspace.fs.createDirectory(this.folder);
      await vscode.workspace.fs.writeFile(
        file,
        Buffer.from(recordingToJson(recording, readConfig('recordings.includeCommandLine')), 'utf8'),
      );
      await this.prune();
      this.saved.fire(file);
    } catch (error) {
      void vscode.window.showWarningMessage(
        `Memory: the recording of "${recorder.sessionName}" could not be saved: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** The saved recordings, newest first. */
  async list(): Promise<vscode.Uri[]> {
    let entries: [string, vscode.FileType][];
    try {
      entries = await vscode.workspace.fs.readDirectory(this.folder);
    } catch {
      return [];
    }
    return entries
      .filter(([name, type]) => type === vscode.FileType.File && name.endsWith(RECORDING_SUFFIX))
      .map(([name]) => name)
      .sort()
      .reverse()
      .map((name) => vscode.Uri.joinPath(this.folder, name));
  }

  /** Keeps the newest KEPT_RECORDINGS (task runs too, which are saved in the same folder). */
  async prune(): Promise<void> {
    for (const old of (await this.list()).slice(KEPT_RECORDINGS)) {
      await vscode.workspace.fs.delete(old);
    }
  }
}
