import { parsePid } from '../shared/pid';
import * as vscode from 'vscode';
import { Commands, registerCommand } from './contributions';
import { DebugSessions } from './debug/debugSessions';
import { DisposableStore } from './dispose';
import { FocusTracker } from './focusTracker';
import { InspectPanel } from './inspectPanel';
import { InspectPanelRegistry } from './inspectPanelRegistry';
import { pickProcess } from './processPicker';
import { terminalCommandItems } from './terminals/terminalItems';
import { TimelineMarkers } from './timelineMarkers';
import { SessionRecorder } from './debug/sessionRecorder';
import { RECORDING_VIEW_TYPE, readRecordingView, RecordingEditor } from './recordings/recordingEditor';
import { formatBytes } from '../shared/format';

/** The palette commands: each asks for what it needs and hands over to a feature. */
export function registerCommands(
  focus: FocusTracker,
  panels: InspectPanelRegistry,
  debugSessions: DebugSessions,
  markers: TimelineMarkers,
  recorder: SessionRecorder,
  recordings: RecordingEditor,
): vscode.Disposable {
  const store = new DisposableStore();

  // The process a user inspects is the one they care about: the status bar follows it too.
  const watchAndShow = (panel: InspectPanel | undefined) => {
    if (panel) {
      focus.watch(panel.identity);
    }
    return panel;
  };

  store.add(
    registerCommand(Commands.InspectProcess, async (pid?: unknown): Promise<InspectPanel | undefined> => {
      // A PID argument (keybindings, other extensions) skips the picker.
      if (pid !== undefined) {
        const number = parsePid(pid);
        if (number === undefined) {
          void vscode.window.showErrorMessage(
            `Memory: Inspect Process expects a PID, got ${JSON.stringify(pid)?.slice(0, 40)}.`,
          );
          return undefined;
        }
        return watchAndShow(panels.showPid(number));
      }
      const identity = await pickProcess('Memory: Inspect Process', await terminalCommandItems());
      return identity ? watchAndShow(panels.show(identity)) : undefined;
    }),
  );

  store.add(
    registerCommand(Commands.WatchProcess, async () => {
      const identity = await pickProcess('Memory: Watch Process in Status Bar');
      if (identity) {
        focus.watch(identity);
      }
      return identity;
    }),
  );

  store.add(registerCommand(Commands.StopWatching, () => focus.stopWatching()));

  store.add(
    registerCommand(Commands.InspectFocused, () => {
      const target = focus.current;
      return target ? panels.show(target.identity) : vscode.commands.executeCommand(Commands.InspectProcess);
    }),
  );

  // From the debug view's "Pick process" button (with its session) or the palette (active session).
  store.add(
    registerCommand(Commands.PickDebuggee, async (sessionId?: unknown) => {
      const id = typeof sessionId === 'string' ? sessionId : vscode.debug.activeDebugSession?.id;
      const identity = id ? await pickProcess('Memory: Pick the Debugged Process') : undefined;
      if (id && identity) {
        debugSessions.assign(id, identity);
      }
    }),
  );

  // A mark on every timeline of the process in focus; the label is optional (a string argument skips the prompt).
  store.add(
    registerCommand(Commands.AddMarker, async (label?: unknown) => {
      const target = focus.current;
      if (!target) {
        void vscode.window.showInformationMessage(
          'Memory: no process in focus to mark. Debug a program, or watch or inspect a process first.',
        );
        return undefined;
      }
      const text =
        typeof label === 'string'
          ? label
          : await vscode.window.showInputBox({
              title: 'Memory: Add Marker',
              prompt: `A label for the marker on the timeline of PID ${target.identity.pid} (optional)`,
              placeHolder: 'e.g. after loading the file',
            });
      if (text === undefined) {
        return undefined; // cancelled
      }
      const marker = {
        timeMs: Date.now(),
        kind: 'user' as const,
        label: text.trim().slice(0, 120) || 'Marker',
        detail: `Added by you at ${new Date().toLocaleTimeString()}`,
      };
      markers.add(target.identity, marker);
      return marker;
    }),
  );

  const openRecording = (uri: vscode.Uri) =>
    vscode.commands.executeCommand('vscode.openWith', uri, RECORDING_VIEW_TYPE);

  store.add(
    registerCommand(Commands.OpenRecording, async (uri?: unknown) => {
      const target =
        uri instanceof vscode.Uri
          ? uri
          : (
              await vscode.window.showOpenDialog({
                title: 'Memory: Open Recording',
                canSelectMany: false,
                filters: { 'Proc Memory recording': ['procmem.json'], JSON: ['json'] },
              })
            )?.[0];
      return target ? openRecording(target) : undefined;
    }),
  );

  // The debug sessions recorded by themselves: program, when, how long, peak RES.
  const recentItems = async () =>
    Promise.all(
      (await recorder.list()).map(async (uri) => {
        const view = await readRecordingView(uri);
        if (view.type === 'invalid') {
          return { label: view.fileName, description: 'cannot be read', detail: view.reason, uri };
        }
        const { summary, process } = view;
        return {
          label: process.name,
          description: `${new Date(summary.startMs).toLocaleString()} · ${Math.round(summary.durationMs / 1000)} s`,
          detail: `Peak RES ${formatBytes(summary.peakResBytes)} · ${summary.stops} stops · PID ${process.pid}`,
          uri,
        };
      }),
    );

  store.add(
    registerCommand(Commands.OpenRecentRecording, async () => {
      const items = await recentItems();
      if (items.length === 0) {
        void vscode.window.showInformationMessage(
          'Memory: no recordings yet. Each debug session is recorded while it runs and kept when it ends.',
        );
        return undefined;
      }
      const picked = await vscode.window.showQuickPick(items, {
        title: 'Memory: Open Recent Recording',
        matchOnDescription: true,
        matchOnDetail: true,
      });
      return picked ? openRecording(picked.uri) : undefined;
    }),
  );

  // Two recordings: given (tests, the recording editor's "Compare with..."), or picked among the recent ones or from disk.
  const pickRecording = async (title: string): Promise<vscode.Uri | undefined> => {
    const browse = {
      label: '$(folder-opened) Browse…',
      description: 'a *.procmem.json file',
      uri: undefined as vscode.Uri | undefined,
    };
    const picked = await vscode.window.showQuickPick([...(await recentItems()), browse], {
      title,
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (picked && !picked.uri) {
      return (
        await vscode.window.showOpenDialog({
          title,
          canSelectMany: false,
          filters: { 'Proc Memory recording': ['procmem.json'], JSON: ['json'] },
        })
      )?.[0];
    }
    return picked?.uri;
  };
  store.add(
    registerCommand(Commands.CompareRecordings, async (first?: unknown, second?: unknown) => {
      const a = first instanceof vscode.Uri ? first : await pickRecording('Memory: Compare Recordings (run A)');
      const b =
        a && (second instanceof vscode.Uri ? second : await pickRecording('Memory: Compare Recordings (run B)'));
      return a && b ? recordings.compare(a, b) : undefined;
    }),
  );

  return store;
}
