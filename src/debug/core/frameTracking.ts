// Where a stopped program stands, from the Debug Adapter Protocol messages between VS Code and the
// adapter: the messages that start and end a stop, and the frames of the stopped thread as the
// stackTrace responses bring them, down to the frame VS Code reveals. Pure functions over DAP
// messages: no `vscode`, no state of their own.
import { DapFrame, framesOf, revealedFrame } from './revealedFrame';

/**
 * Requests after which the program runs again. Adapters send no `continued` event for them (the
 * DAP says so), so the stop ends when VS Code sends one.
 */
const RUN_REQUESTS: ReadonlySet<string> = new Set([
  'continue',
  'next',
  'stepIn',
  'stepOut',
  'stepBack',
  'reverseContinue',
  'goto',
  'restartFrame',
]);

/** The frames a stackTrace request asks for. */
export interface StackRequest {
  threadId: number;
  startFrame: number;
  /** 0: all the frames. */
  levels: number;
}

/** What a request from VS Code to the adapter means for the stops. */
export type RequestMeaning = { kind: 'run' } | { kind: 'stackTrace'; seq: number; request: StackRequest };

/** What a message from the adapter means for the stops. */
export type AdapterMeaning =
  | { kind: 'stopped'; threadId: number | undefined; reason: string }
  | { kind: 'continued'; threadId: number | undefined; allThreadsContinued: boolean }
  | { kind: 'stackTrace'; requestSeq: number; success: boolean; body: unknown };

/** The frames seen of the stopped thread, from the `stopped` event until the program runs again. */
export interface StopFrames {
  /** The stopped thread: the `stopped` event's, else the first thread VS Code asks the stack of. */
  threadId: number | undefined;
  /** By position in the stack; a hole where no response covered it yet. */
  frames: readonly (DapFrame | undefined)[];
  /** True once a response said the stack has no more frames. */
  complete: boolean;
  /**
   * VS Code's stackTrace requests sent during this stop, by seq, waiting for their response. A
   * request sent before (VS Code asks for the rest of a stack even after `continue`) may be answered
   * with the next stop's frames at the wrong positions: its response is not this stop's.
   */
  asked: ReadonlyMap<number, StackRequest>;
}

export function requestMeaning(message: unknown): RequestMeaning | undefined {
  const m = message as
    | { type?: unknown; command?: unknown; seq?: unknown; arguments?: Record<string, unknown> }
    | null
    | undefined;
  if (m?.type !== 'request' || typeof m.command !== 'string') {
    return undefined;
  }
  if (RUN_REQUESTS.has(m.command)) {
    return { kind: 'run' };
  }
  const args = typeof m.arguments === 'object' && m.arguments !== null ? m.arguments : {};
  if (m.command === 'stackTrace' && typeof m.seq === 'number' && typeof args.threadId === 'number') {
    return {
      kind: 'stackTrace',
      seq: m.seq,
      request: {
        threadId: args.threadId,
        startFrame: typeof args.startFrame === 'number' ? args.startFrame : 0,
        levels: typeof args.levels === 'number' ? args.levels : 0,
      },
    };
  }
  return undefined;
}

export function adapterMeaning(message: unknown): AdapterMeaning | undefined {
  const m = message as
    | { type?: unknown; event?: unknown; command?: unknown; request_seq?: unknown; success?: unknown; body?: unknown }
    | null
    | undefined;
  if (m?.type === 'event' && m.event === 'stopped') {
    const body = typeof m.body === 'object' && m.body !== null ? (m.body as Record<string, unknown>) : {};
    return {
      kind: 'stopped',
      threadId: typeof body.threadId === 'number' ? body.threadId : undefined,
      reason: stopReason(body),
    };
  }
  if (m?.type === 'event' && m.event === 'continued') {
    const body = typeof m.body === 'object' && m.body !== null ? (m.body as Record<string, unknown>) : {};
    return {
      kind: 'continued',
      threadId: typeof body.threadId === 'number' ? body.threadId : undefined,
      allThreadsContinued: body.allThreadsContinued === true,
    };
  }
  if (m?.type === 'response' && m.command === 'stackTrace' && typeof m.request_seq === 'number') {
    return { kind: 'stackTrace', requestSeq: m.request_seq, success: m.success === true, body: m.body };
  }
  return undefined;
}

