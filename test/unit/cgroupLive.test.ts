// readCgroupMemory on a real cgroup: as root, make a v1 memory cgroup with a limit, move a real
// process into it, and read it back. Hosts with only cgroup v2, or without root, skip (and say so).
import * as assert from 'node:assert/strict';
import { spawn, ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { readCgroupMemory } from '../../src/proc/cgroup';
import { expectOk } from './helpers';
import { skipBecause } from '../skip';

const V1_ROOT = '/sys/fs/cgroup/memory';

describe('cgroup memory of a real process', function () {
  this.timeout(20000);
  let group: string | undefined;
  let child: ChildProcess | undefined;

  before(function () {
    const own = /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:(\/.*)$/m.exec(fs.readFileSync('/proc/self/cgroup', 'utf8'))?.[1];
    if (process.getuid?.() !== 0) {
      skipBecause(this, 'no-root', 'making a cgroup needs root');
    }
    if (own === undefined || !fs.existsSync(`${V1_ROOT}${own === '/' ? '' : own}/memory.usage_in_bytes`)) {
      skipBecause(this, 'no-cgroup-v1-memory', `no cgroup v1 memory hierarchy at ${V1_ROOT}`);
    }
    group = `${own === '/' ? '' : own}/proc-memory-test-${process.pid}`;
    fs.mkdirSync(`${V1_ROOT}${group}`);
    fs.writeFileSync(`${V1_ROOT}${group}/memory.limit_in_bytes`, String(256 * 1024 * 1024));
  });

  after(() => {
    child?.kill('SIGKILL');
    if (group) {
      // The group can only go once its last process has.
      for (let i = 0; i < 50 && fs.existsSync(`${V1_ROOT}${group}`); i++) {
        try {
          fs.rmdirSync(`${V1_ROOT}${group}`);
        } catch {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
        }
      }
    }
  });

  it('finds the limit and the usage of the group the process is in', async () => {
    // A process that touches new memory after the move, so the group is charged for it.
    child = spawn(
      process.execPath,
      [
        '-e',
        "process.stdin.once('data', () => { globalThis.b = Buffer.alloc(8 << 20, 1); console.log('done'); }); setInterval(() => {}, 1000)",
      ],
      {
        stdio: ['pipe', 'pipe', 'ignore'],
      },
    );
    await new Promise((resolve) => child!.once('spawn', resolve));
    fs.writeFileSync(`${V1_ROOT}${group}/cgroup.procs`, String(child.pid));
    child.stdin!.write('go\n');
    await new Promise((resolve) => child!.stdout!.once('data', resolve));
    const usage = () => Number(fs.readFileSync(`${V1_ROOT}${group}/memory.usage_in_bytes`, 'utf8'));
    const before = usage();
    const memory = expectOk(readCgroupMemory(child.pid as number));
    const after = usage();
    assert.ok(memory, 'a cgroup is found');
    assert.equal(memory.version, 1);
    assert.equal(memory.path, group);
    assert.equal(memory.limitBytes, 256 * 1024 * 1024);
    assert.ok(
      memory.currentBytes >= Math.min(before, after) && memory.currentBytes <= Math.max(before, after),
      'usage as the kernel reports it',
    );
    assert.ok(memory.currentBytes >= 8 << 20, 'the 8 MiB touched after the move are charged to the group');
  });
});
