// V8's sampling heap profile (CDP `HeapProfiler.getSamplingProfile`) as allocation traces. No
// `vscode`: unit-tested on real and broken profiles. The profile comes from the debugged program's
// runtime: every field is checked.
import { AllocationTrace, RawFrame } from './siteAttribution';

/** A profile deeper or larger than this is refused rather than walked. */
const MAX_NODES = 500_000;

export type SamplingProfileReading =
  | {
      ok: true;
      /** The samples newer than `afterOrdinal` (still alive: the profile lists live objects only), by stack. */
      traces: AllocationTrace[];
      /** The highest ordinal in the profile: the next stop keeps the samples above it. */
      maxOrdinal: number;
    }
  | { ok: false; reason: string };

interface ProfileNode {
  id: number;
  frame: RawFrame;
  parent: number | undefined;
}

/**
 * The samples allocated since the previous stop (`ordinal` above `afterOrdinal`) and still alive,
 * grouped by their stack. A sample's `size` is already what it stands for (V8 scales each sample by
 * its chance of being taken), so the sizes add up to an estimate of the bytes allocated.
 */
export function parseSamplingProfile(raw: unknown, afterOrdinal: number): SamplingProfileReading {
  const profile = (raw as { profile?: unknown } | undefined)?.profile ?? raw;
  if (!isRecord(profile) || !isRecord(profile.head) || !Array.isArray(profile.samples)) {
    return { ok: false, reason: 'the sampling profile has no head or samples' };
  }
  const nodes = new Map<number, ProfileNode>();
  const pending: { node: unknown; parent: number | undefined }[] = [{ node: profile.head, parent: undefined }];
  while (pending.length > 0) {
    const { node, parent } = pending.pop()!;
    if (!isRecord(node) || !isCount(node.id) || !isRecord(node.callFrame)) {
      return { ok: false, reason: 'a node of the sampling profile is malformed' };
    }
    if (nodes.size >= MAX_NODES) {
      return { ok: false, reason: `the sampling profile has more than ${MAX_NODES} nodes` };
    }
    const call = node.callFrame;
    nodes.set(node.id, {
      id: node.id,
      parent,
      frame: {
        functionName: typeof call.functionName === 'string' ? call.functionName.slice(0, 512) : '',
        path: typeof call.url === 'string' ? call.url.slice(0, 4096) : '',
        line: isCount(call.lineNumber) ? call.lineNumber + 1 : 0,
      },
    });
    for (const child of Array.isArray(node.children) ? node.children : []) {
      pending.push({ node: child, parent: node.id });
    }
  }
  let maxOrdinal = afterOrdinal;
  const byNode = new Map<number, { bytes: number; count: number }>();
  for (const sample of profile.samples) {
    if (!isRecord(sample) || !isCount(sample.ordinal) || !isCount(sample.nodeId) || !isCount(sample.size)) {
      return { ok: false, reason: 'a sample of the sampling profile is malformed' };
    }
    maxOrdinal = Math.max(maxOrdinal, sample.ordinal);
    if (sample.ordinal <= afterOrdinal) {
      continue;
    }
    if (!nodes.has(sample.nodeId)) {
      return { ok: false, reason: `a sample names node ${sample.nodeId}, which the profile does not have` };
    }
    const sum = byNode.get(sample.nodeId) ?? { bytes: 0, count: 0 };
    sum.bytes += sample.size;
    sum.count += 1;
    byNode.set(sample.nodeId, sum);
  }
  const traces = [...byNode].map(([id, sum]) => ({ ...sum, frames: stackOf(nodes, id) }));
  return { ok: true, traces, maxOrdinal };
}

/** A node's frames, innermost first, without V8's `(root)`. */
function stackOf(nodes: Map<number, ProfileNode>, id: number): RawFrame[] {
  const frames: RawFrame[] = [];
  for (let node = nodes.get(id); node && node.parent !== undefined; node = nodes.get(node.parent)) {
    frames.push(node.frame);
  }
  return frames;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
