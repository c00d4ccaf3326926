// Dev harness only (not shipped): stands in for VS Code around a built webview bundle.
// Defines `acquireVsCodeApi`, answers `ready` with realistic messages for the scenario named in the
// page URL (?view=inspect|debugView|recording|compare&scenario=…&theme=dark|light|hc&live=1&state=…),
// records what the page posts and every CSP violation (fakeHostApi.ts) for the tests in
// test/webview/. The scenarios of each view are in fake<View>.ts, the process they show in
// fakeProcess.ts.
import type { FakeHostWindow, HostMessage } from './fakeHostApi';
import { compareMessages } from './fakeCompare';
import { debugMessages } from './fakeDebugView';
import { inspectMessages } from './fakeInspect';
import { NOW, random, snapshot } from './fakeProcess';
import { recordingMessages } from './fakeRecording';
import { MiB } from '../../shared/units';

declare global {
  interface Window extends FakeHostWindow {
    acquireVsCodeApi: () => {
      postMessage(message: unknown): void;
      getState(): unknown;
      setState(state: unknown): void;
    };
  }
}

const params = new URLSearchParams(location.search);
const view = params.get('view') ?? 'inspect';
const scenario = params.get('scenario') ?? (view === 'inspect' ? 'live' : 'sessions');
const theme = params.get('theme') ?? 'dark';
const live = params.get('live') === '1';

window.__posted = [];
window.__cspViolations = [];
window.__devReady = false;
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push({
    directive: event.violatedDirective,
    blockedURI: event.blockedURI,
    sourceFile: event.sourceFile,
    line: event.lineNumber,
    column: event.columnNumber,
    sample: event.sample,
  });
});

// What VS Code puts on <body>: the theme kind class, and the sidebar background behind a view.
const themeClass: Record<string, string[]> = {
  dark: ['vscode-dark'],
  light: ['vscode-light'],
  hc: ['vscode-high-contrast'],
};
document.body.classList.add(
  ...(themeClass[theme] ?? themeClass.dark),
  view === 'debugView' ? 'dev-sidebar' : 'dev-editor',
);
document.body.setAttribute('data-vscode-theme-kind', themeClass[theme]?.[0] ?? 'vscode-dark');

let state: unknown;

/** As VS Code does: later, in a message event. */
const send = (message: HostMessage) =>
  setTimeout(() => {
    window.__sentAtMs = performance.now();
    window.postMessage(message, '*');
  }, 0);
// The same event, dispatched at once: the view has handled it when a test's evaluate returns.
window.__hostPost = (message) => window.dispatchEvent(new MessageEvent('message', { data: message }));

const replies: Record<string, (scenario: string) => HostMessage[]> = {
  inspect: inspectMessages,
  debugView: debugMessages,
  recording: recordingMessages,
  compare: compareMessages,
};

/** A reading a second, RES wandering upwards: for working on the inspect panel's live updates. */
function startLive(): void {
  let t = NOW;
  let res = 420 * MiB;
  const rand = random(11);
  setInterval(() => {
    t += 1000;
    res += (rand() - 0.3) * 2 * MiB;
    if (view === 'inspect') {
      send({
        type: 'sample',
        snapshot: snapshot({ resBytes: res, sampledAtMs: t }),
        timeMs: t,
        trendPerMinute: 8.2 * MiB,
      });
    }
  }, 1000);
}

window.__savedState = () => state;
window.__snapshot = (overrides) => snapshot({ sampledAtMs: Date.now(), ...overrides });

window.acquireVsCodeApi = () => ({
  postMessage(message: unknown) {
    window.__posted.push(message);
    console.log(`[posted] ${JSON.stringify(message)}`);
    if ((message as { type?: unknown }).type === 'ready') {
      for (const reply of (replies[view] ?? inspectMessages)(scenario)) {
        send(reply);
      }
      setTimeout(() => (window.__devReady = true), 50);
      if (live) {
        startLive();
      }
    }
  },
  getState: () => state ?? (params.get('state') ? JSON.parse(params.get('state')!) : undefined),
  setState: (next: unknown) => {
    state = next;
  },
});
