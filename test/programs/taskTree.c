/*
 * A task's process tree with known memory at known times, for the task recording tests.
 *
 *   taskTree DIR [SCALE_MIB] [EXIT_CODE] [wait-for-release]
 *
 * Forks 8 children. Child i (1..7) allocates and touches (i + 1) * SCALE_MIB MiB at 300 + 100 i
 * ms. Child 0 allocates nothing: it forks a grandchild and exits at 200 ms or, when the test wants
 * to be sure a sampler saw it, once DIR/release-child-0 exists (3 s at most). The grandchild waits
 * until it is re-parented (to init or a subreaper), then allocates 5 * SCALE_MIB MiB, at 400 ms at
 * the earliest. Each holds its
 * memory until 2 500 ms, and in any case until all 8 have theirs (DIR/allocated/PID) and 1 000 ms
 * more: on a loaded machine a process may allocate late, and the peak is still a moment with every
 * allocation held: (2 + ... + 8) + 5 = 40 SCALE_MIB MiB, plus the processes' small baselines.
 * Before forking, the parent also touches a shared anonymous mapping of 4 SCALE_MIB MiB, which
 * every process that allocates reads page by page: it is in the RES of 9 processes at the peak,
 * but counted once in their PSS summed (44 SCALE_MIB MiB in all, against a RES sum of about 76).
 * Every process writes its PID to DIR/pids/PID and its role to DIR/roles/PID first thing, so a
 * test knows the whole tree without walking it. The parent waits for its children and for the
 * grandchild's DIR/done-grandchild (8 s at most: it may be OOM-killed), then exits with EXIT_CODE.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *dir;
static volatile char *shared;
static size_t shared_bytes;
static struct timespec start;

static long elapsed_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
}

static void sleep_until(long ms) {
  long left = ms - elapsed_ms();
  if (left > 0) usleep((useconds_t)left * 1000);
}

static void note(const char *kind, const char *text) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s/%d", dir, kind, (int)getpid());
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    if (write(fd, text, strlen(text)) < 0) { /* the test will miss it */ }
    close(fd);
  }
}

static int count_allocated(void) {
  char path[4096];
  snprintf(path, sizeof path, "%s/allocated", dir);
  DIR *d = opendir(path);
  int count = 0;
  if (!d) return 0;
  for (struct dirent *entry; (entry = readdir(d)) != NULL;) {
    if (entry->d_name[0] != '.') count++;
  }
  closedir(d);
  return count;
}

static void hold(long at_ms, long mib, const char *role, pid_t orphaned_from) {
  note("pids", "");
  note("roles", role);
  while (orphaned_from && getppid() == orphaned_from && elapsed_ms() < 6000) usleep(10000);
  long sum = 0;
  for (size_t offset = 0; offset < shared_bytes; offset += 4096) sum += shared[offset]; /* map it: into RES */
  if (sum < 0) _exit(3);
  sleep_until(at_ms);
  size_t bytes = (size_t)mib * 1024 * 1024;
  char *block = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (block == MAP_FAILED) _exit(2);
  memset(block, 1, bytes); /* resident, private: its PSS is its size */
  note("allocated", "");
  while (count_allocated() < 8 && elapsed_ms() < 6000) usleep(10000);
  long all_held = elapsed_ms();
  sleep_until(all_held + 1000 > 2500 ? all_held + 1000 : 2500);
}

int main(int argc, char **argv) {
  if (argc < 2) return 64;
  dir = argv[1];
  long scale = argc > 2 ? atol(argv[2]) : 8;
  int code = argc > 3 ? atoi(argv[3]) : 0;
  clock_gettime(CLOCK_MONOTONIC, &start);
  shared_bytes = (size_t)(4 * scale) * 1024 * 1024;
  shared = mmap(NULL, shared_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) return 2;
  memset((char *)shared, 1, shared_bytes);
  note("pids", "");
  note("roles", "parent");
  for (int i = 0; i < 8; i++) {
    pid_t child = fork();
    if (child == 0) {
      if (i == 0) {
        pid_t child0 = getpid();
        if (fork() == 0) {
          hold(400, 5 * scale, "grandchild", child0);
          char path[4096];
          snprintf(path, sizeof path, "%s/done-grandchild", dir);
          close(open(path, O_WRONLY | O_CREAT, 0644));
          _exit(0);
        }
        note("pids", "");
        note("roles", "child-0 (exits before its child)");
        sleep_until(200);
        char release[4096];
        snprintf(release, sizeof release, "%s/release-child-0", dir);
        if (argc > 4) {
          while (access(release, F_OK) != 0 && elapsed_ms() < 3000) usleep(10000);
        }
        _exit(0);
      }
      char role[32];
      snprintf(role, sizeof role, "child-%d", i);
      hold(300 + 100 * i, (i + 1) * scale, role, 0);
      _exit(0);
    }
  }
  while (wait(NULL) > 0) {
  }
  char done[4096];
  snprintf(done, sizeof done, "%s/done-grandchild", dir);
  while (access(done, F_OK) != 0 && elapsed_ms() < 8000) usleep(20000);
  return code;
}