/**
 * Whether a `continued` event ends the stop of `stoppedThreadId`: all threads run again, or the
 * stopped one does (the DAP: without allThreadsContinued, only the thread it names has continued).
 * Where either thread is unknown, the program is taken to run again.
 */
export function continuedEndsStop(
  continued: Extract<AdapterMeaning, { kind: 'continued' }>,
  stoppedThreadId: number | undefined,
): boolean {
  return (
    continued.allThreadsContinued ||
    continued.threadId === undefined ||
    stoppedThreadId === undefined ||
    continued.threadId === stoppedThreadId
  );
}

/** Nothing seen yet of a stop's frames; the thread, if the `stopped` event named one. */
export function noFrames(threadId: number | undefined): StopFrames {
  return { threadId, frames: [], complete: false, asked: new Map() };
}

/** The frames seen, with one more stackTrace request of VS Code's waiting for its response. */
export function withRequest(seen: StopFrames, seq: number, request: StackRequest): StopFrames {
  return { ...seen, asked: new Map(seen.asked).set(seq, request) };
}

/**
 * The frames seen after the response to a stackTrace request. Only a successful response to a
 * request of this stop, about its thread, brings frames (`frames` is then a new array); for a stop
 * without a thread (some adapters), the thread VS Code asks about first is the one it shows.
 */
export function withResponse(seen: StopFrames, requestSeq: number, success: boolean, body: unknown): StopFrames {
  const request = seen.asked.get(requestSeq);
  if (!request) {
    return seen;
  }
  const asked = new Map(seen.asked);
  asked.delete(requestSeq);
  if (!success || (seen.threadId !== undefined && request.threadId !== seen.threadId)) {
    return { ...seen, asked };
  }
  const arrived = framesOf(body);
  const frames = [...seen.frames];
  arrived.forEach((frame, index) => (frames[request.startFrame + index] = frame));
  const total = (body as { totalFrames?: unknown } | null | undefined)?.totalFrames;
  const last =
    arrived.length === 0 ||
    (request.levels > 0 && arrived.length < request.levels) ||
    (typeof total === 'number' && request.startFrame + arrived.length >= total);
  return { threadId: request.threadId, frames, complete: seen.complete || last, asked };
}

/**
 * The frame VS Code reveals, by its rule over the frames seen so far, once they settle it: the rule
 * picks a frame that is not the first one, or the first one is not de-emphasised (so no frame
 * after it can win), or no more frames are coming. With `force`, the best of the frames seen.
 */
export function revealedOfSeen(seen: StopFrames, force: boolean): DapFrame | undefined {
  // Only the frames from the top down without a gap: with the top frame unknown (its response was
  // not taken), a frame further down would be taken for the stopped line (seen on CI: a js-debug
  // stop placed at a line of Node's module loader).
  const gap = seen.frames.findIndex((frame) => frame === undefined);
  const frames = (gap < 0 ? seen.frames : seen.frames.slice(0, gap)) as DapFrame[];
  const chosen = revealedFrame(frames);
  const settled =
    chosen !== undefined &&
    (chosen !== frames[0] || frames[0].source?.presentationHint !== 'deemphasize' || seen.complete);
  return settled || force ? chosen : undefined;
}

/** The frame seen with this id (the one VS Code focused), if any. */
export function seenFrame(seen: StopFrames, frameId: number): DapFrame | undefined {
  return seen.frames.find((frame) => frame?.id === frameId);
}

/**
 * Why it stopped, in words: the adapter's own sentence when it gives a short one (js-debug: "Paused
 * on debugger statement"), else the DAP reason (`breakpoint`, `step`, `exception`...).
 */
function stopReason(body: Record<string, unknown>): string {
  const description = typeof body.description === 'string' ? body.description.trim() : '';
  if (description.length > 0 && description.length <= 40) {
    return description.charAt(0).toLowerCase() + description.slice(1);
  }
  return typeof body.reason === 'string' && body.reason.length > 0 ? body.reason : 'stopped';
}
