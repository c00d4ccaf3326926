// The foreground of a terminal from its shell's tpgid, on a fake /proc.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { terminalForeground } from '../../src/proc/terminalForeground';
import { FakeProc, fakeProcess } from './procTreeFixture';

describe('terminalForeground', () => {
  let proc: FakeProc;
  beforeEach(() => {
    proc = new FakeProc();
    proc.add(fakeProcess(100, 1, { name: 'bash', tpgid: 100 }));
  });
  afterEach(() => proc.remove());

  it('is the shell while the shell holds the terminal', () => {
    assert.deepEqual(terminalForeground(100, proc.root), {
      kind: 'shell',
      identity: { pid: 100, startTicks: 1100 },
      name: 'bash',
    });
  });

  it('is the leader of the foreground process group while a command runs', () => {
    proc.add(fakeProcess(200, 100, { name: 'node', pgrp: 200, tpgid: 200 }));
    proc.update(100, { tpgid: 200 });
    assert.deepEqual(terminalForeground(100, proc.root), {
      kind: 'command',
      identity: { pid: 200, startTicks: 1200 },
      name: 'node',
      shell: { pid: 100, startTicks: 1100 },
    });
  });

  it("falls back to the shell when the group leader is gone or its PID is another session's", () => {
    proc.update(100, { tpgid: 300 });
    assert.equal(terminalForeground(100, proc.root).kind, 'shell');
    proc.add(fakeProcess(300, 1, { name: 'other', session: 300 }));
    assert.equal(terminalForeground(100, proc.root).kind, 'shell');
  });

  it('says why a shell that is not ours to see cannot be followed', () => {
    const gone = terminalForeground(4242, proc.root);
    assert.equal(gone.kind, 'unreadable');
    assert.match(gone.kind === 'unreadable' ? gone.why : '', /not in this machine's \/proc/);
    // Gone from /proc: the follower tells a shell it read before (it exited) from one never seen.
    assert.equal(gone.kind === 'unreadable' && gone.gone, true);
  });

  it('says why when the shell is there but its stat cannot be read', () => {
    // As root, no file mode refuses a read: a stat that cannot be read as a file stands in for one.
    fs.mkdirSync(path.join(proc.root, '4343', 'stat'), { recursive: true });
    const unreadable = terminalForeground(4343, proc.root);
    assert.equal(unreadable.kind, 'unreadable');
    assert.match(
      unreadable.kind === 'unreadable' ? unreadable.why : '',
      /^its shell \(PID 4343\) cannot be read: EISDIR/,
    );
    assert.equal(unreadable.kind === 'unreadable' && unreadable.gone, undefined, 'there, so not gone');
  });
});
