// What a mapping holds, judged from its path in /proc/PID/smaps: heap, stack, the program, a
// library, a file, shared memory, anonymous memory or the kernel's own.
import { MappingKind } from '../../shared/model';

/** The kernel's own special mappings (also `[vvar_vclock]` since 6.13, `[uprobes]` for uprobes). */
const KERNEL_NAMES = new Set([
  '[vdso]',
  '[vvar]',
  '[vvar_vclock]',
  '[vsyscall]',
  '[uprobes]',
  '[sigpage]',
  '[vectors]',
]);
const DELETED = ' (deleted)';

/**
 * Which category a mapping path falls in. `exe` is the process's executable (the target of
 * /proc/PID/exe), or undefined when it could not be read: then nothing counts as `program`.
 */
export function classifyMapping(path: string, exe: string | undefined): MappingKind {
  if (path.length === 0) {
    return 'anonymous';
  }
  const first = path.charCodeAt(0);
  if (first === 0x5b /* [ */) {
    if (path === '[heap]') {
      return 'heap';
    }
    // `[stack]`; kernels before 4.5 also printed `[stack:TID]` for thread stacks.
    if (path === '[stack]' || path.startsWith('[stack:')) {
      return 'stack';
    }
    if (KERNEL_NAMES.has(path)) {
      return 'kernel';
    }
    // `[anon_shmem:name]` (prctl PR_SET_VMA_ANON_NAME on shared anonymous memory, Linux 6.2+).
    return path.startsWith('[anon_shmem:') ? 'shmem' : 'anonymous'; // `[anon:name]` and anything new
  }
  if (path === exe) {
    return 'program';
  }
  // Shared memory is a file on the kernel's internal tmpfs: SysV segments (`/SYSV0000abcd (deleted)`),
  // memfd_create (`/memfd:name (deleted)`), MAP_SHARED|MAP_ANONYMOUS (`/dev/zero (deleted)`), and
  // POSIX shm_open under /dev/shm.
  if (
    path.startsWith('/dev/shm/') ||
    path.startsWith('/SYSV') ||
    path.startsWith('/memfd:') ||
    path.startsWith('memfd:') ||
    path === '/dev/zero (deleted)'
  ) {
    return 'shmem';
  }
  if (first !== 0x2f /* / */) {
    return 'kernel'; // anon_inode:[io_uring], anon_inode:dmabuf...: memory a driver maps in
  }
  return isSharedLibrary(path) ? 'libraries' : 'files';
}

/** `/\.so(\.|$)/` on the path without a trailing " (deleted)", without a regex. */
function isSharedLibrary(path: string): boolean {
  const end = path.endsWith(DELETED) ? path.length - DELETED.length : path.length;
  for (let at = path.indexOf('.so'); at >= 0 && at + 3 <= end; at = path.indexOf('.so', at + 1)) {
    if (at + 3 === end || path.charCodeAt(at + 3) === 0x2e /* . */) {
      return true;
    }
  }
  return false;
}
