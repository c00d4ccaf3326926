// Where a stopped program stands, from the DAP messages alone (src/debug/core/frameTracking.ts),
// and the thread a request names (src/debug/core/dapRequester.ts). The messages have the shapes the
// real adapters send (the integration suite runs js-debug, debugpy and lldb-vscode for real): js-debug
// numbers its thread 0, VS Code asks for the top frame first and the rest of the stack after it.
import * as assert from 'node:assert/strict';
import { DapRequester, threadForRequest } from '../../src/debug/core/dapRequester';
import {
  adapterMeaning,
  continuedEndsStop,
  noFrames,
  requestMeaning,
  revealedOfSeen,
  seenFrame,
  StopFrames,
  StackRequest,
  withRequest,
  withResponse,
} from '../../src/debug/core/frameTracking';

/** VS Code's stackTrace request, as the adapter receives it. */
const stackTrace = (seq: number, threadId: number, startFrame?: number, levels?: number) => ({
  command: 'stackTrace',
  arguments: { threadId, startFrame, levels },
  type: 'request',
  seq,
});

/** A node program stopped inside `fs.readFileSync`'s internals (js-debug de-emphasises node:internal). */
const nodeInternal = {
  id: 1,
  name: 'readFileSync',
  line: 441,
  column: 20,
  source: { name: 'node:fs', path: 'node:fs', sourceReference: 7, presentationHint: 'deemphasize' },
};
const nodeModule = {
  id: 2,
  name: 'Module._load',
  line: 1104,
  column: 12,
  source: { name: 'node:internal/modules/cjs/loader', sourceReference: 8, presentationHint: 'deemphasize' },
};
const userFrame = { id: 3, name: 'grow', line: 12, column: 5, source: { name: 'grow.js', path: '/work/app/grow.js' } };
const mainFrame = { id: 4, name: 'main', line: 30, column: 1, source: { name: 'grow.js', path: '/work/app/grow.js' } };

