/**
 * Preloaded into code-server (`node -r out/test/host/parentWatch.js entry.js ...`) by
 * codeServer.ts. code-server runs in a process group of its own so that stop() can end it with its
 * extension host; the price is that it would outlive a test process that dies without calling
 * stop() (a time-out's SIGKILL, a crash). This watch ends the group, and removes its temporary
 * folder, once the process that started it is gone (it is then re-parented, so its ppid changes).
 * PROC_MEMORY_TEST_PARENT_PID in the environment turns it on.
 */
import { spawn } from 'node:child_process';
import { isMainThread } from 'node:worker_threads';

const testPid = Number(process.env.PROC_MEMORY_TEST_PARENT_PID);
const tempRoot = process.env.PROC_MEMORY_TEST_TEMP_ROOT;
const initialParent = process.ppid;

const orphaned = () => process.ppid !== initialParent;

function removeTempRoot(): void {
  if (tempRoot && /proc-memory-cs-/.test(tempRoot)) {
    // By a process outside this group, once the group is gone and writes nothing more.
    spawn('sh', ['-c', 'sleep 2; rm -rf -- "$0"', tempRoot], { detached: true, stdio: 'ignore' }).unref();
  }
}

// Not in worker threads, which load the preload too: their process's main thread watches already,
// and a timer in a worker (the extension's smaps reader) would wake it each second, which users'
// hosts do not and the CPU bench would count as ours.
if (testPid > 1 && isMainThread) {
  // Every process of the group watches its own parent (code-server's forked server and extension
  // hosts inherit the preload): the first one orphaned ends them all.
  const timer = setInterval(() => {
    if (!orphaned()) {
      return;
    }
    clearInterval(timer);
    removeTempRoot();
    process.kill(0, 'SIGKILL'); // 0: this process's group
  }, 1000);
  timer.unref();
  // Often code-server's first process goes by itself when the test dies (its stdout pipe closes),
  // and its server follows: the temporary folder is then left to this.
  if (initialParent === testPid) {
    process.on('exit', () => orphaned() && removeTempRoot());
  }
}
