// What a stop's runtime answered, kept on the stop, and the account built from it with the stop's
// own /proc figures. No `vscode`.
import { buildAccount, CodeBytes, RuntimeFigures, StopAccount } from '../../../shared/runtimeAccount';
import type { StopReading } from './stopReading';
import type { StopMappings } from './stopReading';

/** The runtime's answer at a stop: asked, given, or why not. */
export type RuntimeAnswer =
  | { status: 'pending' }
  | { status: 'unavailable'; reason: string }
  | { status: 'ok'; figures: RuntimeFigures };

/** The account of a stop, or undefined where none was asked (the setting is off, no reading). */
export function stopAccount(stop: {
  runtime?: RuntimeAnswer;
  reading?: StopReading;
  mappings?: StopMappings;
}): StopAccount | undefined {
  const answer = stop.runtime;
  if (!answer) {
    return undefined;
  }
  if (answer.status !== 'ok') {
    return answer;
  }
  if (!stop.reading) {
    return { status: 'unavailable', reason: 'RES could not be read at this stop' };
  }
  return { status: 'ok', account: buildAccount(answer.figures, stop.reading.resBytes, codeBytes(stop.mappings)) };
}

/** The account as a stops list row carries it: its terms, without the notes and facts only the hover shows. */
export function rowAccount(stop: Parameters<typeof stopAccount>[0]): StopAccount | undefined {
  const account = stopAccount(stop);
  return account?.status === 'ok' ? { status: 'ok', account: { ...account.account, facts: [], notes: [] } } : account;
}

/** RSS of the program file and its libraries, from the stop's smaps. */
function codeBytes(mappings: StopMappings | undefined): CodeBytes {
  if (!mappings) {
    return { unavailable: '/proc/PID/smaps is still being read' };
  }
  if (!mappings.ok) {
    return { unavailable: `no /proc/PID/smaps at this stop (${mappings.reason})` };
  }
  return { bytes: mappings.categories.program.rssBytes + mappings.categories.libraries.rssBytes };
}
