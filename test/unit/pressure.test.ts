// Memory pressure (PSI) where the host cannot show it on demand: v2-only and container mounts of the
// unified hierarchy, no cgroup2 at all, a kernel without PSI, and garbage. Real files: outOfMemoryLive.test.ts.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCgroup2Mount, parsePressure, readGroupPressure, readSystemPressure } from '../../src/proc/pressure';
import { readProcText } from '../../src/proc/procFile';
import { expectError, expectOk } from './helpers';

const PSI = 'some avg10=1.25 avg60=0.50 avg300=0.10 total=123456\nfull avg10=0.00 avg60=0.01 avg300=0.00 total=789\n';

describe('memory pressure (PSI)', () => {
  let root: string;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'proc-memory-psi-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  /** A fake /proc with PID 42 in `cgroup` and our mountinfo, and a cgroup2 tree mounted at `mountPoint` (under root). */
  function layout(cgroup: string, mountinfo: string): string {
    const procRoot = path.join(root, 'proc');
    fs.mkdirSync(path.join(procRoot, '42'), { recursive: true });
    fs.mkdirSync(path.join(procRoot, 'self'), { recursive: true });
    fs.writeFileSync(path.join(procRoot, '42', 'cgroup'), cgroup);
    fs.writeFileSync(path.join(procRoot, 'self', 'mountinfo'), mountinfo);
    return procRoot;
  }
  const mountLine = (mountRoot: string, mountPoint: string) =>
    `35 24 0:30 ${mountRoot} ${mountPoint} rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n`;
  const group = (dir: string, text = PSI) => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'memory.pressure'), text);
  };

  it('parses some and full, every average and the total', () => {
    assert.deepEqual(expectOk(parsePressure(PSI)), {
      some: { avg10: 1.25, avg60: 0.5, avg300: 0.1, totalUs: 123456 },
      full: { avg10: 0, avg60: 0.01, avg300: 0, totalUs: 789 },
    });
  });

  it('calls garbage malformed, never 0', () => {
    for (const garbage of [
      '',
      '<html>502</html>',
      'some avg10=1.25 avg60=0.50 avg300=0.10 total=1\n',
      'some avg10=x avg60=0 avg300=0 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n',
      '\u007fELF\u0000',
    ]) {
      expectError(parsePressure(garbage), 'malformed', JSON.stringify(garbage));
    }
  });

  it('finds the group on a v2-only host (the hierarchy at /sys/fs/cgroup)', () => {
    const mountPoint = path.join(root, 'sys', 'fs', 'cgroup');
    const procRoot = layout(
      '0::/user.slice/app.service\n',
      `22 1 8:1 / / rw - ext4 /dev/vda rw\n${mountLine('/', mountPoint)}`,
    );
    group(path.join(mountPoint, 'user.slice', 'app.service'));
    const reading = expectOk(readGroupPressure(42, procRoot));
    assert.equal(reading.path, '/user.slice/app.service');
    assert.equal(reading.file, path.join(mountPoint, 'user.slice', 'app.service', 'memory.pressure'));
    assert.equal(reading.pressure.some.avg10, 1.25);
  });

  it('reads mountinfo and the pressure file each through the reader its caller gave for it', () => {
    const mountPoint = path.join(root, 'sys', 'fs', 'cgroup');
    const procRoot = layout('0::/app\n', mountLine('/', mountPoint));
    group(path.join(mountPoint, 'app'));
    const reads: string[] = [];
    const reader = (kind: string) => (file: string) => {
      reads.push(`${kind} ${path.relative(root, file)}`);
      return readProcText(file);
    };
    expectOk(readGroupPressure(42, procRoot, { mountinfo: reader('mountinfo'), pressure: reader('pressure') }));
    assert.deepEqual(reads, [
      `mountinfo ${path.join('proc', 'self', 'mountinfo')}`,
      `pressure ${path.join('sys', 'fs', 'cgroup', 'app', 'memory.pressure')}`,
    ]);
  });

  it('finds it on a hybrid host (at /sys/fs/cgroup/unified), with the v1 lines ignored', () => {
    const mountPoint = path.join(root, 'unified');
    const procRoot = layout(
      '4:memory:/docker/abc\n1:name=systemd:/docker/abc\n0::/docker/abc\n',
      mountLine('/', mountPoint),
    );
    group(path.join(mountPoint, 'docker', 'abc'));
    assert.equal(expectOk(readGroupPressure(42, procRoot)).path, '/docker/abc');
  });

  it('strips the root of a mount that shows only part of the hierarchy (a container)', () => {
    const mountPoint = path.join(root, 'ct');
    const procRoot = layout('0::/docker/abc/worker\n', mountLine('/docker/abc', mountPoint));
    group(path.join(mountPoint, 'worker'));
    assert.equal(expectOk(readGroupPressure(42, procRoot)).file, path.join(mountPoint, 'worker', 'memory.pressure'));
    const outside = layout('0::/other\n', mountLine('/docker/abc', mountPoint));
    expectError(readGroupPressure(42, outside), 'unsupported', 'a group outside the mounted part');
  });

  it('says why when there is no v2 group, no cgroup2 mount, or no PSI', () => {
    expectError(
      readGroupPressure(42, layout('4:memory:/app\n', mountLine('/', path.join(root, 'u')))),
      'unsupported',
      'v1 only',
    );
    expectError(
      readGroupPressure(42, layout('0::/app\n', '22 1 8:1 / / rw - ext4 /dev/vda rw\n')),
      'unsupported',
      'no cgroup2 mount',
    );
    const noPsi = expectError(
      readGroupPressure(42, layout('0::/\n', mountLine('/', path.join(root, 'empty')))),
      'unsupported',
      'no memory.pressure',
    );
    assert.match(noPsi.detail ?? '', /no pressure stall information/);
    assert.match(
      expectError(readSystemPressure(path.join(root, 'proc')), 'unsupported').detail ?? '',
      /\/pressure\/memory: this kernel has no pressure stall information/,
    );
  });

  it('unescapes mount points with spaces (\\040)', () => {
    assert.deepEqual(parseCgroup2Mount(mountLine('/', '/mnt/with\\040space')), {
      root: '/',
      mountPoint: '/mnt/with space',
    });
  });
});
