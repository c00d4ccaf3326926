// What is read at a stop, against the test's own reads of /proc and ps for the same stopped process
// tree (SIGSTOP, so both reads see the same pages). The test's readers import nothing from src/.
import * as assert from 'assert';
import { readdirSync, readFileSync } from 'fs';
import { readStopMappings, readStopReading, StopReading } from '../../src/debug/core/stopReading';
import { childProcesses } from '../../src/proc/processChildren';
import { expectOk, killAllChildren, run, startNode, waitFor } from './helpers';

function statusKb(pid: number, key: string): number {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(match, `${key} in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

function rollupKb(pid: number, key: string): number {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
  assert.ok(match, `${key} in /proc/${pid}/smaps_rollup`);
  return Number(match[1]) * 1024;
}

/** A Node parent with two children (one of them with a child of its own), each holding some memory. */
const TREE = `
const { spawn } = require('child_process');
const hold = (mib) => { globalThis.held = Buffer.alloc(mib * 1024 * 1024, 1); };
hold(8);
const script = "globalThis.held = Buffer.alloc(4 * 1024 * 1024, 1); if (process.argv[1] === 'deep') require('child_process').spawn(process.execPath, ['-e', 'globalThis.h = Buffer.alloc(2*1024*1024, 1); setInterval(() => {}, 1000)'], { stdio: 'ignore' }); setInterval(() => {}, 1000);";
spawn(process.execPath, ['-e', script, 'deep'], { stdio: 'ignore' });
spawn(process.execPath, ['-e', script, 'flat'], { stdio: 'ignore' });
console.log('ready');
setInterval(() => {}, 1000);
`;

describe('the reading at a stop, against /proc and ps', function () {
  this.timeout(30000);
  after(killAllChildren);

  it('RES, PSS, anon/file/shmem and the children total equal the files the test reads itself', async () => {
    const parent = startNode(TREE);
    await parent.waitForLine('ready');
    const descendants = () =>
      run('ps', ['-e', '-o', 'pid=,ppid='])
        .trim()
        .split('\n')
        .map((line) => line.trim().split(/\s+/).map(Number));
    const below = (pid: number): number[] =>
      descendants()
        .filter(([, ppid]) => ppid === pid)
        .flatMap(([child]) => [child, ...below(child)]);
    await waitFor(() => below(parent.pid).length === 3, 'three descendants');
    const tree = [parent.pid, ...below(parent.pid)];
    for (const pid of tree) {
      process.kill(pid, 'SIGSTOP');
    }
    try {
      // kill() returns before the signal is delivered: wait until every thread has stopped (state
      // T), or a busy machine lets the programs run on between the reading and the test's own.
      const stopped = (pid: number) =>
        readdirSync(`/proc/${pid}/task`).every(
          (tid) => readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1][0] === 'T',
        );
      await waitFor(() => tree.every(stopped), 'the whole tree stopped');
      // PSS shares each page among the processes that map it, so it moves whenever any process on
      // the machine that maps the same files (node, libc) starts or exits: the reading is compared
      // with the test's own, taken just before and just after it and equal to each other.
      const children = tree.slice(1);
      const pssNow = () => ({
        parent: rollupKb(parent.pid, 'Pss'),
        children: children.reduce((sum, pid) => sum + rollupKb(pid, 'Pss'), 0),
      });
      const identity = {
        pid: parent.pid,
        startTicks: Number(readFileSync(`/proc/${parent.pid}/stat`, 'utf8').split(') ')[1].split(' ')[19]),
      };
      let steady: { reading: StopReading; pss: ReturnType<typeof pssNow> } | undefined;
      await waitFor(() => {
        const before = pssNow();
        const reading = expectOk(readStopReading(identity));
        const after = pssNow();
        steady = JSON.stringify(before) === JSON.stringify(after) ? { reading, pss: after } : undefined;
        return steady !== undefined;
      }, 'a reading with no PSS change around it');
      const { reading, pss } = steady!;
      assert.strictEqual(reading.resBytes, statusKb(parent.pid, 'VmRSS'));
      assert.strictEqual(reading.anonBytes, statusKb(parent.pid, 'RssAnon'));
      assert.strictEqual(reading.fileBytes, statusKb(parent.pid, 'RssFile'));
      assert.strictEqual(reading.shmemBytes, statusKb(parent.pid, 'RssShmem'));
      assert.strictEqual(reading.pssBytes, pss.parent);
      assert.strictEqual(reading.children.count, 3);
      assert.strictEqual(
        reading.children.resBytes,
        children.reduce((sum, pid) => sum + statusKb(pid, 'VmRSS'), 0),
      );
      assert.strictEqual(reading.children.pssBytes, pss.children);
      // The subtree walk finds what ps finds, with each child's parent.
      const walked = expectOk(childProcesses(parent.pid));
      assert.deepStrictEqual(walked.map((child) => child.identity.pid).sort(), children.sort());
      const psParents = new Map(descendants().map(([pid, ppid]) => [pid, ppid]));
      for (const child of walked) {
        assert.strictEqual(child.ppid, psParents.get(child.identity.pid));
      }
    } finally {
      // The whole tree: killing the parent (after) would leave its children running, re-parented to init.
      for (const pid of tree) {
        process.kill(pid, 'SIGKILL');
      }
    }
  });

  it('smaps at a stop: kinds add up to smaps_rollup Rss, groups to kinds', async () => {
    const child = startNode(
      "globalThis.held = Buffer.alloc(16 * 1024 * 1024, 1); console.log('ready'); setInterval(() => {}, 1000);",
    );
    await child.waitForLine('ready');
    process.kill(child.pid, 'SIGSTOP');
    try {
      const mappings = await readStopMappings({ pid: child.pid, startTicks: 0 });
      assert.ok(mappings.ok, JSON.stringify(mappings));
      const kindsRss = Object.values(mappings.categories).reduce((sum, totals) => sum + totals.rssBytes, 0);
      assert.strictEqual(kindsRss, rollupKb(child.pid, 'Rss'));
      assert.strictEqual(
        mappings.groups.reduce((sum, group) => sum + group.rssBytes, 0),
        kindsRss,
      );
      assert.strictEqual(mappings.count, readFileSync(`/proc/${child.pid}/maps`, 'utf8').trim().split('\n').length);
    } finally {
      process.kill(child.pid, 'SIGCONT');
    }
  });

  it('a process that is gone: a clear reason, nothing thrown', async () => {
    const child = startNode("console.log('ready'); setInterval(() => {}, 1000);");
    await child.waitForLine('ready');
    const identity = { pid: child.pid, startTicks: 0 };
    await child.kill();
    const reading = readStopReading(identity);
    assert.ok(!reading.ok && reading.error.kind === 'gone');
    const mappings = await readStopMappings(identity);
    assert.ok(!mappings.ok && /exited/.test(mappings.reason), JSON.stringify(mappings));
    assert.deepStrictEqual(expectOk(childProcesses(child.pid)), []);
  });
});
