// Which stack frame VS Code reveals when a program stops. Pure functions over Debug Adapter
// Protocol stackTrace responses: no `vscode`.

/** The parts of a DAP Source this extension reads. */
export interface DapSource {
  name?: string;
  path?: string;
  sourceReference?: number;
  presentationHint?: string;
}

/** The parts of a DAP StackFrame this extension reads. */
export interface DapFrame {
  id: number;
  name: string;
  line: number;
  column?: number;
  source?: DapSource;
  presentationHint?: string;
}

/**
 * The frame VS Code focuses after a stop, by its own rule (Thread.getTopStackFrame in the
 * workbench's debug model): the first frame with a source that is not de-emphasised (libc
 * without symbols, js-debug's skipFiles, node internals), else the first frame.
 */
export function revealedFrame(frames: readonly DapFrame[]): DapFrame | undefined {
  return (
    frames.find((frame) => frame.source !== undefined && frame.source.presentationHint !== 'deemphasize') ?? frames[0]
  );
}

/**
 * Frames from a stackTrace response body, each at its position: an entry that is not shaped like a
 * frame is a hole, so that the frames after it are not taken for the frames above them.
 */
export function framesOf(body: unknown): (DapFrame | undefined)[] {
  const frames = (body as { stackFrames?: unknown } | undefined)?.stackFrames;
  if (!Array.isArray(frames)) {
    return [];
  }
  return frames.map((frame) => {
    const candidate = frame as Partial<DapFrame> | null;
    const shaped =
      typeof candidate === 'object' &&
      candidate !== null &&
      Number.isSafeInteger(candidate.id) &&
      typeof candidate.name === 'string' &&
      Number.isSafeInteger(candidate.line) &&
      (candidate.source === undefined || (typeof candidate.source === 'object' && candidate.source !== null));
    return shaped ? (candidate as DapFrame) : undefined;
  });
}

/** The file name a stop shows: the last part of the path, or the debugger's name for the source. */
export function sourceLabel(source: DapSource | undefined): string {
  const path = typeof source?.path === 'string' ? source.path : '';
  const fromPath = path.slice(path.lastIndexOf('/') + 1);
  return fromPath || (typeof source?.name === 'string' ? source.name : '') || 'unknown source';
}
