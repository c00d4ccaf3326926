// The Python source of the helper module (`_procmem`) that features load into a stopped Python
// program. Each part is a piece of one module; a feature adds its functions as a part of its own
// (a new constant, one line in PYTHON_HELPER_PARTS). Functions called through `callPythonHelper`
// take keyword arguments and return something `json.dumps` can write.
// Rules for every part: print nothing, call no user code, keep no reference to user objects,
// import lazily what a call needs.

import { TRACEMALLOC_PART } from '../allocations/tracemallocHelper';

/** Dispatch: `_answer(name, json_kwargs)` calls a helper function and returns its result as a JSON string. */
const CORE = `
import json as _json

def _answer(name, kwargs_json):
    try:
        value = globals()[name](**_json.loads(kwargs_json))
        return _json.dumps({"ok": True, "value": value})
    except BaseException as error:  # a failing helper must never raise into the debugger
        return _json.dumps({"ok": False, "error": type(error).__name__ + ": " + str(error)[:300]})
`;

/**
 * The interpreter's and the C allocator's own figures: `sys.getallocatedblocks()`, gc counts,
 * tracemalloc totals when it traces, and glibc's mallinfo2() through ctypes (why not, when not).
 */
const ACCOUNT = `
def _glibc_version():
    import os
    try:
        text = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (ValueError, OSError, AttributeError):
        text = ""
    return text.split()[1] if text.startswith("glibc ") else None

_mallinfo2 = None

def _malloc_info():
    global _mallinfo2
    version = _glibc_version()
    if version is None:
        return {"unavailable": "not glibc (musl or another C library): it has no mallinfo2()"}
    if _mallinfo2 is None:
        import ctypes
        class Mallinfo2(ctypes.Structure):
            _fields_ = [(name, ctypes.c_size_t) for name in (
                "arena", "ordblks", "smblks", "hblks", "hblkhd",
                "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
        libc = ctypes.CDLL(None)
        if not hasattr(libc, "mallinfo2"):
            return {"unavailable": "glibc " + version + " has no mallinfo2() (it came in glibc 2.33)", "glibc": version}
        function = libc.mallinfo2
        function.restype = Mallinfo2
        function.argtypes = []
        _mallinfo2 = function
    info = _mallinfo2()
    return {"glibc": version, "mallinfo2": {name: getattr(info, name) for name, _ in info._fields_}}

def account():
    import sys, gc
    result = {
        "implementation": sys.implementation.name,
        "version": "%d.%d.%d" % sys.version_info[:3],
        "allocatedBlocks": sys.getallocatedblocks(),
        "gcCounts": list(gc.get_count()),
    }
    try:
        import _tracemalloc
        if _tracemalloc.is_tracing():
            current, peak = _tracemalloc.get_traced_memory()
            result["tracemalloc"] = {"current": current, "peak": peak, "overhead": _tracemalloc.get_tracemalloc_memory()}
    except ImportError:
        pass
    try:
        result["malloc"] = _malloc_info()
    except BaseException as error:
        result["malloc"] = {"unavailable": "mallinfo2() through ctypes failed: " + type(error).__name__ + ": " + str(error)[:200]}
    return result
`;

/** The parts, in order. The module is loaded again whenever their text changes. */
export const PYTHON_HELPER_PARTS: readonly string[] = [CORE, ACCOUNT, TRACEMALLOC_PART];
