// Which line of the user's own code an allocation belongs to. No `vscode`: unit-tested as data.
import { AllocationSite, MAX_SITE_FRAMES, MAX_SITES, SiteFrame } from '../../../shared/allocationSites';

/** A frame as a tracer reports it, before it is judged. `line` is 1-based. */
export interface RawFrame {
  functionName: string;
  /** A path or a URL (`file:///…`, `node:fs`); empty for the runtime's own (native) functions. */
  path: string;
  line: number;
}

/** Memory allocated at one stack since the previous stop and still alive. Frames innermost first. */
export interface AllocationTrace {
  bytes: number;
  count: number;
  frames: RawFrame[];
}

/**
 * Frames of the debugger (debugpy's own packages, pydevd's files), of tracemalloc and of the helper
 * we load into a Python program. By package, not by any path that mentions "debugpy": a user's
 * project may live in a folder of that name.
 */
const DEBUGGER_PATH =
  /[/\\]debugpy[/\\](_vendored|adapter|server|launcher|common)[/\\]|[/\\](_pydevd_bundle|_pydev_bundle|_pydevd_frame_eval|pydevd_plugins)[/\\]|[/\\]pydevd(_[\w]+)?\.py$|^<procmem helper>$|[/\\]tracemalloc\.py$/;
/** Libraries and the runtime: installed packages, Node's own modules, frozen and generated code. */
const LIBRARY_PATH = /[/\\](node_modules|site-packages|dist-packages)[/\\]|^(node:|internal[/\\]|<)/;

/** Whether a frame is the debugger's (or our helper's): allocations it made are not the program's. */
export function isDebuggerFrame(path: string): boolean {
  return DEBUGGER_PATH.test(localPath(path));
}

/**
 * Whether a frame is in the user's own code: not a library, not the runtime (Node's `node:`
 * modules, V8's built-in functions, which have no path, Python's standard library under
 * `libraryPrefixes`), not the debugger.
 */
export function isOwnCode(path: string, libraryPrefixes: readonly string[]): boolean {
  const local = localPath(path);
  return (
    local.length > 0 &&
    !LIBRARY_PATH.test(local) &&
    !isDebuggerFrame(local) &&
    !libraryPrefixes.some((prefix) => prefix.length > 0 && local.startsWith(prefix))
  );
}

/** `file:///a/b.js` as `/a/b.js`; other paths and URLs as they are. */
export function localPath(path: string): string {
  if (!path.startsWith('file://')) {
    return path;
  }
  try {
    return decodeURIComponent(new URL(path).pathname);
  } catch {
    return path;
  }
}

/** The name people read: the last part of the path (or URL), without a query. */
export function fileLabel(path: string): string {
  if (path.startsWith('node:')) {
    return path; // the runtime's own module: its name says where it is
  }
  const local = localPath(path).replace(/[?#].*$/, '');
  return local.split(/[/\\]/).filter(Boolean).at(-1) ?? local;
}

/**
 * Whether the debugger made this allocation: walking out from the innermost frame, past library
 * frames (the debugger calls the standard library too), the first frame that is not a library's
 * is the debugger's.
 */
export function madeByDebugger(frames: readonly RawFrame[], libraryPrefixes: readonly string[]): boolean {
  for (const frame of frames) {
    if (isDebuggerFrame(frame.path)) {
      return true;
    }
    if (isOwnCode(frame.path, libraryPrefixes)) {
      return false;
    }
  }
  return false;
}

/**
 * The top sites: each trace attributed to its innermost frame in the user's own code (or its
 * innermost frame when it has none), summed by that frame, largest first. Traces the debugger made
 * and traces that did not grow are left out.
 */
export function attributeSites(
  traces: readonly AllocationTrace[],
  libraryPrefixes: readonly string[],
): { sites: AllocationSite[]; sitesBytes: number } {
  const bySite = new Map<string, AllocationSite & { largest: number }>();
  let sitesBytes = 0;
  for (const trace of traces) {
    if (!(trace.bytes > 0) || trace.frames.length === 0 || madeByDebugger(trace.frames, libraryPrefixes)) {
      continue;
    }
    const stack = trace.frames.slice(0, MAX_SITE_FRAMES).map((frame) => judged(frame, libraryPrefixes));
    const frame = stack.find((candidate) => candidate.own) ?? stack[0];
    const key = `${frame.path}\u0000${frame.line}\u0000${frame.functionName}`;
    const site = bySite.get(key) ?? { frame, bytes: 0, count: 0, stack, largest: 0 };
    site.bytes += trace.bytes;
    site.count += trace.count;
    if (trace.bytes > site.largest) {
      site.largest = trace.bytes;
      site.stack = stack;
    }
    bySite.set(key, site);
    sitesBytes += trace.bytes;
  }
  const sites = [...bySite.values()]
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, MAX_SITES)
    .map(({ largest: _largest, ...site }) => site);
  return { sites, sitesBytes };
}

function judged(frame: RawFrame, libraryPrefixes: readonly string[]): SiteFrame {
  return {
    functionName: frame.functionName,
    file: fileLabel(frame.path) || '(built-in)',
    path: localPath(frame.path),
    line: frame.line,
    own: isOwnCode(frame.path, libraryPrefixes),
  };
}
