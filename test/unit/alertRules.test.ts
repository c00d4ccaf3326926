// The alert rules' hysteresis: once per crossing, re-armed only below the margin.
import { cgroupOf } from './helpers';
import * as assert from 'node:assert/strict';
import { AlertHysteresis, AlertSettings } from '../../src/core/alertRules';
import type { LeakForecast } from '../../shared/model';
import { malformed, ok } from '../../src/proc/outcome';
import { ProcessSample, sampleProcess } from '../../src/proc/sampleProcess';
import { MiB } from '../../shared/units';

const OFF: AlertSettings = { resAboveMiB: 0, workingSetAbovePercent: 0, sustainedGrowth: false };

const live = (() => {
  const sample = sampleProcess(process.pid);
  assert.ok(sample.ok);
  return sample.value;
})();

function sample(resMiB: number, workingSetMiB?: number, startTicks = live.identity.startTicks): ProcessSample {
  const levels =
    workingSetMiB === undefined
      ? []
      : [
          {
            path: '/app',
            limitBytes: 1000 * MiB,
            limitFile: 'memory.limit_in_bytes',
            usageBytes: workingSetMiB * MiB,
            workingSet: ok(workingSetMiB * MiB),
          },
        ];
  return {
    ...live,
    identity: { pid: live.identity.pid, startTicks },
    resBytes: resMiB * MiB,
    cgroup:
      workingSetMiB === undefined
        ? undefined
        : ok(
            cgroupOf({
              version: 1,
              path: '/app/web',
              limitBytes: 1000 * MiB,
              currentBytes: workingSetMiB * MiB,
              workingSet: ok(workingSetMiB * MiB),
              levels,
              oom: malformed('not read in this test'),
            }),
          ),
  };
}

/** Feeds RES values (MiB) and returns, for each, whether an alert fired. */
function fires(alerts: AlertHysteresis, settings: AlertSettings, values: number[], workingSet?: number[]): boolean[] {
  return values.map((res, i) => alerts.evaluate({ sample: sample(res, workingSet?.[i]) }, settings).length > 0);
}

describe('alert hysteresis', () => {
  it('RES above: fires once, not again while above, re-arms only below 90 % of the threshold, then fires again', () => {
    const settings = { ...OFF, resAboveMiB: 100 };
    // 100 MiB is the threshold, 90 MiB the re-arm line.
    assert.deepEqual(
      fires(new AlertHysteresis(), settings, [50, 99, 100, 150, 120, 95, 101, 91, 90, 89, 99, 100, 300]),
      [false, false, true, false, false, false, false, false, false, false, false, true, false],
    );
  });

  it('the message says the figure and the setting', () => {
    const [alert] = new AlertHysteresis().evaluate({ sample: sample(150) }, { ...OFF, resAboveMiB: 100 });
    assert.equal(alert.rule, 'resAbove');
    assert.equal(alert.message, 'RES 150.0 MiB is above 100 MiB (procMemory.alerts.resAboveMiB).');
  });

  it('working set share: fires at the threshold, re-arms 5 points below it; unknown readings change nothing', () => {
    const alerts = new AlertHysteresis();
    const settings = { ...OFF, workingSetAbovePercent: 80 };
    const at = (workingSetMiB: number | undefined) =>
      alerts.evaluate({ sample: sample(10, workingSetMiB) }, settings).map((alert) => alert.message);
    assert.deepEqual(at(700), []);
    assert.deepEqual(at(800), [
      'the working set of its parent cgroup /app is 80% of its limit (800.0 MiB of 1000.0 MiB, memory.limit_in_bytes), above 80% (procMemory.alerts.workingSetAbovePercent).',
    ]);
    assert.deepEqual(at(900), []);
    assert.deepEqual(at(760), [], '76 % is inside the margin: still disarmed');
    assert.deepEqual(at(undefined), [], 'a reading without the cgroup does not re-arm');
    assert.deepEqual(at(810), []);
    assert.deepEqual(at(749), [], '74.9 % re-arms');
    assert.equal(at(820).length, 1, 'and the next crossing fires again');
  });

  it('off at 0; each process and each rule keeps its own state; an ended process is forgotten', () => {
    const alerts = new AlertHysteresis();
    assert.deepEqual(alerts.evaluate({ sample: sample(1e6, 999) }, OFF), []);
    const settings = { ...OFF, resAboveMiB: 100, workingSetAbovePercent: 50 };
    assert.deepEqual(
      alerts.evaluate({ sample: sample(200, 600) }, settings).map((alert) => alert.rule),
      ['resAbove', 'workingSetShare'],
    );
    const other = sample(200, 600, live.identity.startTicks + 1); // the PID reused by another process
    assert.equal(alerts.evaluate({ sample: other }, settings).length, 2);
    assert.equal(alerts.evaluate({ sample: sample(200, 600) }, settings).length, 0);
    alerts.forget(live.identity);
    assert.equal(alerts.evaluate({ sample: sample(200, 600) }, settings).length, 2);
  });

  it('a changed threshold re-arms: lowered below the figure, it fires at once', () => {
    const alerts = new AlertHysteresis();
    assert.equal(alerts.evaluate({ sample: sample(200) }, { ...OFF, resAboveMiB: 100 }).length, 1);
    assert.equal(alerts.evaluate({ sample: sample(200) }, { ...OFF, resAboveMiB: 100 }).length, 0);
    assert.equal(alerts.evaluate({ sample: sample(200) }, { ...OFF, resAboveMiB: 150 }).length, 1);
  });

  it('sustained growth fires when the forecast finds it, stays quiet while unsure, re-arms only when RES is level', () => {
    const alerts = new AlertHysteresis();
    const fit = { spanMs: 600_000, bytesPerMinute: 12 * MiB, r2: 0.98 };
    const growing: LeakForecast = {
      verdict: 'growing',
      ...fit,
      limit: { kind: 'memAvailable', headroomBytes: 516 * MiB, timeToLimitMs: 43 * 60_000 },
    };
    const on = { ...OFF, sustainedGrowth: true };
    const at = (forecast: LeakForecast, settings = on) =>
      alerts.evaluate({ sample: sample(300), forecast }, settings).map((alert) => alert.message);
    assert.deepEqual(at(growing, OFF), [], 'off by default');
    assert.deepEqual(at({ verdict: 'collecting', needMs: 1000 }), []);
    const [message] = at(growing);
    assert.equal(
      message,
      'RES keeps growing. At +12.0 MiB/min this reaches the memory the system has available in about 43 min. (procMemory.alerts.sustainedGrowth)',
    );
    assert.deepEqual(at(growing), [], 'once per crossing');
    assert.deepEqual(at({ verdict: 'uncertain', reason: 'poor-fit', ...fit, r2: 0.5 }), [], 'unsure: no re-arm');
    assert.deepEqual(at(growing), []);
    assert.deepEqual(at({ verdict: 'steady', reason: 'sawtooth', ...fit, bytesPerMinute: 0 }), [], 'level: re-arms');
    assert.equal(at(growing).length, 1, 'and growth found again fires again');
  });
});
