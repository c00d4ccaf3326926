// When the status bar warns, and what it says.
import { cgroupOf } from './helpers';
import * as assert from 'node:assert/strict';
import { memoryWarning } from '../../src/core/memoryWarning';
import { CgroupLimitLevel } from '../../src/proc/cgroup';
import { malformed, ok } from '../../src/proc/outcome';
import { ProcessSample, sampleProcess } from '../../src/proc/sampleProcess';
import { MiB } from '../../shared/units';

interface GroupSpec {
  limitMiB?: number;
  currentMiB: number;
  /** Inactive page cache of the group (reclaimed before anything is killed). */
  inactiveFileMiB?: number;
  /** A parent level with its own limit and working set. */
  parent?: { limitMiB: number; workingSetMiB: number };
}

function sample(resMiB: number, cgroup?: GroupSpec): ProcessSample {
  const live = sampleProcess(process.pid);
  assert.ok(live.ok);
  const workingSet = ok(Math.max(0, (cgroup?.currentMiB ?? 0) - (cgroup?.inactiveFileMiB ?? 0)) * MiB);
  const levels: CgroupLimitLevel[] = [];
  if (cgroup?.limitMiB !== undefined) {
    levels.push({
      path: '/app.slice/x.service',
      limitBytes: cgroup.limitMiB * MiB,
      limitFile: 'memory.max',
      usageBytes: cgroup.currentMiB * MiB,
      workingSet,
    });
  }
  if (cgroup?.parent) {
    levels.push({
      path: '/app.slice',
      limitBytes: cgroup.parent.limitMiB * MiB,
      limitFile: 'memory.max',
      usageBytes: cgroup.parent.workingSetMiB * MiB,
      workingSet: ok(cgroup.parent.workingSetMiB * MiB),
    });
  }
  return {
    ...live.value,
    resBytes: resMiB * MiB,
    cgroup: cgroup
      ? ok(
          cgroupOf({
            version: 2,
            path: '/app.slice/x.service',
            limitBytes: levels.length ? Math.min(...levels.map((level) => level.limitBytes)) : undefined,
            currentBytes: cgroup.currentMiB * MiB,
            workingSet,
            levels,
            oom: malformed('not read in this test'),
          }),
        )
      : undefined,
  };
}

describe('memoryWarning', () => {
  it('warns above warnAboveMiB, and not at or below it, or when it is 0', () => {
    assert.match(memoryWarning(sample(513), { aboveMiB: 512, aboveCgroupPercent: 0 }) ?? '', /above 512 MiB/);
    assert.equal(memoryWarning(sample(512), { aboveMiB: 512, aboveCgroupPercent: 0 }), undefined);
    assert.equal(memoryWarning(sample(9000), { aboveMiB: 0, aboveCgroupPercent: 0 }), undefined);
  });

  it("warns when the cgroup's working set reaches the share of its limit", () => {
    const warning = memoryWarning(sample(100, { limitMiB: 1024, currentMiB: 950 }), {
      aboveMiB: 0,
      aboveCgroupPercent: 90,
    });
    assert.match(
      warning ?? '',
      /Its cgroup has a working set of 93% of its memory limit \(950\.0 MiB of 1\.00 GiB, memory\.max\)/,
    );
    assert.equal(
      memoryWarning(sample(100, { limitMiB: 1024, currentMiB: 800 }), { aboveMiB: 0, aboveCgroupPercent: 90 }),
      undefined,
    );
  });

  it('does not warn when the usage near the limit is inactive page cache', () => {
    // 1000 of 1024 MiB charged, 600 of it inactive file: the working set is 400 MiB, 39 %.
    assert.equal(
      memoryWarning(sample(100, { limitMiB: 1024, currentMiB: 1000, inactiveFileMiB: 600 }), {
        aboveMiB: 0,
        aboveCgroupPercent: 90,
      }),
      undefined,
    );
    assert.match(
      memoryWarning(sample(100, { limitMiB: 1024, currentMiB: 1000, inactiveFileMiB: 600 }), {
        aboveMiB: 0,
        aboveCgroupPercent: 35,
      }) ?? '',
      /39% of its memory limit \(400\.0 MiB/,
    );
  });

  it('warns about the level with the least headroom, naming it', () => {
    const warning = memoryWarning(
      sample(100, { limitMiB: 4096, currentMiB: 100, parent: { limitMiB: 1024, workingSetMiB: 1000 } }),
      { aboveMiB: 0, aboveCgroupPercent: 90 },
    );
    assert.match(
      warning ?? '',
      /Its parent cgroup \/app\.slice has a working set of 98% of its memory limit \(1000\.0 MiB of 1\.00 GiB/,
    );
  });

  it('does not warn without a cgroup limit, or with the share turned off', () => {
    assert.equal(memoryWarning(sample(100, { currentMiB: 5000 }), { aboveMiB: 0, aboveCgroupPercent: 90 }), undefined);
    assert.equal(memoryWarning(sample(100), { aboveMiB: 0, aboveCgroupPercent: 90 }), undefined);
    assert.equal(
      memoryWarning(sample(100, { limitMiB: 100, currentMiB: 100 }), { aboveMiB: 0, aboveCgroupPercent: 0 }),
      undefined,
    );
  });
});
