/*
 * A process with many mappings, for the benchmark's smaps and smaps_rollup measurements: the
 * cost of both grows with the number of mappings, and a big server (a JVM, a database, Chrome)
 * has tens of thousands. Maps COUNT regions of one page each, alternating read-only and
 * read-write so that the kernel cannot merge neighbours into one mapping, and touches every page
 * so that each one is resident (Rss 4 kB per mapping, as in a real heap of small regions).
 *
 * Usage: mappings COUNT
 * Prints "ready N" (N = regions mapped) on stdout once done, then sleeps until killed.
 *
 * Compiled by bench/bench.ts at bench time with `cc -O2` into a temporary directory.
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s COUNT\n", argv[0]);
        return 2;
    }
    long count = strtol(argv[1], NULL, 10);
    long page = sysconf(_SC_PAGESIZE);
    /* One reservation, then mprotect page by page: the regions stay adjacent and alternate. */
    char *base = mmap(NULL, (size_t)(count * page), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    for (long i = 0; i < count; i++) {
        base[i * page] = 1; /* resident, before half of them become read-only */
    }
    for (long i = 0; i < count; i += 2) {
        if (mprotect(base + i * page, (size_t)page, PROT_READ) != 0) {
            perror("mprotect");
            return 1;
        }
    }
    printf("ready %ld\n", count);
    fflush(stdout);
    for (;;) {
        pause();
    }
}
