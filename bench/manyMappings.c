/* A process with N separate mappings (argv[1]), each one page, touched: for measuring what a
 * debug stop costs on a big process. Alternating protections keep the kernel from merging
 * neighbours. Prints "ready" when they are all in place, then sleeps until killed. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv) {
  long count = argc > 1 ? atol(argv[1]) : 10000;
  long page = sysconf(_SC_PAGESIZE);
  char *base = mmap(NULL, (size_t)(count * page), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return 1;
  for (long i = 0; i < count; i++) {
    base[i * page] = 1;
    if (i % 2 && mprotect(base + i * page, (size_t)page, PROT_READ) != 0) return 2;
  }
  printf("ready\n");
  fflush(stdout);
  for (;;) pause();
}
