// Dev harness only: what the fake host (fakeHost.ts) puts on the page's window, for the tests
// under test/webview/ to drive a view and read what it did. Types only, and no DOM, so that the
// tests (compiled for Node) can import it.
import type { ProcessSnapshot } from '../../shared/model';
import type { ToCompareView } from '../../shared/protocol/compare';
import type { ToDebugView } from '../../shared/protocol/debugView';
import type { ToInspectPanel } from '../../shared/protocol/inspect';
import type { ToRecordingView } from '../../shared/protocol/recording';

/** Any message the extension host sends a view. */
export type HostMessage = ToInspectPanel | ToDebugView | ToRecordingView | ToCompareView;

/** A Content Security Policy violation the page saw (securitypolicyviolation). */
export interface CspViolation {
  directive: string;
  blockedURI: string;
  sourceFile: string;
  line: number;
  column: number;
  sample: string;
}

export interface FakeHostWindow {
  /** Every message the page posted to the host, in order. */
  __posted: unknown[];
  /** performance.now() when the fake host last posted a message: for timing how long the page takes to show it. */
  __sentAtMs: number;
  __cspViolations: CspViolation[];
  /** True once the answers to the page's `ready` have been delivered. */
  __devReady: boolean;
  /** Delivers a message as the host would; the view has handled it when this returns. */
  __hostPost(message: HostMessage): void;
  /** What the page saved with setState. */
  __savedState(): unknown;
  /** A realistic snapshot to send in samples. */
  __snapshot(overrides: Partial<ProcessSnapshot>): ProcessSnapshot;
}