describe('frame tracking: which messages start and end a stop', () => {
  it('every request that runs the program again ends the stop', () => {
    for (const command of [
      'continue',
      'next',
      'stepIn',
      'stepOut',
      'stepBack',
      'reverseContinue',
      'goto',
      'restartFrame',
    ]) {
      assert.deepEqual(
        requestMeaning({ command, arguments: { threadId: 1 }, type: 'request', seq: 9 }),
        { kind: 'run' },
        command,
      );
    }
  });

  it("notes VS Code's stackTrace requests, with the DAP's defaults", () => {
    assert.deepEqual(requestMeaning(stackTrace(14, 0, 0, 1)), {
      kind: 'stackTrace',
      seq: 14,
      request: { threadId: 0, startFrame: 0, levels: 1 },
    });
    assert.deepEqual(requestMeaning({ command: 'stackTrace', arguments: { threadId: 3 }, type: 'request', seq: 15 }), {
      kind: 'stackTrace',
      seq: 15,
      request: { threadId: 3, startFrame: 0, levels: 0 },
    });
  });

  it('ignores other requests, events sent as requests, and garbage', () => {
    for (const message of [
      { command: 'evaluate', arguments: { expression: 'x', frameId: 1 }, type: 'request', seq: 3 },
      { command: 'threads', type: 'request', seq: 4 },
      { command: 'stackTrace', arguments: { threadId: '1' }, type: 'request', seq: 5 },
      { command: 'stackTrace', arguments: { threadId: 1 }, type: 'request' },
      { command: 'stackTrace', arguments: null, type: 'request', seq: 6 },
      { command: 'continue', type: 'response', request_seq: 9 },
      null,
      'next',
      42,
    ]) {
      assert.equal(requestMeaning(message), undefined, JSON.stringify(message));
    }
  });

  it("reads the stopped event: its thread (js-debug's is 0) and the adapter's own short sentence", () => {
    assert.deepEqual(
      adapterMeaning({
        seq: 21,
        type: 'event',
        event: 'stopped',
        body: { reason: 'breakpoint', description: 'Paused on breakpoint', threadId: 0, allThreadsStopped: false },
      }),
      { kind: 'stopped', threadId: 0, reason: 'paused on breakpoint' },
    );
    // lldb-vscode: all threads stop; debugpy: no description.
    assert.deepEqual(
      adapterMeaning({
        type: 'event',
        event: 'stopped',
        body: { reason: 'step', threadId: 40213, allThreadsStopped: true },
      }),
      { kind: 'stopped', threadId: 40213, reason: 'step' },
    );
    assert.deepEqual(
      adapterMeaning({
        type: 'event',
        event: 'stopped',
        body: { reason: 'exception', description: 'Paused on exception: a very long message that goes on and on' },
      }),
      { kind: 'stopped', threadId: undefined, reason: 'exception' },
    );
    assert.deepEqual(adapterMeaning({ type: 'event', event: 'stopped', body: null }), {
      kind: 'stopped',
      threadId: undefined,
      reason: 'stopped',
    });
  });

  it('ends a stop on a continued event of the stopped thread or of all threads, not of another thread', () => {
    const continued = (body: object) => {
      const meaning = adapterMeaning({ type: 'event', event: 'continued', body });
      assert.ok(meaning?.kind === 'continued');
      return meaning;
    };
    assert.equal(continuedEndsStop(continued({ threadId: 1 }), 1), true, 'the stopped thread');
    assert.equal(continuedEndsStop(continued({ threadId: 2 }), 1), false, 'another thread runs on');
    assert.equal(continuedEndsStop(continued({ threadId: 2, allThreadsContinued: true }), 1), true, 'all threads');
    assert.equal(continuedEndsStop(continued({ threadId: 2 }), undefined), true, 'a stop of no known thread');
    assert.equal(continuedEndsStop(continued({}), 1), true, 'an event that names no thread');
  });

  it('reads continued events and stackTrace responses, failed ones too', () => {
    assert.deepEqual(adapterMeaning({ type: 'event', event: 'continued', body: { threadId: 1 } }), {
      kind: 'continued',
      threadId: 1,
      allThreadsContinued: false,
    });
    assert.deepEqual(
      adapterMeaning({ type: 'event', event: 'continued', body: { threadId: 2, allThreadsContinued: true } }),
      { kind: 'continued', threadId: 2, allThreadsContinued: true },
    );
    assert.deepEqual(adapterMeaning({ type: 'event', event: 'continued', body: 'x' }), {
      kind: 'continued',
      threadId: undefined,
      allThreadsContinued: false,
    });
    assert.deepEqual(
      adapterMeaning({
        type: 'response',
        request_seq: 14,
        success: false,
        command: 'stackTrace',
        message: 'Thread is not paused',
      }),
      { kind: 'stackTrace', requestSeq: 14, success: false, body: undefined },
    );
    for (const message of [
      { type: 'response', request_seq: 15, success: true, command: 'threads', body: { threads: [] } },
      { type: 'event', event: 'output', body: { output: 'stopped' } },
      { type: 'response', success: true, command: 'stackTrace', body: {} },
      undefined,
      'stopped',
    ]) {
      assert.equal(adapterMeaning(message), undefined, JSON.stringify(message));
    }
  });
});

