// When the status bar warns, and what it says.
import * as assert from 'node:assert/strict';
import { memoryWarning } from '../../src/memoryWarning';
import { ok } from '../../src/proc/outcome';
import { ProcessSample, sampleProcess } from '../../src/proc/sampleProcess';

const MiB = 1024 * 1024;

function sample(resMiB: number, cgroup?: { limitMiB?: number; currentMiB: number }): ProcessSample {
  const live = sampleProcess(process.pid);
  assert.ok(live.ok);
  return {
    ...live.value,
    resBytes: resMiB * MiB,
    cgroup: cgroup ? ok({ version: 2, path: '/app.slice', limitBytes: cgroup.limitMiB === undefined ? undefined : cgroup.limitMiB * MiB, currentBytes: cgroup.currentMiB * MiB }) : undefined,
  };
}

describe('memoryWarning', () => {
  it('warns above warnAboveMiB, and not at or below it, or when it is 0', () => {
    assert.match(memoryWarning(sample(513), { aboveMiB: 512, aboveCgroupPercent: 0 }) ?? '', /above 512 MiB/);
    assert.equal(memoryWarning(sample(512), { aboveMiB: 512, aboveCgroupPercent: 0 }), undefined);
    assert.equal(memoryWarning(sample(9000), { aboveMiB: 0, aboveCgroupPercent: 0 }), undefined);
  });

  it("warns when the cgroup's usage reaches the share of its limit", () => {
    const warning = memoryWarning(sample(100, { limitMiB: 1024, currentMiB: 950 }), { aboveMiB: 0, aboveCgroupPercent: 90 });
    assert.match(warning ?? '', /93% of its memory limit \(950\.0 MiB of 1\.00 GiB\)/);
    assert.equal(memoryWarning(sample(100, { limitMiB: 1024, currentMiB: 800 }), { aboveMiB: 0, aboveCgroupPercent: 90 }), undefined);
  });

  it('does not warn without a cgroup limit, or with the share turned off', () => {
    assert.equal(memoryWarning(sample(100, { currentMiB: 5000 }), { aboveMiB: 0, aboveCgroupPercent: 90 }), undefined);
    assert.equal(memoryWarning(sample(100), { aboveMiB: 0, aboveCgroupPercent: 90 }), undefined);
    assert.equal(memoryWarning(sample(100, { limitMiB: 100, currentMiB: 100 }), { aboveMiB: 0, aboveCgroupPercent: 0 }), undefined);
  });
});
