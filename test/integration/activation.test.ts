/**
 * The extension activates inside a real extension host and its engine reads the memory of the
 * extension host itself (process.pid here IS the extension host's PID).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { skipBecause } from '../skip';
import { MiB } from '../../shared/units';

/** The part of the extension's API (the value `activate` returns) this test relies on. */
interface ProcessSample {
  identity: { pid: number; startTicks: number };
  name: string;
  resBytes: number;
  virtBytes: number;
  shrBytes: number;
}
type SampleResult = { ok: true; value: ProcessSample } | { ok: false; error: { kind: string } };
interface ProcMemoryApi {
  sampleProcess(pid: number): SampleResult | Promise<SampleResult>;
}

const EXTENSION_ID = 'proc-memory.proc-memory';

function pageSize(): number {
  return Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).trim());
}

/** RES of this process as top computes it: statm's resident pages times the page size. */
function ownResidentBytes(): number {
  const fields = readFileSync('/proc/self/statm', 'utf8').trim().split(/\s+/).map(Number);
  return fields[1] * pageSize();
}

describe('activation', function () {
  this.timeout(60_000);
  let api: ProcMemoryApi;

  it('activates in the extension host and returns its API', async () => {
    const extension = vscode.extensions.getExtension<ProcMemoryApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded in the extension host`);
    api = await extension.activate();
    assert.equal(extension.isActive, true);
    assert.equal(typeof api?.sampleProcess, 'function', 'activate() must return an object with sampleProcess');
  });

  it("reads the extension host's own RES, VIRT and SHR from /proc", async function () {
    if (!api) {
      skipBecause(this, 'no-extension-api', 'the extension returned no API from activate()');
    }
    const before = ownResidentBytes();
    const result = await api.sampleProcess(process.pid);
    const after = ownResidentBytes();
    assert.ok(result.ok, `sampleProcess(${process.pid}) failed: ${result.ok ? '' : result.error.kind}`);
    const sample = result.value;

    assert.equal(sample.identity.pid, process.pid);
    assert.ok(sample.identity.startTicks > 0, 'startTicks must come from /proc/PID/stat');
    assert.ok(sample.name.length > 0, 'the process has a name');
    assert.ok(sample.resBytes > 0, 'RES must be positive');
    // RES moves while we measure: allow the spread of the two reads around it plus some slack.
    const low = Math.min(before, after);
    const high = Math.max(before, after);
    const slack = Math.max(0.1 * high, 8 * MiB);
    assert.ok(
      sample.resBytes >= low - slack && sample.resBytes <= high + slack,
      `RES ${sample.resBytes} is not close to /proc/self/statm's ${before}..${after}`,
    );
    assert.ok(sample.virtBytes >= sample.resBytes, 'VIRT is at least RES');
    assert.ok(sample.shrBytes >= 0 && sample.shrBytes <= sample.resBytes, 'SHR is part of RES');
  });
});
