/*
 * The machine's floor for a once-per-interval reading, outside any editor: a process that sleeps,
 * wakes every INTERVAL_MS, reads /proc/PID/stat and /proc/PID/statm through descriptors it keeps
 * open (pread, as the Sampler's kept files do) and sleeps again. It prints the CPU time it used
 * (/proc/self/schedstat, in ns: on this single-threaded program, the whole process) over SECONDS.
 * What waking costs on the machine (a virtual CPU, cold caches) is in it; a JavaScript host pays
 * that and more for every timer.
 *
 * Usage: wakeFloor PID INTERVAL_MS SECONDS
 * Prints: "<cpu ns> <wall ns> <wakes>".
 *
 * Compiled by test/hostBench/machineFloor.ts at bench time with `cc -O2` into a temporary directory.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static char buffer[4096];

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long cpu_ns(void) {
    FILE *file = fopen("/proc/self/schedstat", "r");
    long long ns = -1;
    if (file) {
        if (fscanf(file, "%lld", &ns) != 1) {
            ns = -1;
        }
        fclose(file);
    }
    return ns;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s PID INTERVAL_MS SECONDS\n", argv[0]);
        return 2;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/%s/stat", argv[1]);
    int stat = open(path, O_RDONLY | O_CLOEXEC);
    snprintf(path, sizeof path, "/proc/%s/statm", argv[1]);
    int statm = open(path, O_RDONLY | O_CLOEXEC);
    if (stat < 0 || statm < 0) {
        perror("open");
        return 1;
    }
    long long interval = atoll(argv[2]) * 1000000LL;
    long long start = now_ns();
    long long end = start + atoll(argv[3]) * 1000000000LL;
    long long cpu_before = cpu_ns();
    long wakes = 0;
    for (long long next = start + interval; next <= end; next += interval) {
        struct timespec at = {next / 1000000000LL, next % 1000000000LL};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL);
        if (pread(stat, buffer, sizeof buffer, 0) <= 0 || pread(statm, buffer, sizeof buffer, 0) <= 0) {
            perror("pread");
            return 1;
        }
        wakes++;
    }
    printf("%lld %lld %ld\n", cpu_ns() - cpu_before, now_ns() - start, wakes);
    return 0;
}
