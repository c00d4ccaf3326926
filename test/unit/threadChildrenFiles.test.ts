// The children of a watched process through its threads' children files kept open
// (src/proc/threadChildrenFiles.ts), against ps, on a real Python program whose threads each start a
// child: a thread that ends (its child goes to another thread), a new thread with a child, files
// opened anew after KEPT_MAX_AGE_MS, the end.
import * as assert from 'node:assert/strict';
import { ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { childProcesses } from '../../src/proc/processChildren';
import { SubtreeChildrenFiles } from '../../src/proc/subtreeChildrenFiles';
import { KEPT_MAX_AGE_MS, ThreadChildrenFiles } from '../../src/proc/threadChildrenFiles';
import { openFdsWhere, opensOf, waitFor } from './helpers';

/** A child from its main thread and one from each of two threads; "end" ends the second thread, "more" starts a third. */
const PROGRAM = `
import subprocess, sys, threading
kids = [subprocess.Popen(['sleep', '60'])]
def run(seconds, until):
    kids.append(subprocess.Popen(['sleep', seconds]))
    until.wait()
forever, stop = threading.Event(), threading.Event()
threading.Thread(target=run, args=('61', forever), daemon=True).start()
second = threading.Thread(target=run, args=('62', stop), daemon=True)
second.start()
for line in sys.stdin:
    if line.strip() == 'end':
        stop.set()
        second.join()
    elif line.strip() == 'more':
        threading.Thread(target=run, args=('63', forever), daemon=True).start()
`;

/** The PIDs ps names as children of `pid`, sorted. */
function psChildren(pid: number): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when it lists nothing
  }
  return out
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((child) => child > 0)
    .sort((a, b) => a - b);
}

function threadsOf(pid: number): number {
  return fs.readdirSync(`/proc/${pid}/task`).length;
}

function sorted(listed: number[] | 'no-children-file'): number[] {
  assert.ok(listed !== 'no-children-file', 'this kernel has children files');
  return [...listed].sort((a, b) => a - b);
}

