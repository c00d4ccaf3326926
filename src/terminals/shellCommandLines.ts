import * as vscode from 'vscode';
import { Disposable } from '../dispose';
import { COMMAND_LINE_MAX_CHARS, readCommandLine } from '../proc/commandLine';

/**
 * The command line each terminal's shell says it runs, from shell integration's command events
 * (VS Code 1.93+): the text as typed, pipes and all, which /proc/PID/cmdline of the foreground
 * process cannot give (it has one process's argv, after the shell expanded it). It gives no PID:
 * the process still comes from the terminal's foreground process group (tpgid). Commands the
 * shell reports with low confidence (guessed from the prompt) are not taken.
 */
export class ShellCommandLines extends Disposable {
  private readonly running = new Map<vscode.Terminal, { execution: vscode.TerminalShellExecution; text: string }>();

  constructor() {
    super();
    this.register(
      vscode.window.onDidStartTerminalShellExecution((event) => {
        const line = event.execution.commandLine;
        if (line.value.trim() !== '' && line.confidence !== vscode.TerminalShellExecutionCommandLineConfidence.Low) {
          this.running.set(event.terminal, { execution: event.execution, text: line.value });
        } else {
          this.running.delete(event.terminal);
        }
      }),
    );
    this.register(
      vscode.window.onDidEndTerminalShellExecution((event) => {
        if (this.running.get(event.terminal)?.execution === event.execution) {
          this.running.delete(event.terminal);
        }
      }),
    );
    this.register(vscode.window.onDidCloseTerminal((terminal) => this.running.delete(terminal)));
  }

  /** What the shell of `terminal` reported it runs now; undefined without shell integration or between commands. */
  of(terminal: vscode.Terminal): string | undefined {
    return this.running.get(terminal)?.text;
  }

  /** The command line to show for what `terminal` runs as `pid`: the shell's report where there is one, else /proc's argv. */
  commandOf(terminal: vscode.Terminal, pid: number): { text: string; source: 'shell' | 'proc' } {
    const reported = this.of(terminal);
    return reported !== undefined
      ? {
          text: reported.length > COMMAND_LINE_MAX_CHARS ? `${reported.slice(0, COMMAND_LINE_MAX_CHARS)}…` : reported,
          source: 'shell',
        }
      : { text: readCommandLine(`/proc/${pid}`), source: 'proc' };
  }
}
