// A task run's recording, its words, and its place in the recording file.
import * as assert from 'node:assert/strict';
import { formatBytes } from '../../shared/format';
import { parseTaskRun, TaskRun } from '../../shared/taskRun';
import { budgetText, peakText, versusLastText } from '../../shared/taskRunText';
import { TreeReading } from '../../src/proc/processTreeWalk';
import { makeRecording, parseRecording, recordingToJson } from '../../src/recordings/recordingFile';
import { TaskRunRecording } from '../../src/tasks/taskRunRecording';

const MiB = 1024 * 1024;

function reading(timeMs: number, pss: number[]): TreeReading {
  return {
    timeMs,
    members: pss.map((pssBytes, i) => ({
      identity: { pid: 100 + i, startTicks: 1 },
      ppid: i === 0 ? 1 : 100,
      name: `p${i}`,
      resBytes: pssBytes * 2,
      virtBytes: pssBytes * 4,
      shrBytes: MiB,
      pssBytes,
      hwmBytes: pssBytes * 3,
    })),
    resBytes: pss.reduce((a, b) => a + b * 2, 0),
    virtBytes: 0,
    shrBytes: 0,
    pssBytes: pss.reduce((a, b) => a + b, 0),
    pssMissing: 0,
    rootAlive: true,
  };
}

function recorded(label = 'build'): TaskRun {
  const recording = new TaskRunRecording(label, 'Workspace', 1000);
  recording.add(reading(1000, [10 * MiB]));
  recording.add(reading(2000, [10 * MiB, 300 * MiB, 50 * MiB]));
  recording.add(reading(3000, [10 * MiB, 100 * MiB]));
  return recording.finish(4000, 0, [], 1000) as TaskRun;
}

describe('task run recording', () => {
  it('keeps the sampled PSS peak, when, how many processes, and the member that held most', () => {
    const run = recorded();
    assert.deepEqual(run.peak, {
      bytes: 360 * MiB,
      source: 'sampled-pss',
      pssBytes: 360 * MiB,
      atMs: 2000,
      processes: 3,
      largest: { pid: 101, name: 'p1', pssBytes: 300 * MiB },
    });
    assert.deepEqual(run.pss, [10 * MiB, 360 * MiB, 110 * MiB]);
    assert.deepEqual(run.processes, [1, 3, 2]);
    assert.equal(run.durationMs, 3000);
  });

  it('takes the group peak as the peak, with its source, where the run had its own group', () => {
    const recording = new TaskRunRecording('build', 'Workspace', 0);
    recording.add(reading(0, [100 * MiB]));
    const run = recording.finish(10, 137, [], 1000, {
      group: {
        version: 1,
        path: '/x',
        limitBytes: 512 * MiB,
        peakBytes: 130 * MiB,
        peakFile: 'memory.max_usage_in_bytes',
      },
    }) as TaskRun;
    assert.equal(run.peak.bytes, 130 * MiB);
    assert.equal(run.peak.source, 'cgroup');
    assert.equal(run.peak.pssBytes, 100 * MiB);
    assert.equal(
      peakText(run),
      `build peaked at ${formatBytes(100 * MiB)} (PSS, 1 process); its cgroup's exact peak ${formatBytes(130 * MiB)} (memory.max_usage_in_bytes, page cache included)`,
    );
  });

  it('says the peak, the change since the last run and the budget verdict in words', () => {
    const run = recorded();
    assert.equal(peakText(run), `build peaked at 360.0 MiB (PSS, 3 processes)`);
    assert.equal(
      versusLastText(run, { ...run, peak: { ...run.peak, pssBytes: 48 * MiB } }),
      '+312.0 MiB vs the last run',
    );
    assert.equal(versusLastText(run, undefined), undefined);
    assert.equal(budgetText({ ...run, budgetBytes: 1000 * MiB }), undefined);
    assert.equal(budgetText({ ...run, budgetBytes: 380 * MiB })?.level, 'near');
    assert.equal(budgetText({ ...run, budgetBytes: 300 * MiB })?.level, 'over');
    assert.match(
      budgetText({ ...run, budgetBytes: 300 * MiB })?.text ?? '',
      /60\.0 MiB more than the 300\.0 MiB budget \(120 %\)/,
    );
  });

  it('survives the recording file, and a malformed task part is dropped, not trusted', () => {
    const run = { ...recorded('evil $(x) [y](command:z)'), members: [] };
    const recording = makeRecording(
      { pid: 100, startTicks: 1, name: run.label },
      [1000, 2000, 3000].map((timeMs) => ({ timeMs, resBytes: 1, virtBytes: 2, shrBytes: 0 })),
      [],
      { kernel: 'k', totalRamBytes: 1, sampleIntervalMs: 1000 },
    );
    recording.task = run;
    const parsed = parseRecording(recordingToJson(recording, true));
    assert.ok(parsed.ok);
    assert.deepEqual(JSON.parse(JSON.stringify(parsed.recording.task)), JSON.parse(JSON.stringify(run)));
    assert.equal(parseTaskRun({ ...run, pss: [1, 2] }, 3), undefined, 'a column of another length');
    assert.equal(parseTaskRun({ ...run, peak: { ...run.peak, source: 'guess' } }, 3), undefined);
    assert.equal(parseTaskRun({ ...run, members: [{ pid: -1 }] }, 3)?.members.length, 0);
  });
});
