// Which kind each mapping path falls in (/proc/PID/smaps paths, hostile ones included).
import * as assert from 'assert';
import { classifyMapping } from '../../src/proc/mappingKind';

describe('classifyMapping', () => {
  const cases: [string, string][] = [
    ['', 'anonymous'],
    ['[heap]', 'heap'],
    ['[stack]', 'stack'],
    ['[stack:1234]', 'stack'],
    ['[anon:v8 heap]', 'anonymous'],
    ['[anon_shmem:ring]', 'shmem'],
    ['[vdso]', 'kernel'],
    ['[vvar]', 'kernel'],
    ['[vvar_vclock]', 'kernel'],
    ['[vsyscall]', 'kernel'],
    ['/usr/bin/node', 'program'],
    ['/usr/lib/libc.so.6', 'libraries'],
    ['/usr/lib/libfoo.so', 'libraries'],
    ['/usr/lib/libfoo.so (deleted)', 'libraries'],
    ['/opt/app/node_modules/sharp/build/Release/sharp-linux-x64.node', 'files'],
    ['/home/alice/a.sofa', 'files'],
    ['/home/alice/.so/data', 'files'],
    ['/dev/shm/pulse-shm-1', 'shmem'],
    ['/SYSV00000000 (deleted)', 'shmem'],
    ['/memfd:wayland (deleted)', 'shmem'],
    ['memfd:doublemapper (deleted)', 'shmem'],
    ['/dev/zero (deleted)', 'shmem'],
    ['/dev/zero', 'files'],
    ['anon_inode:[io_uring]', 'kernel'],
    ['/tmp/<img src=x onerror=alert(1)>.so', 'libraries'],
  ];
  for (const [mappingPath, category] of cases) {
    it(`${JSON.stringify(mappingPath)} is ${category}`, () => {
      assert.strictEqual(classifyMapping(mappingPath, '/usr/bin/node'), category);
    });
  }
});
