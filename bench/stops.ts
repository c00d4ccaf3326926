/**
 * What a debug stop costs the extension host: the reading taken just after the `stopped` event
 * (before the tip can show) and the smaps read for "what changed between two stops" (off the main
 * thread, after the tip). For a small process (the bench's `sleep`) and for a C process with
 * 10 000 mappings. The end-to-end time from `stopped` to the tip drawn in an editor is measured in
 * the real workbench by test/integration/stops.test.ts (it prints `[stops] … stopped -> tip shown`).
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readStopMappings, readStopReading } from '../src/debug/core/stopReading';
import { readIdentity } from '../src/proc/processIdentity';
import { Plan, Summary, summarize, timeAsync, timeSync } from './measure';

export const MANY_MAPPINGS = 10_000;
const READING_PLAN: Plan = { warmup: 20, batches: 15, perBatch: 10, budgetMs: 1500 };
const MAPPINGS_PLAN: Plan = { warmup: 3, batches: 10, perBatch: 3, budgetMs: 3000 };

export interface StopCost {
  id: string;
  operation: string;
  summary?: Summary;
  skipped?: string;
  note?: string;
}

/** Starts bench/manyMappings.c with `count` mappings; resolves once it printed "ready". */
async function startManyMappings(count: number): Promise<{ child: ChildProcess; dir: string } | string> {
  const source = path.resolve(__dirname, '..', '..', 'bench', 'manyMappings.c');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proc-memory-bench-maps-'));
  const binary = path.join(dir, 'many');
  const built = spawnSync('cc', ['-O2', '-o', binary, source], { encoding: 'utf8' });
  if (built.error || built.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    return `cc failed: ${built.error?.message ?? built.stderr.trim()}`;
  }
  const child = spawn(binary, [String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => (chunk.toString().includes('ready') ? resolve() : undefined));
    child.once('exit', (code) => reject(new Error(`manyMappings exited with ${code}`)));
  });
  return { child, dir };
}

async function measure(label: string, id: string, pid: number): Promise<StopCost[]> {
  const identity = readIdentity(pid);
  if (!identity.ok) {
    return [{ id, operation: label, skipped: identity.error.kind }];
  }
  const reading = readStopReading(identity.value);
  const mappings = await readStopMappings(identity.value);
  return [
    {
      id: `${id}-reading`,
      operation: `readStopReading, ${label}: before the tip shows`,
      summary: summarize(
        timeSync(READING_PLAN, () => readStopReading(identity.value)),
        READING_PLAN.perBatch,
      ),
      note: reading.ok ? `RES ${(reading.value.resBytes / 1048576).toFixed(1)} MiB` : reading.error.kind,
    },
    {
      id: `${id}-mappings`,
      operation: `readStopMappings, ${label}: after the tip, off the main thread`,
      summary: summarize(
        await timeAsync(MAPPINGS_PLAN, () => readStopMappings(identity.value)),
        MAPPINGS_PLAN.perBatch,
      ),
      note: mappings.ok ? `${mappings.count} mappings, ${mappings.groups.length} groups` : mappings.reason,
    },
  ];
}

export async function benchStops(smallPid: number): Promise<StopCost[]> {
  const results = await measure('small process (`sleep`)', 'stop-small', smallPid);
  const big = await startManyMappings(MANY_MAPPINGS);
  if (typeof big === 'string') {
    return [...results, { id: 'stop-big', operation: `a process with ${MANY_MAPPINGS} mappings`, skipped: big }];
  }
  try {
    return [
      ...results,
      ...(await measure(`${MANY_MAPPINGS} mappings (bench/manyMappings.c)`, 'stop-big', big.child.pid!)),
    ];
  } finally {
    big.child.kill('SIGKILL');
    fs.rmSync(big.dir, { recursive: true, force: true });
  }
}
