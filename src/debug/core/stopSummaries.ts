// What the stops of a session say, summed up for the places that show them: a row of the stops
// list, a marker on the timeline (and so in recordings and exports), and what changed between two
// stops. Pure functions over the stops: no `vscode`.
import { formatBytes, formatDelta, formatInterval } from '../../../shared/format';
import { MappingKind, StopLocation, TimelineMarker } from '../../../shared/model';
import { StopComparison, StopRow } from '../../../shared/protocol/debugView';
import { recordedSites, StopAllocations } from '../../../shared/allocationSites';
import { accountChange } from '../../../shared/runtimeAccount';
import { ProcessIdentity, sameProcess } from '../../proc/processIdentity';
import { diffMappings, MappingsAtStop } from '../../proc/smapsDiff';
import { rowAccount, RuntimeAnswer, stopAccount } from './runtimeAnswer';
import { StopMappings, StopReading } from './stopReading';

/** What the summaries read of a stop (DebugStops keeps more on it). */
export interface StopFacts {
  id: number;
  atMs: number;
  reason: string;
  identity: ProcessIdentity | undefined;
  place?: { label: StopLocation };
  reading?: StopReading;
  /**
   * The previous stop of the same process that has a reading: a copy of what the comparison needs,
   * not the stop itself, so that stops dropped from the list are not kept alive through a chain.
   */
  previous?: { id: number; atMs: number; reading: StopReading };
  mappings?: StopMappings;
  /** The lines that allocated memory since the previous stop, where allocation tracking is on. */
  allocations?: StopAllocations;
  /** What the program's runtime said of its memory at this stop (RuntimeAccounts). */
  runtime?: RuntimeAnswer;
}

/** Debuggers that stop every thread of the program (native ones); interpreters pause only their own. */
const ALL_STOP_TYPES = /lldb|cppdbg|cppvsdbg|gdb|native|go|delve|rust/i;

/** Whether two stops are of the same process (a restarted session's process is a new one). */
export function sameProcessStops(a: StopFacts, b: StopFacts): boolean {
  return a.identity !== undefined && b.identity !== undefined && sameProcess(a.identity, b.identity);
}

/** RES change and wall time since the previous stop of the same process. */
export function sincePrevious(stop: StopFacts): { resBytes: number; ms: number } | undefined {
  return stop.reading && stop.previous
    ? { resBytes: stop.reading.resBytes - stop.previous.reading.resBytes, ms: stop.atMs - stop.previous.atMs }
    : undefined;
}

/** A stop as the debug view's stops list shows it. */
export function stopRow(stop: StopFacts): StopRow {
  return {
    id: stop.id,
    atMs: stop.atMs,
    reason: stop.reason,
    location: stop.place?.label,
    resBytes: stop.reading?.resBytes,
    sincePrevious: sincePrevious(stop),
    hasMappings: stop.mappings?.ok === true,
    account: rowAccount(stop),
  };
}

/** A stop's marker on its process's timeline; undefined until its process has been read. */
export function stopMarker(stop: StopFacts): TimelineMarker | undefined {
  if (!stop.identity || !stop.reading) {
    return undefined;
  }
  const where = stop.place ? `${stop.place.label.file}:${stop.place.label.line}` : `stop ${stop.id}`;
  const since = sincePrevious(stop);
  const change = since
    ? `RES ${formatDelta(since.resBytes)} in ${formatInterval(since.ms)} since the previous stop`
    : `RES ${formatBytes(stop.reading.resBytes)} at the first stop`;
  return {
    timeMs: stop.atMs,
    kind: 'stop',
    label: where,
    detail: `${stop.place ? `${stop.place.label.functionName} · ` : ''}${stop.reason} · ${change}`,
    stop: {
      id: stop.id,
      reason: stop.reason,
      location: stop.place?.label,
      resBytes: stop.reading.resBytes,
      sincePrevious: since,
      mappingKinds: stop.mappings?.ok ? kindTotals(stop.mappings) : undefined,
      sites: recordedSites(stop.allocations),
      account: accountOfMarker(stop),
    },
  };
}

/** The stop to compare the latest one with: the one chosen, else the previous one of its process with mappings. */
export function comparisonBaseline<T extends StopFacts>(
  stops: readonly T[],
  latest: T,
  chosenId: number | undefined,
): T | undefined {
  const chosen = chosenId !== undefined ? stops.find((stop) => stop.id === chosenId && stop !== latest) : undefined;
  return chosen ?? stops.findLast((stop) => stop !== latest && stop.mappings?.ok && sameProcessStops(stop, latest));
}

/**
 * What changed between two stops: the mappings that grew and shrank, and the runtime's account.
 * `canReadNow`: the latest stop is the current one, so its mappings can still be read on demand.
 */
export function compareStops(
  baseline: StopFacts | undefined,
  latest: StopFacts,
  canReadNow: boolean,
  debugType: string,
): StopComparison {
  if (!latest.mappings) {
    return { unavailable: 'Reading the mappings at this stop…', canReadNow: false };
  }
  if (!latest.mappings.ok) {
    return { unavailable: `No mappings at stop ${latest.id}: ${latest.mappings.reason}.`, canReadNow };
  }
  if (!baseline?.mappings?.ok) {
    return {
      unavailable: baseline
        ? `No mappings at stop ${baseline.id} to compare with.`
        : 'No earlier stop of this process has its mappings to compare with.',
      canReadNow: false,
    };
  }
  const change = diffMappings(baseline.mappings, latest.mappings);
  const row = (group: (typeof change.grew)[number]) => ({ ...group });
  return {
    baselineId: baseline.id,
    stopId: latest.id,
    kinds: change.kinds,
    grew: change.grew.map(row),
    shrank: change.shrank.map(row),
    partialPause: !ALL_STOP_TYPES.test(debugType),
    account: accountsChange(baseline, latest),
  };
}

/** How the runtime's account changed between two stops, where both have one. */
function accountsChange(before: StopFacts, after: StopFacts) {
  const a = accountOfMarker(before);
  const b = accountOfMarker(after);
  return a && b ? accountChange(a, b) : undefined;
}

/** The account a stop's marker (and so a recording) keeps: only a whole one. */
function accountOfMarker(stop: StopFacts) {
  const account = stopAccount(stop);
  return account?.status === 'ok' ? account.account : undefined;
}

/** RSS per kind of mapping, leaving out the kinds the process has none of. */
function kindTotals(mappings: MappingsAtStop): Partial<Record<MappingKind, number>> {
  return Object.fromEntries(
    Object.entries(mappings.categories)
      .filter(([, totals]) => totals.count > 0)
      .map(([kind, totals]) => [kind, totals.rssBytes]),
  );
}