describe('frame tracking: the frame VS Code reveals, as the stack arrives', () => {
  const ids = (seen: StopFrames) => Array.from(seen.frames, (frame) => frame?.id);
  let seq = 100;
  /** VS Code asks for part of the stack during the stop, and the adapter answers. */
  const answered = (seen: StopFrames, request: StackRequest, body: unknown) => {
    seq += 1;
    return withResponse(withRequest(seen, seq, request), seq, true, body);
  };

  it('places frames by position as VS Code pages the stack (top frame first, then the rest)', () => {
    let seen = noFrames(0);
    seen = answered(seen, { threadId: 0, startFrame: 0, levels: 1 }, { stackFrames: [nodeInternal], totalFrames: 4 });
    assert.deepEqual(ids(seen), [1]);
    assert.equal(seen.complete, false);
    seen = answered(
      seen,
      { threadId: 0, startFrame: 1, levels: 19 },
      { stackFrames: [nodeModule, userFrame, mainFrame], totalFrames: 4 },
    );
    assert.deepEqual(ids(seen), [1, 2, 3, 4]);
    assert.equal(seen.complete, true);
  });

  it('a de-emphasised top frame waits for more frames; the first of the program wins', () => {
    let seen = answered(noFrames(0), { threadId: 0, startFrame: 0, levels: 1 }, { stackFrames: [nodeInternal] });
    assert.equal(revealedOfSeen(seen, false), undefined, 'a frame of the program may still come');
    assert.equal(revealedOfSeen(seen, true)?.id, 1, 'after the wait, the best seen');
    seen = answered(
      seen,
      { threadId: 0, startFrame: 1, levels: 19 },
      { stackFrames: [nodeModule, userFrame, mainFrame] },
    );
    assert.equal(revealedOfSeen(seen, false)?.id, 3);
    assert.equal(revealedOfSeen(seen, true)?.id, 3);
  });

  it('without the top frame, nothing is placed: a frame further down is not the stopped line', () => {
    const seen = answered(
      noFrames(0),
      { threadId: 0, startFrame: 1, levels: 19 },
      { stackFrames: [nodeModule, userFrame, mainFrame], totalFrames: 4 },
    );
    assert.deepEqual(ids(seen), [undefined, 2, 3, 4]);
    assert.equal(revealedOfSeen(seen, false), undefined);
    assert.equal(revealedOfSeen(seen, true), undefined, 'even after the wait: the stop asks for the top itself');
  });

  it('a malformed frame keeps its position: the frame below it is not taken for the stopped line', () => {
    // The top frame of VS Code's levels-1 request is not frame-shaped (no line): it was dropped, the
    // empty page ended the stack, and the rest of the stack then stood from position 1.
    let seen = answered(
      noFrames(0),
      { threadId: 0, startFrame: 0, levels: 1 },
      { stackFrames: [{ id: 1, name: 'broken' }] },
    );
    assert.equal(seen.complete, false, 'one entry came, as asked: more may follow');
    seen = answered(
      seen,
      { threadId: 0, startFrame: 1, levels: 19 },
      { stackFrames: [nodeModule, userFrame, mainFrame], totalFrames: 4 },
    );
    assert.deepEqual(ids(seen), [undefined, 2, 3, 4]);
    assert.equal(revealedOfSeen(seen, true), undefined);
    // In one response, the entries after a malformed one stay at their own positions.
    const one = answered(
      noFrames(0),
      { threadId: 0, startFrame: 0, levels: 20 },
      { stackFrames: [null, nodeModule, userFrame] },
    );
    assert.deepEqual(ids(one), [undefined, 2, 3]);
    assert.equal(revealedOfSeen(one, true), undefined);
  });

  it("the program's own top frame settles it at once (debugpy)", () => {
    const seen = answered(
      noFrames(1),
      { threadId: 1, startFrame: 0, levels: 1 },
      { stackFrames: [{ id: 2, name: '<module>', line: 12, column: 1, source: { path: '/tmp/grow.py' } }] },
    );
    assert.equal(revealedOfSeen(seen, false)?.id, 2);
  });

  it('a stack with only de-emphasised frames settles once it is complete: the top frame', () => {
    const seen = answered(
      noFrames(0),
      { threadId: 0, startFrame: 0, levels: 20 },
      { stackFrames: [nodeInternal, nodeModule] },
    );
    assert.equal(seen.complete, true, 'fewer frames than asked: the end of the stack');
    assert.equal(revealedOfSeen(seen, false)?.id, 1);
    assert.equal(revealedOfSeen(noFrames(0), true), undefined, 'no frame, nothing to reveal');
  });

  it('the stack ends at totalFrames, or with an empty page', () => {
    const full = answered(
      noFrames(5),
      { threadId: 5, startFrame: 0, levels: 2 },
      { stackFrames: [nodeInternal, nodeModule], totalFrames: 2 },
    );
    assert.equal(full.complete, true);
    const more = answered(
      noFrames(5),
      { threadId: 5, startFrame: 0, levels: 2 },
      { stackFrames: [nodeInternal, nodeModule], totalFrames: 9 },
    );
    assert.equal(more.complete, false);
    assert.equal(answered(more, { threadId: 5, startFrame: 2, levels: 20 }, { stackFrames: [] }).complete, true);
  });

  it("another thread's frames change nothing", () => {
    const seen = answered(noFrames(7), { threadId: 7, startFrame: 0, levels: 1 }, { stackFrames: [userFrame] });
    const other = answered(seen, { threadId: 8, startFrame: 0, levels: 20 }, { stackFrames: [mainFrame] });
    assert.equal(other.frames, seen.frames);
    assert.equal(other.threadId, 7);
    assert.equal(revealedOfSeen(other, false)?.id, 3);
  });

  it("a response to a request of the last stop is not this stop's (lldb answers with the new stack)", () => {
    // VS Code asks for the rest of the first stop's stack after `continue`; lldb answers once the
    // program stopped again, without a thread in its `stopped` event: frames 1.. of the new stack.
    const firstStop = withRequest(noFrames(31231), 12, { threadId: 31231, startFrame: 1, levels: 19 });
    const startCall = {
      id: 524289,
      name: '__libc_start_call_main',
      line: 58,
      column: 16,
      source: { name: 'libc_start_call_main.h', path: 'sysdeps/nptl/libc_start_call_main.h' },
    };
    const secondStop = withResponse(noFrames(undefined), 12, true, { stackFrames: [startCall], totalFrames: 4 });
    assert.deepEqual(secondStop.frames, []);
    assert.equal(secondStop.threadId, undefined);
    assert.equal(revealedOfSeen(secondStop, true), undefined);
    // During the first stop, the same response would have been its frames.
    assert.deepEqual(ids(withResponse(firstStop, 12, true, { stackFrames: [startCall] })), [undefined, 524289]);
  });

  it('a failed response brings nothing, and the request is answered', () => {
    const asked = withRequest(noFrames(1), 5, { threadId: 1, startFrame: 0, levels: 1 });
    const failed = withResponse(asked, 5, false, { stackFrames: [userFrame] });
    assert.deepEqual(failed.frames, []);
    assert.equal(failed.asked.size, 0);
  });

  it('a stop without a thread takes the first thread VS Code asks about, and then only it', () => {
    let seen = answered(
      noFrames(undefined),
      { threadId: 2, startFrame: 0, levels: 1 },
      { stackFrames: [nodeInternal] },
    );
    assert.equal(seen.threadId, 2);
    seen = answered(seen, { threadId: 3, startFrame: 1, levels: 19 }, { stackFrames: [userFrame] });
    assert.deepEqual(ids(seen), [1]);
  });

  it('keeps frame-shaped entries at their positions, and finds the frame VS Code focused by its id', () => {
    const seen = answered(
      noFrames(1),
      { threadId: 1, startFrame: 0, levels: 20 },
      { stackFrames: [null, { id: 'x' }, userFrame, mainFrame] },
    );
    assert.deepEqual(ids(seen), [undefined, undefined, 3, 4]);
    assert.equal(seenFrame(seen, 4)?.name, 'main');
    assert.equal(seenFrame(seen, 99), undefined);
  });
});

