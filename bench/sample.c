/*
 * Baseline for the benchmark: the cheapest way to do what sampleProcess(pid) does at the
 * system-call level. Each iteration opens /proc/PID/stat, /proc/PID/statm and /proc/PID/status,
 * reads each until read() returns 0 (the same open, read, read, close sequence as readProcText in
 * src/proc/procFile.ts) and closes it. No parsing: this is the floor set by the kernel.
 *
 * Usage: sample PID WARMUP BATCHES PER_BATCH
 * Prints one line per batch: nanoseconds per iteration (three files), so that the process start-up
 * is excluded and the batches can be summarised exactly like the Node measurements.
 *
 * Compiled by bench/bench.ts at bench time with `cc -O2` into a temporary directory.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static char buffer[64 * 1024];
static volatile unsigned long sink;

static int read_whole(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    size_t length = 0;
    for (;;) {
        ssize_t n = read(fd, buffer + length, sizeof buffer - length);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            close(fd);
            return -1;
        }
        if (n == 0 || length + (size_t)n == sizeof buffer) {
            length += (size_t)n;
            break;
        }
        length += (size_t)n;
    }
    close(fd);
    sink += length + (unsigned char)buffer[0];
    return 0;
}

static int iteration(const char *stat, const char *statm, const char *status) {
    return read_whole(stat) | read_whole(statm) | read_whole(status);
}

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s PID WARMUP BATCHES PER_BATCH\n", argv[0]);
        return 2;
    }
    long pid = strtol(argv[1], NULL, 10);
    long warmup = strtol(argv[2], NULL, 10);
    long batches = strtol(argv[3], NULL, 10);
    long per_batch = strtol(argv[4], NULL, 10);
    if (pid <= 0 || warmup < 0 || batches <= 0 || per_batch <= 0) {
        fprintf(stderr, "bad arguments\n");
        return 2;
    }
    char stat[64], statm[64], status[64];
    snprintf(stat, sizeof stat, "/proc/%ld/stat", pid);
    snprintf(statm, sizeof statm, "/proc/%ld/statm", pid);
    snprintf(status, sizeof status, "/proc/%ld/status", pid);

    for (long i = 0; i < warmup; i++) {
        if (iteration(stat, statm, status) != 0) {
            perror("read /proc");
            return 1;
        }
    }
    for (long b = 0; b < batches; b++) {
        long long start = now_ns();
        for (long i = 0; i < per_batch; i++) {
            if (iteration(stat, statm, status) != 0) {
                perror("read /proc");
                return 1;
            }
        }
        long long elapsed = now_ns() - start;
        printf("%.1f\n", (double)elapsed / (double)per_batch);
    }
    return 0;
}
