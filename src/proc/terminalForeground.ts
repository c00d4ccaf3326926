import { readProcText } from './procFile';
import { ProcessIdentity } from './processIdentity';
import { parseStat } from './stat';
import { parseStatJob } from './statJob';

/** What a terminal's shell is doing, from /proc: running a command in the foreground, or waiting. */
export type TerminalForeground =
  /** The shell holds the terminal: it waits for the next command. */
  | { kind: 'shell'; identity: ProcessIdentity; name: string }
  /** A foreground job holds it: its process group's leader. */
  | { kind: 'command'; identity: ProcessIdentity; name: string; shell: ProcessIdentity }
  /**
   * The shell cannot be read here: gone (`gone`: no such PID in this /proc), another user's
   * (hidepid), or not on this machine.
   */
  | { kind: 'unreadable'; why: string; gone?: true };

/**
 * The foreground of a terminal whose shell is `shellPid`: field 8 of the shell's stat (tpgid) is
 * the process group that holds the terminal. When it is the shell's own group, the shell waits;
 * otherwise the group's leader (its PID is the group's id) is the command, if it is still there and
 * in the shell's session (a PID reused by an unrelated process is not taken for it).
 */
export function terminalForeground(shellPid: number, procRoot = '/proc'): TerminalForeground {
  const text = readProcText(`${procRoot}/${shellPid}/stat`);
  if (!text.ok) {
    return text.error.kind === 'gone'
      ? {
          kind: 'unreadable',
          why: `its shell (PID ${shellPid}) is not in this machine's /proc: it ended, or runs elsewhere (a remote terminal), or /proc hides other users' processes`,
          gone: true,
        }
      : { kind: 'unreadable', why: `its shell (PID ${shellPid}) cannot be read: ${text.error.detail}` };
  }
  const stat = parseStat(text.value);
  const job = parseStatJob(text.value);
  if (!stat.ok || !job.ok) {
    return { kind: 'unreadable', why: `its shell's stat is malformed` };
  }
  const shell = { pid: shellPid, startTicks: stat.value.startTicks };
  const { tpgid, pgrp, session } = job.value;
  if (tpgid <= 0 || tpgid === pgrp) {
    return { kind: 'shell', identity: shell, name: stat.value.comm };
  }
  const leaderText = readProcText(`${procRoot}/${tpgid}/stat`);
  const leader = leaderText.ok ? parseStat(leaderText.value) : undefined;
  const leaderJob = leaderText.ok ? parseStatJob(leaderText.value) : undefined;
  if (!leader?.ok || !leaderJob?.ok || leaderJob.value.session !== session || leader.value.state === 'Z') {
    return { kind: 'shell', identity: shell, name: stat.value.comm };
  }
  return {
    kind: 'command',
    identity: { pid: tpgid, startTicks: leader.value.startTicks },
    name: leader.value.comm,
    shell,
  };
}