describe('the thread a DAP request names', () => {
  // A scripted requester: what matters is which requests are sent, and the integration suite sends
  // them to real adapters (the stops' own stackTrace, the runtime accounts, the alerts' pause).
  const adapter = (threads: unknown) => {
    const sent: string[] = [];
    const requester: DapRequester = {
      customRequest: (command) => {
        sent.push(command);
        return Promise.resolve(command === 'threads' ? threads : undefined);
      },
    };
    return { requester, sent };
  };

  it('the stopped thread when it is known, without asking (js-debug numbers its thread 0)', async () => {
    const { requester, sent } = adapter({ threads: [{ id: 9, name: 'main' }] });
    assert.equal(await threadForRequest(requester, 0), 0);
    assert.equal(await threadForRequest(requester, 40213), 40213);
    assert.deepEqual(sent, []);
  });

  it('else the first thread the adapter lists', async () => {
    const { requester, sent } = adapter({
      threads: [
        { id: 40213, name: 'grow' },
        { id: 40214, name: 'worker' },
      ],
    });
    assert.equal(await threadForRequest(requester, undefined), 40213);
    assert.deepEqual(sent, ['threads']);
  });

  it('none when the adapter lists none, or no thread-shaped one', async () => {
    for (const threads of [{ threads: [] }, { threads: [{ id: '1' }] }, undefined, { threads: 'no' }]) {
      assert.equal(await threadForRequest(adapter(threads).requester, undefined), undefined, JSON.stringify(threads));
    }
  });

  it("passes the adapter's refusal on", async () => {
    const refusing: DapRequester = { customRequest: () => Promise.reject(new Error('not stopped')) };
    await assert.rejects(threadForRequest(refusing, undefined), /not stopped/);
  });
});
