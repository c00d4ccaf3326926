// The part of the Python helper module (`_procmem`, src/debug/runtime/pythonHelperSource.ts) that
// tracks allocations with tracemalloc. It follows the helper's rules: prints nothing, calls no user
// code, keeps no reference to user objects.
//
// What stays alive in the program between stops: tracemalloc's own traces (started at the first
// stop, 25 frames), and in the helper module the previous stop's totals by traceback
// (`_tm_previous`: one (size, count) per distinct traceback, tuples of file names and line numbers)
// and the traced total then. Not a tracemalloc Snapshot: grouping its Trace objects one by one
// allocates under tracing and took 8 s for 200 000 blocks; grouping the raw traces sorted in C
// takes about 0.1 s.
//
// Traces whose innermost frame is tracemalloc's, the helper's, pydevd's or debugpy's are left out
// here; the host also drops those whose innermost non-library frame is the debugger's
// (siteAttribution.ts madeByDebugger).

export const TRACEMALLOC_PART = `
_tm_previous = None
_tm_traced_after = None

_TM_DEBUGGER = (
    "*/debugpy/_vendored/*", "*/debugpy/adapter/*", "*/debugpy/server/*", "*/debugpy/launcher/*",
    "*/debugpy/common/*", "*/_pydevd_bundle/*", "*/_pydev_bundle/*", "*/_pydevd_frame_eval/*", "*/pydevd.py",
    "*/pydevd_*.py",
)

def _tm_ignored(path):
    # tracemalloc's, the helper's and the debugger's own files (the host's siteAttribution.ts names the same).
    import tracemalloc, fnmatch
    return path == tracemalloc.__file__ or path == "<procmem helper>" or any(
        fnmatch.fnmatch(path, pattern) for pattern in _TM_DEBUGGER
    )

def _tm_grouped():
    # Sorted and grouped in C: Python code that allocates per trace is slowed by the tracing itself.
    import _tracemalloc
    from itertools import groupby
    from operator import itemgetter
    traces = _tracemalloc._get_traces()
    traceback_of = itemgetter(2)
    size_of = itemgetter(1)
    traces.sort(key=traceback_of)
    grouped = {}
    ignored = {}
    for traceback, group in groupby(traces, traceback_of):
        innermost = traceback[0][0] if traceback else ""
        skip = ignored.get(innermost)
        if skip is None:
            skip = ignored[innermost] = _tm_ignored(innermost)
        if not skip:
            items = list(group)
            grouped[traceback] = (sum(map(size_of, items)), len(items))
    return grouped

_tm_prefixes = None

def _tm_library_prefixes():
    # Read once: importing sysconfig under the debugger's tracing takes a noticeable part of a second.
    global _tm_prefixes
    if _tm_prefixes is not None:
        return _tm_prefixes
    import os, site, sysconfig
    paths = set()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        try:
            paths.add(sysconfig.get_paths()[key])
        except Exception:
            pass
    try:
        paths.update(site.getsitepackages())
    except Exception:
        pass
    _tm_prefixes = sorted(os.path.join(path, "") for path in paths if path)
    return _tm_prefixes

def _tm_definitions(filename, cache):
    # tracemalloc's frames have no function names. The file's def and class lines, found by a
    # regular expression (C code: Python-level parsing ran for seconds under the debugger's tracing).
    found = cache.get((filename,))
    if found is None:
        found = ([], [])
        try:
            import os, re
            if not _tm_ignored(filename) and os.path.getsize(filename) <= 4000000:
                with open(filename, "r", encoding="utf-8", errors="replace") as source:
                    text = source.read()
                lines = text.splitlines()
                definitions = []
                line, position = 1, 0
                for match in re.finditer(r"^([ \\t]*)(?:async[ \\t]+)?(?:def|class)[ \\t]+(\\w+)", text, re.M):
                    line += text.count("\\n", position, match.start())
                    position = match.start()
                    definitions.append((line, len(match.group(1).expandtabs()), match.group(2)))
                found = (lines, definitions)
        except Exception:
            pass
        cache[(filename,)] = found
    return found

def _tm_function_at(filename, lineno, cache):
    # The innermost def or class around the line: the nearest one above it that is indented less.
    if filename.startswith("<"):
        return ""
    lines, definitions = _tm_definitions(filename, cache)
    if not 0 < lineno <= len(lines):
        return ""
    line = lines[lineno - 1]
    indent = len(line) - len(line.lstrip())
    for number, depth, name in reversed(definitions):
        if number == lineno:
            return name
        if number < lineno and depth < indent:
            return name
    return "<module>"

def _tm_kind(filename, prefixes, cache):
    kind = cache.get(filename)
    if kind is None:
        kind = cache[filename] = (
            "ignored" if _tm_ignored(filename)
            else "library" if filename.startswith(prefixes) or filename.startswith("<")
            else "own"
        )
    return kind

def _tm_frames(traceback, prefixes, cache):
    # The frames, with names for those people read: the program's own, and the library frames inside
    # the first of those. None when the debugger made the allocation: the first frame past the
    # library frames is the debugger's (the host's siteAttribution.ts madeByDebugger, applied here
    # first so that no time goes into naming them). Every Python call here is slowed by the
    # debugger's tracing, so what is known of a file or a line is looked up, not computed again.
    kinds = [_tm_kind(filename, prefixes, cache) for filename, _ in traceback]
    first = next((kind for kind in kinds if kind != "library"), "library")
    if first == "ignored":
        return None
    frames = []
    inside = True
    for (filename, lineno), kind in zip(traceback, kinds):
        name = ""
        if kind == "own" or (inside and kind == "library"):
            key = (filename, lineno)
            name = cache.get(key)
            if name is None:
                name = cache[key] = _tm_function_at(filename, lineno, cache)
        inside = inside and kind == "library"
        frames.append({"path": filename, "line": lineno, "functionName": name})
    return frames

def tracemalloc_start(frames):
    global _tm_previous, _tm_traced_after
    import tracemalloc
    if not tracemalloc.is_tracing():
        tracemalloc.start(frames)
    _tm_previous = None
    _tm_previous = _tm_grouped()
    _tm_library_prefixes()
    _tm_traced_after = tracemalloc.get_traced_memory()[0]
    return {"frames": tracemalloc.get_traceback_limit()}

def tracemalloc_read(limit, frames):
    global _tm_previous, _tm_traced_after
    import tracemalloc
    if not tracemalloc.is_tracing() or _tm_previous is None:
        tracemalloc_start(frames)
        return {"restarted": True, "traces": [], "tracedGrowth": None, "libraryPrefixes": _tm_library_prefixes()}
    growth = tracemalloc.get_traced_memory()[0] - _tm_traced_after
    current = _tm_grouped()
    previous = _tm_previous
    _tm_previous = None
    grown = []
    for traceback, (size, count) in current.items():
        before = previous.get(traceback, (0, 0))
        if size > before[0]:
            grown.append((size - before[0], count - before[1], traceback))
    del previous
    grown.sort(key=lambda item: item[0], reverse=True)
    prefixes = _tm_library_prefixes()
    cache = {}
    traces = []
    for size_diff, count_diff, traceback in grown:
        if len(traces) >= limit:
            break
        frames = _tm_frames(traceback, tuple(prefixes), cache)
        if frames is not None:
            traces.append({"bytes": size_diff, "count": count_diff, "frames": frames})
    del grown, cache
    _tm_previous = current
    del current
    _tm_traced_after = tracemalloc.get_traced_memory()[0]
    return {"traces": traces, "tracedGrowth": growth, "libraryPrefixes": prefixes}
`;