describe('ThreadChildrenFiles (the children of a watched process, its threads files kept open)', function () {
  this.timeout(20000);
  let program: ChildProcessWithoutNullStreams | undefined;
  /** Every child the program was seen with: they outlive it. */
  const seen = new Set<number>();
  const childrenOf = (pid: number): number[] => {
    const children = psChildren(pid);
    children.forEach((child) => seen.add(child));
    return children;
  };

  afterEach(() => {
    program?.kill('SIGKILL');
    program = undefined;
    for (const child of seen) {
      try {
        process.kill(child, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    seen.clear();
  });

  async function started(): Promise<number> {
    program = spawn('python3', ['-c', PROGRAM]);
    const pid = program.pid as number;
    await waitFor(() => childrenOf(pid).length === 3 && threadsOf(pid) === 3, 'three children from three threads');
    return pid;
  }

  it('lists what ps lists through a thread that ends and a new one, opening only the files of new threads', async () => {
    const pid = await started();
    let now = 0;
    const files = new ThreadChildrenFiles(pid, true, '/proc', () => now);
    const keptFds = () => openFdsWhere((target) => target.startsWith(`/proc/${pid}/task/`));
    assert.deepEqual(sorted(files.list()), childrenOf(pid));
    assert.equal(files.keptCount, 3);
    assert.equal(keptFds(), 3, 'one open file a thread');
    let listed: number[] | 'no-children-file' = [];
    assert.deepEqual(
      opensOf(() => (listed = files.list())),
      [],
      'the same threads: their files read again, none opened',
    );
    assert.deepEqual(sorted(listed), childrenOf(pid));
    // A thread ends: the kernel gives its child to another thread of the process.
    program?.stdin.write('end\n');
    await waitFor(() => threadsOf(pid) === 2, 'the second thread ended');
    assert.deepEqual(sorted(files.list()), childrenOf(pid));
    assert.equal(childrenOf(pid).length, 3);
    assert.equal(files.keptCount, 2);
    // A new thread with a child: its file alone is opened.
    program?.stdin.write('more\n');
    await waitFor(() => childrenOf(pid).length === 4 && threadsOf(pid) === 3, 'a fourth child from a new thread');
    const opened = opensOf(() => (listed = files.list()));
    assert.equal(opened.length, 1, `${opened}`);
    assert.deepEqual(sorted(listed), childrenOf(pid));
    const opening = childProcesses(pid);
    assert.ok(opening.ok);
    assert.deepEqual(
      sorted(listed),
      sorted(opening.value.filter((child) => child.ppid === pid).map((child) => child.identity.pid)),
      'the same as a listing that opens every file',
    );
    // Past KEPT_MAX_AGE_MS every file is opened anew (a TID taken again is not followed for longer).
    now += KEPT_MAX_AGE_MS;
    assert.equal(opensOf(() => (listed = files.list())).length, 3);
    assert.deepEqual(sorted(listed), childrenOf(pid));
    // The process ends: nothing listed, every file closed.
    program?.kill('SIGKILL');
    await waitFor(() => !fs.existsSync(`/proc/${pid}`), 'the program reaped');
    assert.deepEqual(files.list(), []);
    assert.equal(files.keptCount, 0);
    assert.equal(keptFds(), 0);
  });

  it('keeps nothing open for a process listed once, and closes what it kept when told', async () => {
    const pid = await started();
    const keptFds = () => openFdsWhere((target) => target.startsWith(`/proc/${pid}/task/`));
    const once = new ThreadChildrenFiles(pid, false);
    assert.deepEqual(sorted(once.list()), childrenOf(pid));
    assert.equal(keptFds(), 0);
    const files = new ThreadChildrenFiles(pid);
    files.list();
    assert.equal(keptFds(), 3);
    files.close();
    assert.equal(files.keptCount, 0);
    assert.equal(keptFds(), 0);
  });

  it('keeps the files of a whole subtree open, and closes those of a process that left it', async () => {
    // A child program whose main thread and one other thread each start a sleep; "end" kills it.
    const middle = `
import subprocess, threading, time
subprocess.Popen(['sleep', '64'])
threading.Thread(target=lambda: (subprocess.Popen(['sleep', '65']), time.sleep(60)), daemon=True).start()
time.sleep(60)
`;
    const root = `
import subprocess, sys
child = subprocess.Popen(['python3', '-c', ${JSON.stringify(middle)}])
for line in sys.stdin:
    child.kill()
    child.wait()
`;
    program = spawn('python3', ['-c', root]);
    const pid = program.pid as number;
    const tree = (): number[] =>
      childrenOf(pid)
        .flatMap((child) => [child, ...childrenOf(child)])
        .sort((a, b) => a - b);
    await waitFor(() => tree().length === 3, 'a child with two children');
    const [mid] = childrenOf(pid);
    const kept = new SubtreeChildrenFiles();
    const listed = () => {
      const below = childProcesses(pid, '/proc', kept);
      assert.ok(below.ok);
      return below.value.map((child) => child.identity.pid).sort((a, b) => a - b);
    };
    assert.deepEqual(listed(), tree());
    // One file a thread: the root's, the child's two and each sleep's.
    assert.equal(kept.keptCount, 5);
    let again: number[] = [];
    assert.deepEqual(
      opensOf(() => (again = listed())).filter((path) => path.endsWith('/children')),
      [],
      'listed again: every children file read, none opened',
    );
    assert.deepEqual(again, tree());
    const sleeps = childrenOf(mid);
    program.stdin.write('end\n');
    await waitFor(() => childrenOf(pid).length === 0, 'the child killed and reaped');
    assert.deepEqual(listed(), []);
    assert.equal(kept.keptCount, 1, 'the files of the processes that left the subtree are closed');
    for (const gone of [mid, ...sleeps]) {
      assert.equal(
        openFdsWhere((target) => target.startsWith(`/proc/${gone}/`)),
        0,
        `no fd left on /proc/${gone}`,
      );
    }
    kept.close();
    assert.equal(kept.keptCount, 0);
    assert.equal(
      openFdsWhere((target) => target.startsWith(`/proc/${pid}/`)),
      0,
    );
  });
});
